"""SQLite settings for several processes: WAL, a busy timeout and BEGIN IMMEDIATE for writes.

With plain BEGIN a read-then-write transaction fails with "database is locked" when another
writer got there first; BEGIN IMMEDIATE takes the write lock up front and waits for it instead.
Safe requests (GET/HEAD) keep a deferred BEGIN so that readers never queue behind writers.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

BUSY_TIMEOUT_MS = 15_000
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _begin_statement() -> str:
    if has_request_context() and request.method in SAFE_METHODS:
        return "BEGIN"
    return "BEGIN IMMEDIATE"


def configure_sqlite_engine(engine: Engine) -> None:
    """Attach the pragmas and transaction handling to one SQLite engine."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin event emit BEGIN itself (the driver's own is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(_begin_statement())


def init_sqlite(app: Flask) -> None:
    from hrapp.extensions import db

    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    with app.app_context():
        configure_sqlite_engine(db.engine)
