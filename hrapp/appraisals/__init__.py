"""Appraisal cycles, scheme versions, scoring runs, review, finalize and exports."""
