"""Locale and time-zone selection, and formatting helpers for money and instants."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import format_date, get_locale, get_translations
from flask_login import current_user

SESSION_LOCALE_KEY = "locale"
_BY_PRIMARY_TAG = {"zh": "zh_CN", "en": "en"}


def select_locale() -> str:
    """Chinese unless the reader chose English.

    Logged in: the language saved on the account (the header's switch saves it), else the
    default, Chinese, whatever the browser asks for. Before login (the login page, error
    pages): this browser's choice with the switch, then the browser's Accept-Language.
    """
    languages = current_app.config["LANGUAGES"]
    default = str(current_app.config["BABEL_DEFAULT_LOCALE"])
    if not has_request_context():  # CLI commands and background jobs: the default language
        return default
    if current_user and current_user.is_authenticated:
        return str(current_user.locale) if current_user.locale in languages else default
    chosen = session.get(SESSION_LOCALE_KEY)
    if chosen in languages:
        return str(chosen)
    return _from_accept_language() or default


def _from_accept_language() -> str | None:
    """The browser's most wanted language we have, by quality (any Chinese → zh_CN).

    Werkzeug's `best_match` prefers an exact match, however little wanted, to a regional
    variant of a language we have: "en-GB, zh;q=0.1" would come out Chinese.
    """
    ranked = sorted(request.accept_languages, key=lambda item: item[1], reverse=True)
    for tag, quality in ranked:
        primary = tag.replace("_", "-").split("-")[0].lower()
        if quality > 0 and primary in _BY_PRIMARY_TAG:
            return _BY_PRIMARY_TAG[primary]
    return None


def install_template_gettext(app: Flask) -> None:
    """Templates translate through each language's catalogue found by the language's name.

    Flask-Babel's own template functions look the catalogue up anew for every string (its
    context three times over, then the language): a third of the CPU of rendering the page
    frame every page shares. The catalogue is the one Flask-Babel gives (it keeps each for the
    life of the process too); the language is asked for every string, so that `force_locale`
    and a language changed during a request still apply.
    """
    catalogues: dict[str, Any] = {}

    def catalogue() -> Any:
        locale = get_locale()
        if locale is None:  # outside any application context: Flask-Babel's empty catalogue
            return get_translations()
        name = str(locale)
        found = catalogues.get(name)
        if found is None:
            found = catalogues[name] = get_translations()
        return found

    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: catalogue().ugettext(s),
        ngettext=lambda s, p, n: catalogue().ungettext(s, p, n),
        pgettext=lambda c, s: catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: catalogue().unpgettext(c, s, p, n),
        newstyle=True,
    )


def select_timezone() -> str:
    return str(current_app.config["ORG_TIMEZONE"])


def localized(zh: str, en: str) -> str:
    """Of a name kept in both languages (a module's, a scheme level's), the one the reader
    reads."""
    return zh if str(get_locale()).startswith("zh") else en


# Named formats by language. English is day month year with a 24-hour clock ("7 Dec 2026
# 16:27"): the organisation works in China, and the US "12/7/26, 4:27 AM" reads as July to
# half the readers. A pattern such as "yyyy-MM-dd HH:mm:ss" is used as given.
DATE_FORMATS = {
    "zh": {
        "short": "y年M月d日",
        "medium": "y年M月d日",
        "long": "y年M月d日",
        "full": "y年M月d日 EEEE",
    },
    "en": {"short": "d MMM y", "medium": "d MMM y", "long": "d MMMM y", "full": "EEEE d MMMM y"},
}
TIME_FORMAT = "HH:mm"


def date_pattern(fmt: str) -> str:
    language = "zh" if str(get_locale()).startswith("zh") else "en"
    return DATE_FORMATS[language].get(fmt, fmt)


def format_day(day: Any, fmt: str = "medium") -> str:
    """A date in the reader's format; a date kept as ISO text (a stored explanation or
    message) too."""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day) if day else None
    return "—" if day is None else format_date(day, date_pattern(fmt))
