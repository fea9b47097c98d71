"""Before gunicorn forks a worker from a master that built the application (`preload_app`).

A database or queue connection copied into a child process is one socket or file used by two
processes, which corrupts what both send. The master serves no request, so it drops its
connections before each fork and every worker opens its own when it first needs one.
"""

from __future__ import annotations

from flask import Flask

from hrapp.extensions import db


def release_connections(app: Flask) -> None:
    """Close the application's pooled database connections and the job queue's connection."""
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()
    queue = app.extensions.get("hrapp.jobs")
    if queue is not None:
        queue.huey.storage.close()
