"""The landing pages: where each role starts, and the health check."""
