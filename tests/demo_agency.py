"""The demo agency of `hrapp demo load` in a database of a test package's own.

Shared by the browser journeys (tests/browser) and the page reader (tests/page_text): each
makes an app on `own_database(...)`, loads the agency once with `load_demo_agency(app)` and
keeps both for the whole package. The `app` fixture of tests/conftest.py, which empties its
tables after every test, is never involved.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url

DEMO_PASSWORD = "hrapp-demo-2026"
# The demo agency's logins by role (`hrapp demo load`); any other username works too.
ROLE_USERNAMES = {"admin": "admin", "hr": "hr", "trainer": "trainer", "streamer": "e1001"}


@dataclass(frozen=True)
class DemoAgency:
    today: dt.date
    password: str
    last_quarter: str  # the newest cycle `hrapp demo load` ran and left open, e.g. "2026Q3"
    streamers: int
    appraised: int  # appraisals in the last quarter's cycle
    usernames: dict[str, str]
    finalized: list[str]  # the older quarters, finalized, oldest first


def own_database(tmp: Path, name: str) -> tuple[str, Callable[[], None]]:
    """A database URL for one test package and how to remove it afterwards: a SQLite file in
    `tmp`, or, when TEST_DATABASE_URL is set (the PostgreSQL run), a sibling database
    `<name of the shared one>_<name>`, created now."""
    shared = os.environ.get("TEST_DATABASE_URL")
    if not shared:
        return f"sqlite:///{tmp / f'{name}.sqlite'}", lambda: None
    url = make_url(shared)
    database = f"{url.database}_{name}"
    server = create_engine(url, isolation_level="AUTOCOMMIT")

    def run(sql: str) -> None:
        with server.connect() as conn:
            conn.exec_driver_sql(sql)

    run(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    run(f'CREATE DATABASE "{database}"')

    def drop() -> None:
        run(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        server.dispose()

    return url.set(database=database).render_as_string(hide_password=False), drop


def load_demo_agency(app: Flask) -> DemoAgency:
    """Load the demo agency as `hrapp demo load` makes it, as of today, into `app`'s (empty,
    created) database and commit: roster, a year of sessions, training, four quarters appraised
    (the newest left open)."""
    from hrapp.auth.models import User
    from hrapp.core.timeutil import org_today
    from hrapp.demo import services
    from hrapp.extensions import db

    with app.app_context():
        today = org_today()
        result = services.load_demo(today, DEMO_PASSWORD)
        db.session.commit()
        assert result.demo is not None
        hr = db.session.scalars(select(User).where(User.username == "hr")).one()
        done = services.appraise_quarters(result.demo, hr)
        db.session.commit()
        newest = done.quarters[-1]
        db.session.remove()
    return DemoAgency(
        today=today,
        password=DEMO_PASSWORD,
        last_quarter=newest.code,
        streamers=result.streamers,
        appraised=newest.appraised,
        finalized=[q.code for q in done.quarters if q.status == "finalized"],
        usernames=dict(ROLE_USERNAMES),
    )
