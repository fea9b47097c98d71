"""Helpers for the foundation tests: extra applications, CSRF tokens, cookies."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from hrapp import create_app

_CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = _CSRF_FIELD.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def session_cookie(client: FlaskClient) -> str | None:
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


@pytest.fixture
def make_app() -> Callable[..., Flask]:
    """Build another application (own config, own job queue)."""

    def make(config: str = "testing", **overrides: Any) -> Flask:
        return create_app(config, **overrides)

    return make


@pytest.fixture
def csrf_app(app: Flask) -> Iterator[Flask]:
    """The shared app with CSRF protection on, as in production (checked at request time)."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False
