"""The throwaway PostgreSQL 15 cluster the `_pg` benchmarks run on.

`make bench` runs every benchmark inside scripts/with-postgres.sh, which starts a cluster on a
private Unix socket and sets TEST_DATABASE_URL; each measured run gets a database of its own,
dropped afterwards. Without TEST_DATABASE_URL the `_pg` benchmarks report nothing.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

URL_VARIABLE = "TEST_DATABASE_URL"


def server_url() -> str | None:
    return os.environ.get(URL_VARIABLE) or None


def skipped(name: str) -> None:
    print(f"  {name}: skipped, no {URL_VARIABLE} (run it through scripts/with-postgres.sh)")


@contextmanager
def fresh_database(prefix: str) -> Iterator[str]:
    """A new, empty database on the cluster, as a SQLAlchemy URL; dropped on leaving."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    server = server_url()
    if server is None:
        raise RuntimeError(f"{URL_VARIABLE} is not set")
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def libpq(url: str) -> str:
    """A SQLAlchemy URL as psycopg.connect reads it."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
