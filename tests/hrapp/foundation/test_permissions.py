"""Route permissions and object permissions; denials and failed logins leave a trace, no secrets."""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from hrapp.auth.models import Role, User
from hrapp.auth.permissions import require
from hrapp.core.audit import AuditEntry
from hrapp.core.messages import message
from hrapp.extensions import db
from tests.conftest import login
from tests.factories import TEST_PASSWORD, make_user
from tests.hrapp.foundation.conftest import session_cookie

SECURITY_LOG = "hrapp.security"


def test_a_role_missing_gives_403_and_a_log_line(
    login_as: Callable[[User], FlaskClient], caplog: pytest.LogCaptureFixture
) -> None:
    trainer = make_user(Role.TRAINER)
    db.session.commit()
    client = login_as(trainer)
    with caplog.at_level(logging.WARNING, logger=SECURITY_LOG):
        response = client.get("/audit/")
    assert response.status_code == 403
    denials = [r.getMessage() for r in caplog.records if r.name == SECURITY_LOG]
    assert denials == [f"denied GET /audit/ to {trainer.id}"]


def test_anonymous_is_sent_to_login_and_brought_back(client: FlaskClient) -> None:
    hr = make_user(Role.HR)
    db.session.commit()
    response = client.get("/audit/?action=user.")
    assert response.status_code == 302
    target = urlsplit(response.location)
    assert target.path == "/login"
    next_url = parse_qs(target.query)["next"][0]
    assert next_url == "/audit/?action=user."
    back = client.post(response.location, data={"username": hr.username, "password": TEST_PASSWORD})
    assert back.location == "/audit/?action=user."


def test_require_false_answers_404_and_logs(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    with app.test_request_context("/streamers/7"), caplog.at_level(logging.WARNING, SECURITY_LOG):
        require(True)
        with pytest.raises(NotFound):
            require(False)
    assert [r.getMessage() for r in caplog.records] == ["object denied GET /streamers/7 to None"]


def test_failed_login_is_audited_without_the_password(client: FlaskClient) -> None:
    user = make_user(Role.HR)
    db.session.commit()
    client.post("/login", data={"username": user.username, "password": "Wrong-Guess-Horse-3"})
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "auth.login_failed")
    ).one()
    assert entry.actor_name == "anonymous"
    assert entry.entity_id == str(user.id)
    assert entry.summary == message("Failed login for %(username)s.", username=user.username)
    assert entry.ip == "127.0.0.1"
    assert "Wrong-Guess-Horse-3" not in f"{entry.summary} {entry.changes}"


def test_logs_hold_no_passwords_or_cookies(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    user = make_user(Role.TRAINER)
    db.session.commit()
    wrong = "Wrong-Guess-Horse-3"
    with caplog.at_level(logging.DEBUG):
        client.post("/login", data={"username": user.username, "password": wrong})
        login(client, user.username)
        client.get("/accounts")  # 403, logged
        cookie = session_cookie(client)
        client.post("/logout")
    assert cookie
    assert f"denied GET /accounts to {user.id}" in caplog.text
    for secret in (wrong, TEST_PASSWORD, cookie):
        assert secret not in caplog.text
