"""SQLite for several processes: WAL, a busy timeout, and write transactions that lock up front.

These tests build their own application on a SQLite file, whatever database the suite uses.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select, text

from hrapp.core.sqlite import BUSY_TIMEOUT_MS
from hrapp.extensions import db


@pytest.fixture
def file_app(make_app: Callable[..., Flask], tmp_path: Path) -> Iterator[Flask]:
    path = tmp_path / "hrapp.sqlite"
    built = make_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    built.config["DB_PATH"] = str(path)
    with built.app_context():
        db.create_all()
        yield built
        db.session.remove()
        db.engine.dispose()


def test_wal_mode_and_busy_timeout(file_app: Flask) -> None:
    assert db.session.scalar(text("PRAGMA journal_mode")) == "wal"
    assert db.session.scalar(text("PRAGMA busy_timeout")) == BUSY_TIMEOUT_MS
    assert db.session.scalar(text("PRAGMA foreign_keys")) == 1


def _other_writer_is_locked_out(path: str) -> bool:
    """Whether another connection can start writing right now (without waiting)."""
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc)
        return True
    else:
        other.execute("ROLLBACK")
        return False
    finally:
        other.close()


@pytest.mark.parametrize(
    ("context", "locks"),
    [
        ("no request (CLI, worker)", True),
        ("POST", True),
        ("GET", False),
    ],
)
def test_only_write_transactions_take_the_lock_at_begin(
    file_app: Flask, context: str, locks: bool
) -> None:
    """A read-then-write transaction must hold the write lock from its first statement, or a
    concurrent writer makes it fail with "database is locked"; safe requests stay deferred."""
    request: AbstractContextManager[object] = (
        file_app.test_request_context("/", method=context)
        if context in {"GET", "POST"}
        else nullcontext()
    )
    with request:
        db.session.execute(select(1))  # a read: the transaction has begun
        assert _other_writer_is_locked_out(file_app.config["DB_PATH"]) is locks
        db.session.rollback()
    assert not _other_writer_is_locked_out(file_app.config["DB_PATH"])
