"""Permission matrix: every endpoint, every role."""
