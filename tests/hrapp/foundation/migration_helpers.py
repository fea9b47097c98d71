"""What the data-migration tests share: a database of their own on each backend, an application
on it, rows written at an old revision, and readers logged in to the migrated application."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade

from hrapp.auth.models import Role
from hrapp.extensions import db
from tests.factories import TEST_PASSWORD, make_user
from tests.hrapp.foundation.test_migrations import _fresh_postgres_database


def migration_database(backend: str, tmp_path: Path) -> Iterator[str]:
    """The URL of a new, empty database on `backend` (a database_url fixture yields from it)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrated.sqlite'}"
        return
    yield from _fresh_postgres_database()


@contextmanager
def migrated_app(make_app: Callable[..., Flask], database_url: str) -> Iterator[Flask]:
    """An application on `database_url`, inside its context; its connections are closed after."""
    app = make_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def rows_at(revision: str, write: Callable[[sa.Connection], None]) -> None:
    """Upgrade to `revision` and let `write` store rows as the code of that time did."""
    upgrade(revision=revision)
    with db.engine.begin() as connection:
        write(connection)


def insert_row(connection: sa.Connection, table: str, types: dict, /, **values: object) -> None:
    """One row of `table`; a column not named in `types` is a string."""
    columns = [sa.column(key, types.get(key, sa.String)) for key in values]
    connection.execute(sa.insert(sa.table(table, *columns)).values(**values))


def insert_streamer(
    connection: sa.Connection, streamer_id: int, at: dt.datetime, **names: str
) -> None:
    """An active senior beauty streamer as revision 0002 stores one; `names`: employee_no,
    legal_name and stage_name."""
    moment = sa.DateTime(timezone=True)
    insert_row(
        connection,
        "streamers",
        {"id": sa.Integer, "created_at": moment, "updated_at": moment},
        id=streamer_id,
        **names,
        level="senior",
        category="beauty",
        team="",
        persona="",
        status="active",
        hr_notes="",
        created_at=at,
        updated_at=at,
    )


def reader(app: Flask, locale: str) -> FlaskClient:
    """A client logged in as a new HR user who reads in `locale`."""
    user = make_user(Role.HR)
    user.locale = locale
    db.session.commit()
    client = app.test_client()
    response = client.post("/login", data={"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return client
