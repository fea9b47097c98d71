"""Strict-Transport-Security in production, on requests that came over HTTPS (directly or
through a trusted proxy that says so); never in development, where there is no certificate."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

GOOD_SECRET = "a-long-random-production-secret"
HTTPS_PROXY = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}


def _production(make_app: Callable[..., Flask], **overrides: object) -> Flask:
    return make_app(
        "production", SECRET_KEY=GOOD_SECRET, SQLALCHEMY_DATABASE_URI="sqlite://", **overrides
    )


def test_production_behind_an_https_proxy_sends_hsts(make_app: Callable[..., Flask]) -> None:
    production = _production(make_app, TRUSTED_PROXIES=1)
    response = production.test_client().get("/login", headers=HTTPS_PROXY)
    hsts = response.headers["Strict-Transport-Security"]
    assert "max-age=31536000" in hsts
    assert "includeSubDomains" in hsts


def test_production_over_https_sends_hsts(make_app: Callable[..., Flask]) -> None:
    production = _production(make_app)
    response = production.test_client().get("/login", base_url="https://hr.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_hsts_also_on_error_pages_and_static_files(make_app: Callable[..., Flask]) -> None:
    client = _production(make_app).test_client()
    for url in ("/no-such-page", "/static/css/app.css"):
        with client.get(url, base_url="https://hr.example") as response:
            assert "Strict-Transport-Security" in response.headers, url


def test_plain_http_gets_no_hsts(make_app: Callable[..., Flask]) -> None:
    """Browsers ignore the header over HTTP; sending it there would only mislead a reader."""
    production = _production(make_app, TRUSTED_PROXIES=1)
    response = production.test_client().get("/login", headers={"X-Forwarded-Proto": "http"})
    assert "Strict-Transport-Security" not in response.headers


def test_an_untrusted_proxy_header_does_not_count(make_app: Callable[..., Flask]) -> None:
    """Without TRUSTED_PROXIES, a client's own X-Forwarded-Proto is not believed."""
    production = _production(make_app)
    response = production.test_client().get("/login", headers=HTTPS_PROXY)
    assert "Strict-Transport-Security" not in response.headers


def test_development_and_tests_send_no_hsts(app: Flask) -> None:
    response = app.test_client().get("/login", base_url="https://hr.example")
    assert "Strict-Transport-Security" not in response.headers
