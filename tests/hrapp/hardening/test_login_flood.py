"""A flood of failed logins leaves a few audit rows with counts, not one row per attempt.

Failures for one account, or from one address, within the throttle window (15 minutes) are one
row whose count and lists of names and addresses grow; so are the attempts refused by the
throttle. Before, 300 attempts wrote 300 rows in under two seconds.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy import select

from hrapp.auth.models import Role
from hrapp.core.audit import AuditEntry
from hrapp.core.messages import message, render
from hrapp.extensions import db
from tests.factories import TEST_PASSWORD, make_user

WRONG = "Wrong-Guess-Horse-3"
LOGIN_ACTIONS = ("auth.login_failed", "auth.login_throttled")
FLOOD = 300


def _rows() -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.action.in_(LOGIN_ACTIONS)).order_by(AuditEntry.id)
    return list(db.session.scalars(query))


def _count(entry: AuditEntry) -> int:
    params: dict[str, Any] = entry.summary["params"]
    return int(params.get("n", 1))


def _by_action(rows: list[AuditEntry]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.action] = counts.get(row.action, 0) + _count(row)
    return counts


def _attempt(client: FlaskClient, username: str, address: str, password: str = WRONG) -> int:
    response = client.post(
        "/login",
        data={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )
    return response.status_code


def test_a_flood_on_one_account_from_one_address_is_two_rows(app: Flask) -> None:
    user = make_user(Role.HR, username="hr_target")
    db.session.commit()
    client = app.test_client()

    statuses = [_attempt(client, "hr_target", "203.0.113.9") for _ in range(FLOOD)]

    assert statuses.count(200) == 5 and statuses.count(429) == FLOOD - 5
    rows = _rows()
    assert [row.action for row in rows] == list(LOGIN_ACTIONS)
    assert _by_action(rows) == {"auth.login_failed": 5, "auth.login_throttled": FLOOD - 5}
    failed = rows[0]
    assert failed.entity_id == str(user.id) and failed.ip == "203.0.113.9"
    assert failed.actor_name == "anonymous"
    assert failed.summary == message(
        "%(n)d failed logins within %(minutes)d minutes for %(usernames)s from %(addresses)s.",
        n=5,
        minutes=15,
        usernames=["hr_target"],
        addresses=["203.0.113.9"],
    )
    assert WRONG not in str([(row.summary, row.changes) for row in rows])


def test_guessing_many_accounts_from_one_address_is_summarised_by_address(app: Flask) -> None:
    client = app.test_client()

    for n in range(FLOOD):
        _attempt(client, f"guess{n:03d}", "203.0.113.10")

    rows = _rows()
    assert len(rows) == 2
    assert _by_action(rows) == {"auth.login_failed": 20, "auth.login_throttled": FLOOD - 20}
    usernames = rows[0].summary["params"]["usernames"]
    assert usernames[:3] == ["guess000", "guess001", "guess002"]
    assert len(usernames) <= 11  # a few names and "…", not three hundred


def test_one_account_attacked_from_many_addresses_is_summarised_by_account(app: Flask) -> None:
    make_user(Role.HR, username="hr_spread")
    db.session.commit()
    client = app.test_client()

    for n in range(FLOOD):
        _attempt(client, "hr_spread", f"198.51.{n // 200}.{n % 200}")

    rows = _rows()
    assert len(rows) == 2
    assert _by_action(rows) == {"auth.login_failed": 5, "auth.login_throttled": FLOOD - 5}
    addresses = rows[1].summary["params"]["addresses"]
    assert addresses[0] == "198.51.0.5" and len(addresses) <= 11


def test_a_new_window_starts_a_new_row(app: Flask) -> None:
    make_user(Role.HR, username="hr_later")
    db.session.commit()
    client = app.test_client()
    _attempt(client, "hr_later", "203.0.113.11")
    _attempt(client, "hr_later", "203.0.113.11")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16)
    with time_machine.travel(later, tick=False):
        _attempt(client, "hr_later", "203.0.113.11")

    assert [_count(row) for row in _rows()] == [2, 1]


def test_a_single_failure_reads_as_before(app: Flask) -> None:
    make_user(Role.HR, username="hr_once")
    db.session.commit()
    _attempt(app.test_client(), "hr_once", "203.0.113.12")

    (row,) = _rows()
    assert row.summary == message("Failed login for %(username)s.", username="hr_once")


def test_unrelated_failures_stay_apart(app: Flask) -> None:
    """Another account from another address is another row: a summary joins only what shares
    an account or an address."""
    make_user(Role.HR, username="hr_a")
    make_user(Role.HR, username="hr_b")
    db.session.commit()
    client = app.test_client()
    _attempt(client, "hr_a", "203.0.113.21")
    _attempt(client, "hr_b", "203.0.113.22")

    assert [_count(row) for row in _rows()] == [1, 1]


def test_a_successful_login_is_not_counted(app: Flask) -> None:
    make_user(Role.HR, username="hr_ok")
    db.session.commit()
    client = app.test_client()
    _attempt(client, "hr_ok", "203.0.113.30")
    assert _attempt(client, "hr_ok", "203.0.113.30", TEST_PASSWORD) == 302

    assert [_count(row) for row in _rows()] == [1]


@pytest.mark.parametrize(
    ("locale", "words"),
    [("en", "3 failed logins within 15 minutes"), ("zh_CN", "15 分钟内登录失败 3 次")],
)
def test_the_summary_reads_in_the_readers_language(app: Flask, locale: str, words: str) -> None:
    make_user(Role.HR, username="hr_words")
    db.session.commit()
    client = app.test_client()
    for _ in range(3):
        _attempt(client, "hr_words", "203.0.113.40")

    (row,) = _rows()
    with force_locale(locale):
        assert words in render(row.summary)
