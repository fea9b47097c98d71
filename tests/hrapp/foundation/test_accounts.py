"""Accounts: login and logout, password storage and policy, throttling, redirects, sessions."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from urllib.parse import quote

import pytest
import time_machine
from click.testing import Result
from flask import Flask, request
from flask.testing import FlaskClient
from werkzeug.security import check_password_hash

from hrapp.auth import services
from hrapp.auth.models import Role, User
from hrapp.core.errors import ValidationFailed
from hrapp.extensions import db
from tests.conftest import login
from tests.factories import TEST_PASSWORD, make_streamer, make_user
from tests.hrapp.foundation.conftest import session_cookie

pytestmark = pytest.mark.usefixtures("english")  # the messages checked are the English texts

WRONG_PASSWORD = "Not-The-Password-1"
_CSRF_VALUE = re.compile(r'(?<=name="csrf_token" value=")[^"]+')
_FLASH = re.compile(r'<div class="flash[^"]*"[^>]*>(.*?)</div>', re.S)


def _post_login(client: FlaskClient, username: str, password: str) -> tuple[int, str]:
    response = client.post("/login", data={"username": username, "password": password})
    return response.status_code, response.get_data(as_text=True)


def _is_logged_in(client: FlaskClient) -> bool:
    return client.get("/account/password").status_code == 200


def test_login_then_logout(client: FlaskClient) -> None:
    user = make_user(Role.HR)
    db.session.commit()
    assert not _is_logged_in(client)
    login(client, user.username)
    assert _is_logged_in(client)
    response = client.post("/logout")
    assert response.status_code == 302
    assert response.location == "/login"
    assert not _is_logged_in(client)


def test_passwords_are_stored_as_hashes_of_the_configured_method(app: Flask) -> None:
    """scrypt in production (test_password_hash.py proves it), a fast method in the tests."""
    user = make_user(Role.HR)
    assert user.password_hash.startswith(app.config["PASSWORD_HASH_METHOD"] + "$")
    assert TEST_PASSWORD not in user.password_hash
    assert check_password_hash(user.password_hash, TEST_PASSWORD)


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Sh0rt-x", "at least 8 characters"),
        ("password123", "too common"),
        ("Qwerty123", "too common"),
        ("Kaiwen-Li-88", "differ from the username"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(app: Flask, password: str, reason: str) -> None:
    with pytest.raises(ValidationFailed, match=reason):
        services.create_user("kaiwen-li-88", password, [Role.HR])
    assert services.get_user_by_name("kaiwen-li-88") is None


def test_a_long_uncommon_password_is_accepted(app: Flask) -> None:
    assert services.password_problems("Morning-Tea-At-Nine", "kaiwen") == []


def test_unknown_user_and_wrong_password_get_the_same_answer(client: FlaskClient) -> None:
    make_user(Role.HR, username="known-person")
    inactive = make_user(Role.HR, username="gone-person")
    inactive.active = False
    db.session.commit()
    answers = {
        name: _post_login(client, name, password)
        for name, password in [
            ("known-person", WRONG_PASSWORD),
            ("nobody-person", WRONG_PASSWORD),
            ("gone-person", TEST_PASSWORD),
        ]
    }
    # The form repeats the typed username and the CSRF token is time-stamped; apart from that
    # the pages must be identical.
    anonymised = {
        (status, _CSRF_VALUE.sub("TOKEN", body.replace(name, "NAME")))
        for name, (status, body) in answers.items()
    }
    assert len(anonymised) == 1
    status, body = anonymised.pop()
    assert status == 200
    assert _FLASH.findall(body) == ["Wrong username or password."]
    assert not _is_logged_in(client)


def test_five_failures_lock_the_account_even_for_the_right_password(client: FlaskClient) -> None:
    user = make_user(Role.HR)
    other = make_user(Role.HR)
    db.session.commit()
    for _ in range(5):
        assert _post_login(client, user.username, WRONG_PASSWORD)[0] == 200
    status, body = _post_login(client, user.username, TEST_PASSWORD)
    assert status == 429
    assert "Too many failed attempts" in body
    assert not _is_logged_in(client)
    login(client, other.username)  # the lock is per account: others still get in


def test_the_account_lock_lifts_after_the_window(app: Flask, client: FlaskClient) -> None:
    user = make_user(Role.HR)
    db.session.commit()
    for _ in range(5):
        _post_login(client, user.username, WRONG_PASSWORD)
    window = app.config["LOGIN_THROTTLE_WINDOW_SECONDS"]
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=window + 60)
    with time_machine.travel(later, tick=False):
        login(client, user.username)


@pytest.mark.parametrize("made_up_forwarding", [False, True], ids=["plain", "x-forwarded-for"])
def test_twenty_failures_from_one_address_lock_that_address(
    app: Flask, made_up_forwarding: bool
) -> None:
    assert app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] == 20
    assert app.config["TRUSTED_PROXIES"] == 0  # so a forwarded address is believed from nobody
    user = make_user(Role.HR)
    db.session.commit()
    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    for n in range(20):  # different accounts each time, so no account lock applies
        if made_up_forwarding:  # a new address claimed each time: still one to the throttle
            attacker.environ_base["HTTP_X_FORWARDED_FOR"] = f"192.0.2.{n}"
        assert _post_login(attacker, f"guess{n}", WRONG_PASSWORD)[0] == 200
    assert _post_login(attacker, user.username, TEST_PASSWORD)[0] == 429
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    login(elsewhere, user.username)


def test_behind_a_trusted_proxy_the_client_address_and_scheme_are_the_forwarded_ones(
    make_app: Callable[..., Flask],
) -> None:
    proxied = make_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://", TRUSTED_PROXIES=1)
    proxied.add_url_rule("/probe", "probe", lambda: f"{request.remote_addr} {request.scheme}")

    answer = proxied.test_client().get(
        "/probe",
        environ_base={"REMOTE_ADDR": "10.0.0.2"},
        headers={"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https"},
    )

    assert answer.get_data(as_text=True) == "198.51.100.7 https"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        " //evil.example",
        "/\t/evil.example",
        "https:evil.example",
        "javascript:alert(1)",
        "evil.example",
        "/audit/\r\nSet-Cookie: a=b",
    ],
)
def test_next_outside_the_site_goes_home(client: FlaskClient, target: str) -> None:
    user = make_user(Role.HR)
    db.session.commit()
    response = client.post(
        f"/login?next={quote(target)}",
        data={"username": user.username, "password": TEST_PASSWORD},
    )
    assert response.status_code == 302
    assert response.location == "/dashboard"


def test_next_inside_the_site_is_followed(client: FlaskClient) -> None:
    user = make_user(Role.HR)
    db.session.commit()
    response = client.post(
        "/login?next=/audit/%3Faction%3Duser.",
        data={"username": user.username, "password": TEST_PASSWORD},
    )
    assert response.location == "/audit/?action=user."


def test_language_switch_does_not_redirect_outside(client: FlaskClient) -> None:
    response = client.post("/language/en", data={"next": "//evil.example/x"})
    assert response.location == "/"


def test_a_copied_cookie_stops_working_at_logout(app: Flask, client: FlaskClient) -> None:
    user = make_user(Role.HR)
    db.session.commit()
    login(client, user.username)
    thief = app.test_client()
    thief.set_cookie("session", session_cookie(client) or "")
    assert _is_logged_in(thief)
    client.post("/logout")
    assert not _is_logged_in(thief)


def test_password_change_ends_other_sessions_but_keeps_this_one(
    app: Flask, login_as: Callable[[User], FlaskClient]
) -> None:
    user = make_user(Role.HR)
    db.session.commit()
    here, elsewhere = login_as(user), login_as(user)
    response = here.post(
        "/account/password",
        data={
            "current_password": TEST_PASSWORD,
            "new_password": "Fresh-Spring-Rain-42",
            "confirm": "Fresh-Spring-Rain-42",
        },
    )
    assert response.status_code == 302
    assert _is_logged_in(here)
    assert not _is_logged_in(elsewhere)
    login(app.test_client(), user.username, "Fresh-Spring-Rain-42")


def test_deactivation_logs_the_user_out(login_as: Callable[[User], FlaskClient]) -> None:
    admin = make_user(Role.ADMIN)
    user = make_user(Role.TRAINER)
    db.session.commit()
    user_client = login_as(user)
    response = login_as(admin).post(
        f"/accounts/{user.id}",
        data={"username": user.username, "roles": ["trainer"], "display_name": ""},
    )
    assert response.status_code == 302
    assert not _is_logged_in(user_client)
    assert _post_login(user_client, user.username, TEST_PASSWORD)[0] == 200  # refused


def test_the_session_cookie_changes_at_login(client: FlaskClient) -> None:
    user = make_user(Role.HR)
    db.session.commit()
    client.post("/language/en")  # an anonymous session exists before login
    before = session_cookie(client)
    assert before
    login(client, user.username)
    assert session_cookie(client) not in (None, before)
    anonymous_again = client.application.test_client()
    anonymous_again.set_cookie("session", before)
    assert not _is_logged_in(anonymous_again)


def _session_set_cookie(response_headers: list[str]) -> str:
    return next(h for h in response_headers if h.startswith("session="))


def test_session_cookie_is_httponly_and_samesite_lax(client: FlaskClient) -> None:
    user = make_user(Role.HR)
    db.session.commit()
    response = client.post("/login", data={"username": user.username, "password": TEST_PASSWORD})
    cookie = _session_set_cookie(response.headers.getlist("Set-Cookie"))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http in development and tests


def test_session_cookie_is_secure_in_production(make_app: Callable[..., Flask]) -> None:
    production = make_app(
        "production",
        SECRET_KEY="a-long-random-production-secret",
        SQLALCHEMY_DATABASE_URI="sqlite://",
    )
    response = production.test_client().get("/login")  # the CSRF token starts a session
    cookie = _session_set_cookie(response.headers.getlist("Set-Cookie"))
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


class TestUsersCommand:
    """`hrapp users create` reads the password from stdin and uses the same rules."""

    def _create(self, app: Flask, *args: str, password: str = "Lantern-Harbor-19") -> Result:
        return app.test_cli_runner().invoke(args=["users", "create", *args], input=password + "\n")

    def test_creates_a_user_with_every_role_given(self, app: Flask) -> None:
        streamer = make_streamer(employee_no="E4242")
        result = self._create(
            app, "mei", "--role", "streamer", "--role", "trainer", "--streamer", "E4242"
        )
        assert result.exit_code == 0, result.output
        user = services.get_user_by_name("mei")
        assert user is not None
        assert user.roles == {Role.STREAMER, Role.TRAINER}
        assert user.streamer_id == streamer.id
        assert check_password_hash(user.password_hash, "Lantern-Harbor-19")

    def test_a_streamer_login_needs_a_streamer(self, app: Flask) -> None:
        result = self._create(app, "mei", "--role", "streamer")
        assert result.exit_code != 0
        assert "must be linked to a streamer" in result.output
        assert services.get_user_by_name("mei") is None

    def test_a_weak_password_is_refused(self, app: Flask) -> None:
        result = self._create(app, "mei", "--role", "hr", password="qwerty123")
        assert result.exit_code != 0
        assert "too common" in result.output
        assert services.get_user_by_name("mei") is None
