"""Shared building blocks: the model base, audit log, errors, money and time helpers."""
