"""Fixtures of the portal tests: streamer A (the domain guide's worked-example senior in
2026Q3, finalized) with a login, streamer B with sessions and a login, HR and admin, and
sessions of A in the running quarter (the quarter of today)."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask

from hrapp.appraisals import closing, services
from hrapp.appraisals.models import AppraisalCycle
from hrapp.appraisals.runner import run_cycle
from hrapp.auth.models import Role
from hrapp.core.timeutil import local_midnight_utc, org_today, org_zone
from hrapp.extensions import db
from hrapp.portal import cache
from tests.factories import make_account, make_streamer, make_user
from tests.hrapp.appraisals.helpers import broadcast, worked_example_quarter


@pytest.fixture(autouse=True)
def _english(english: None) -> None:
    """These tests check the English source texts (the Chinese catalog has its own tests)."""


@pytest.fixture(autouse=True)
def _fresh_cache(app: Flask, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty cache, kept on disk too (as in production) in a folder of the test's own."""
    monkeypatch.setitem(app.config, "PORTAL_CACHE_DIR", str(tmp_path / "portal-cache"))
    cache.clear()


@pytest.fixture
def hr(app: Flask):
    return make_user(Role.HR, username="hr_portal")


@pytest.fixture
def admin(app: Flask):
    return make_user(Role.ADMIN, username="admin_portal")


@pytest.fixture
def streamer_a(app: Flask):
    streamer = make_streamer(
        employee_no="E3001", legal_name="甲主播", stage_name="小甲", level="senior"
    )
    worked_example_quarter(streamer)
    return streamer


@pytest.fixture
def streamer_b(app: Flask):
    streamer = make_streamer(employee_no="E3002", legal_name="乙主播", stage_name="小乙")
    worked_example_quarter(streamer)
    return streamer


@pytest.fixture
def user_a(streamer_a):
    return make_user(Role.STREAMER, streamer=streamer_a, username="e3001")


@pytest.fixture
def user_b(streamer_b):
    return make_user(Role.STREAMER, streamer=streamer_b, username="e3002")


@pytest.fixture
def client_a(user_a, login_as):
    return login_as(user_a)


@pytest.fixture
def q3(streamer_a, streamer_b) -> AppraisalCycle:
    """2026Q3 run, not finalized: a draft the streamers may not see."""
    cycle = services.create_cycle("2026Q3")
    run_cycle(cycle)
    db.session.commit()
    return cycle


@pytest.fixture
def finalized_q3(q3, hr) -> AppraisalCycle:
    closing.finalize_cycle(q3, hr)
    db.session.commit()
    return q3


def this_quarter_start() -> dt.datetime:
    """The first instant of today's quarter, in UTC."""
    today = org_today()
    first = dt.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    return local_midnight_utc(first, org_zone())


@pytest.fixture
def running_sessions(streamer_a):
    """Three sessions of A in today's quarter (so the running quarter has figures)."""
    account = make_account(streamer_a)
    start = this_quarter_start() + dt.timedelta(hours=12)
    for day in range(3):
        broadcast(
            account,
            start=start + dt.timedelta(days=day),
            hours=4,
            gmv_fen=5_000_000,
            refunds_fen=500_000,
            avg_watch_seconds=80.0,
            new_followers=300,
            unfollows=20,
        )
    db.session.commit()
    return account
