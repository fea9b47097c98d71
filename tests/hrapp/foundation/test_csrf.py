"""CSRF: every state-changing request needs the form's token (protection on, as in production)."""

from __future__ import annotations

from flask import Flask

from hrapp.auth.models import Role
from hrapp.extensions import db
from tests.factories import TEST_PASSWORD, make_user
from tests.hrapp.foundation.conftest import csrf_token

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def test_login_without_token_is_refused(csrf_app: Flask) -> None:
    user = make_user(Role.HR)
    db.session.commit()
    client = csrf_app.test_client()
    response = client.post("/login", data={"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)
    assert client.get("/account/password").status_code == 302  # not logged in


def test_login_with_token_works(csrf_app: Flask) -> None:
    user = make_user(Role.HR)
    db.session.commit()
    client = csrf_app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"username": user.username, "password": TEST_PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    assert client.get("/account/password").status_code == 200


def test_logout_without_token_is_refused(csrf_app: Flask) -> None:
    user = make_user(Role.HR)
    db.session.commit()
    client = csrf_app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    client.post(
        "/login", data={"username": user.username, "password": TEST_PASSWORD, "csrf_token": token}
    )
    assert client.post("/logout").status_code == 400
    page = client.get("/account/password")
    assert page.status_code == 200  # still logged in
    assert client.post("/logout", data={"csrf_token": csrf_token(page.text)}).status_code == 302
    assert client.get("/account/password").status_code == 302


def test_every_state_changing_endpoint_needs_a_token(csrf_app: Flask) -> None:
    """Walks the URL map, so an endpoint added later (or exempted by mistake) is checked too.

    The check runs before the view, so any id in the URL will do.
    """
    adapter = csrf_app.url_map.bind("localhost")
    client = csrf_app.test_client()
    unprotected = []
    for rule in csrf_app.url_map.iter_rules():
        url = adapter.build(rule.endpoint, dict.fromkeys(rule.arguments, 1))
        for method in sorted(UNSAFE_METHODS & (rule.methods or set())):
            status = client.open(url, method=method, data={"note": "x"}).status_code
            if status != 400:
                unprotected.append(f"{method} {url} ({rule.endpoint}): {status}")
    assert not unprotected, "accepted without a CSRF token:\n" + "\n".join(unprotected)
