"""Migrations: an empty database upgrades to one head whose schema matches the models.

Each backend gets a database of its own, so the suite's tables are never touched: a temporary
SQLite file always, and a freshly created database on the PostgreSQL server when the suite
runs against one (TEST_DATABASE_URL).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from hrapp.extensions import db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL.startswith("postgresql") else [])


@pytest.fixture
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrated.sqlite'}"
        return
    yield from _fresh_postgres_database()


def _fresh_postgres_database() -> Iterator[str]:
    name = f"hrapp_migration_{uuid.uuid4().hex[:12]}"
    server = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def _upgraded_app(make_app: Callable[..., Flask], url: str) -> Flask:
    migrated = make_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with migrated.app_context():
        upgrade()
    return migrated


@pytest.mark.parametrize("empty_database_url", BACKENDS, indirect=True)
def test_empty_database_upgrades_to_a_schema_matching_the_models(
    make_app: Callable[..., Flask], empty_database_url: str
) -> None:
    migrated = _upgraded_app(make_app, empty_database_url)
    with migrated.app_context():
        try:
            with db.engine.connect() as conn:
                tables = set(inspect(conn).get_table_names())
                differences = compare_metadata(MigrationContext.configure(conn), db.metadata)
        finally:
            db.engine.dispose()
    assert set(db.metadata.tables) <= tables
    assert differences == [], (
        "models and migrations disagree (regenerate or add a migration):\n"
        + "\n".join(map(repr, differences))
    )


def test_migrations_have_a_single_head(app: Flask) -> None:
    config = current_app.extensions["migrate"].migrate.get_config()
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"several migration heads: {heads}"
