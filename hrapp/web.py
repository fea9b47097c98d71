"""What every page shares: security headers, error pages, template filters and navigation."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, current_app, g, render_template, request
from flask_babel import format_datetime, format_decimal, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from hrapp.core import labels, messages
from hrapp.core.errors import DomainError
from hrapp.core.logs import init_request_logging
from hrapp.core.money import yuan_display
from hrapp.core.params import init_params
from hrapp.core.timeutil import to_org_time
from hrapp.extensions import db
from hrapp.i18n import (
    DATE_FORMATS,
    TIME_FORMAT,
    date_pattern,
    format_day,
    install_template_gettext,
    localized,
)

log = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def init_web(app: Flask) -> None:
    init_params(app)  # before the features add their `<int:…>` routes
    app.jinja_env.add_extension("jinja2.ext.do")
    install_template_gettext(app)  # after Flask-Babel's, which it replaces
    # First of all before-request functions: CSRF checks and the login run after it.
    app.before_request_funcs.setdefault(None, []).insert(0, _forget_previous_request)
    app.after_request(_security_headers)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(Exception, _unexpected_error)
    app.jinja_env.filters.update(
        money=money_filter,
        localtime=localtime_filter,
        localdate=localdate_filter,
        number=number_filter,
        percent=percent_filter,
        label=label_filter,
        message=messages.render,
    )
    app.jinja_env.globals["localized"] = localized
    app.jinja_env.globals["label_table"] = labels.table
    app.context_processor(_navigation)
    init_request_logging(app)


def _forget_previous_request() -> None:
    """Start each request without the user, CSRF token and locale cached by an earlier one.

    Flask-Login, Flask-WTF and Flask-Babel cache these on `g`, which lives as long as the app
    context. Requests that share a context (the test client inside `app.app_context()`) would
    otherwise get the first client's user, language, and a token missing from their session.
    """
    for name in ("_login_user", "_flask_babel", current_app.config["WTF_CSRF_FIELD_NAME"]):
        g.pop(name, None)


def _security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    # Only over HTTPS (behind a trusted proxy, as it says): browsers ignore it over HTTP.
    hsts_seconds = current_app.config.get("HSTS_SECONDS")
    if hsts_seconds and request.is_secure:
        headers.setdefault(
            "Strict-Transport-Security", f"max-age={int(hsts_seconds)}; includeSubDomains"
        )
    # Pay and personal data must not linger in shared browsers' caches.
    if not request.path.startswith("/static/") and current_user.is_authenticated:
        headers["Cache-Control"] = "no-store"
    return response


def _http_error(error: HTTPException) -> tuple[str, int]:
    code = error.code or 500
    return render_template("errors/error.html", code=code, error=error), code


def _domain_error(error: DomainError) -> tuple[str, int]:
    return render_template("errors/error.html", code=error.status_code, error=error), (
        error.status_code
    )


def _unexpected_error(error: Exception) -> tuple[str, int]:
    if isinstance(error, HTTPException):
        return _http_error(error)
    log.exception("unhandled error on %s %s", request.method, request.path)
    # Nothing of a crashed request is kept, and the error page (which loads the logged-in user)
    # needs a usable session: after a failed flush, or any error on PostgreSQL, the session
    # refuses every statement until rolled back.
    db.session.rollback()
    return render_template("errors/error.html", code=500, error=None), 500


def label_filter(code: Any, kind: str) -> str:
    return labels.label(kind, code)


def money_filter(fen: int | None) -> str:
    """Yuan with the ¥ sign in every language (Babel's English says "CN¥"), as sentences
    built in Python say it."""
    return yuan_display(fen)


def localtime_filter(instant: Any, fmt: str = "short") -> str:
    if instant is None:
        return "—"
    pattern = date_pattern(fmt)
    if fmt in DATE_FORMATS["en"]:
        pattern = f"{pattern} {TIME_FORMAT}"
    return format_datetime(to_org_time(instant), pattern)


def localdate_filter(day: Any, fmt: str = "medium") -> str:
    return format_day(day, fmt)


def number_filter(value: Any, digits: int = 0) -> str:
    if value is None:
        return "—"
    return format_decimal(
        round(value, digits), format=f"#,##0{'.' + '0' * digits if digits else ''}"
    )


def percent_filter(value: Any, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.{digits}f}%"


NAV_ITEMS: list[tuple[str, Any, tuple[str, ...]]] = [
    # (endpoint, label, roles that see it)
    ("main.dashboard", _l("Overview"), ("hr", "admin")),
    ("streamers.index", _l("Roster"), ("hr", "admin", "trainer")),
    ("live_sessions.index", _l("Imports"), ("hr", "admin")),
    ("training.index", _l("Training"), ("hr", "admin", "trainer")),
    ("appraisals.index", _l("Appraisals"), ("hr", "admin")),
    ("portal.index", _l("My scorecard"), ("streamer",)),
    ("training.me", _l("My training"), ("streamer",)),
    ("audit.index", _l("Audit log"), ("hr", "admin")),
    ("auth.users", _l("Accounts"), ("admin",)),
]


def _navigation() -> dict[str, Any]:
    items = []
    user = current_user._get_current_object()  # asked of every rendered template
    if user.is_authenticated:
        roles = {role.value for role in user.roles}
        installed = current_app.view_functions
        items = [
            (endpoint, label)
            for endpoint, label, allowed in NAV_ITEMS
            if endpoint in installed and not roles.isdisjoint(allowed)
        ]
    return {"nav_items": items, "get_locale": get_locale}
