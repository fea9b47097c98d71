"""Background jobs: the Huey queue and the progress record pages and the CLI show."""
