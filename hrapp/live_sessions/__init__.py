"""Live sessions: hosts and shares, import batches and the import pipeline."""
