"""What every page shares: security headers, caching rules, size limit and friendly error pages."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from hrapp.auth.models import Role, User
from hrapp.extensions import db
from tests.conftest import login
from tests.factories import make_user

ENGLISH = {"Accept-Language": "en"}


def _assert_security_headers(headers: dict[str, str]) -> None:
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("url", ["/login", "/no-such-page", "/static/css/app.css", "/healthz"])
def test_security_headers_on_every_response(client: FlaskClient, url: str) -> None:
    with client.get(url) as response:  # closes the static file
        _assert_security_headers(dict(response.headers))


def test_pages_of_logged_in_users_are_not_stored(
    login_as: Callable[[User], FlaskClient],
) -> None:
    client = login_as(make_user(Role.HR))
    for url in ("/dashboard", "/audit/", "/accounts", "/no-such-page"):
        response = client.get(url)
        _assert_security_headers(dict(response.headers))
        assert response.headers["Cache-Control"] == "no-store", url


def test_too_large_a_post_gets_the_friendly_413(app: Flask, client: FlaskClient) -> None:
    too_big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/login", data={"username": too_big, "password": "x"}, headers=ENGLISH)
    assert response.status_code == 413
    assert "The file is too large" in response.get_data(as_text=True)


def test_404_page_is_friendly(client: FlaskClient) -> None:
    response = client.get("/no-such-page", headers=ENGLISH)
    assert response.status_code == 404
    assert "This page does not exist" in response.get_data(as_text=True)


def test_403_page_is_friendly(login_as: Callable[[User], FlaskClient]) -> None:
    trainer = make_user(Role.TRAINER)
    trainer.locale = "en"  # after login the account's language counts, not the browser's
    db.session.commit()
    response = login_as(trainer).get("/accounts")
    assert response.status_code == 403
    assert "Your role does not give access" in response.get_data(as_text=True)


def test_500_page_shows_no_traceback_and_the_error_is_logged(
    make_app: Callable[..., Flask], caplog: pytest.LogCaptureFixture
) -> None:
    broken = make_app("testing", PROPAGATE_EXCEPTIONS=False, SQLALCHEMY_DATABASE_URI="sqlite://")

    @broken.get("/boom")
    def boom() -> str:
        raise RuntimeError("internal detail: ledger row 42 is corrupt")

    with caplog.at_level(logging.ERROR):
        response = broken.test_client().get("/boom", headers=ENGLISH)
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in body
    assert "Traceback" not in body
    assert "ledger row 42" not in body
    _assert_security_headers(dict(response.headers))
    assert "ledger row 42" in caplog.text  # the operator still gets the details


def test_500_page_renders_after_a_failed_database_write(make_app: Callable[..., Flask]) -> None:
    """The error page itself needs the database (the logged-in user), so the failed
    transaction must not take the page down with it."""
    broken = make_app("testing", PROPAGATE_EXCEPTIONS=False, SQLALCHEMY_DATABASE_URI="sqlite://")

    @broken.get("/duplicate")
    def duplicate() -> str:
        db.session.add_all([User(username="twin", password_hash="-") for _ in range(2)])
        db.session.flush()
        return "unreachable"

    with broken.app_context():
        db.create_all()
        make_user(Role.HR, username="hr-on-duty").locale = "en"
        db.session.commit()
    client = broken.test_client()
    login(client, "hr-on-duty")
    response = client.get("/duplicate")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in body
    assert "hr-on-duty" in body  # the page still knows who is logged in
    assert response.headers["Cache-Control"] == "no-store"
