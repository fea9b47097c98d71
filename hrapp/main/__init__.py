"""The landing pages: where each role starts, HR's dashboard, and the health check."""
