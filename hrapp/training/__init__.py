"""The trainer's workspace: curriculum, completions and assessments."""
