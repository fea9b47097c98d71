"""Locale and time-zone selection, and formatting helpers for money and instants."""

from __future__ import annotations

from flask import current_app, request, session
from flask_login import current_user

SESSION_LOCALE_KEY = "locale"


def select_locale() -> str:
    """The user's saved choice, then this browser's choice, then the browser's languages."""
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return str(current_user.locale)
    chosen = session.get(SESSION_LOCALE_KEY)
    if chosen in languages:
        return str(chosen)
    best = request.accept_languages.best_match(["zh_CN", "zh", "en"])
    if best == "en":
        return "en"
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def select_timezone() -> str:
    return str(current_app.config["ORG_TIMEZONE"])
