"""Language choice (per user, per browser, Accept-Language, default Chinese) and locale formats.

The page's `<html lang>` shows the locale chosen for the request, so these tests hold before and
after the translation catalogs are compiled.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from babel import Locale
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale

from hrapp.auth.models import Role
from hrapp.extensions import db
from hrapp.web import localdate_filter, localtime_filter, money_filter
from tests.conftest import login
from tests.factories import make_user

TRANSLATIONS = Path(__file__).resolve().parents[3] / "hrapp" / "translations"
_LANG = re.compile(r'<html lang="([^"]+)">')


def page_language(client: FlaskClient, headers: dict[str, str] | None = None) -> str:
    """The language of a page (the 404 page: it renders for everyone, logged in or not)."""
    page = client.get("/no-such-page", headers=headers or {})
    match = _LANG.search(page.get_data(as_text=True))
    assert match
    return match.group(1)


def test_chinese_is_the_default(client: FlaskClient) -> None:
    assert page_language(client) == "zh-CN"
    assert page_language(client, {"Accept-Language": "fr-FR, de;q=0.8"}) == "zh-CN"


@pytest.mark.parametrize("accept", ["en", "en-US,en;q=0.9", "en-GB, zh;q=0.1"])
def test_accept_language_picks_english_when_asked(client: FlaskClient, accept: str) -> None:
    assert page_language(client, {"Accept-Language": accept}) == "en"


def test_chinese_browsers_get_chinese(client: FlaskClient) -> None:
    assert page_language(client, {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}) == "zh-CN"


def test_the_switch_offers_the_other_language(client: FlaskClient) -> None:
    chinese = client.get("/login").get_data(as_text=True)
    assert 'action="/language/en"' in chinese
    client.post("/language/en")
    english = client.get("/login").get_data(as_text=True)
    assert 'action="/language/zh_CN"' in english


def test_an_anonymous_browser_remembers_its_choice(app: Flask, client: FlaskClient) -> None:
    client.post("/language/en")
    assert page_language(client) == "en"
    assert page_language(app.test_client()) == "zh-CN"  # another browser
    client.post("/language/zh_CN")
    assert page_language(client, {"Accept-Language": "en"}) == "zh-CN"  # choice beats header


def test_a_user_choice_is_stored_and_survives_logout_and_login(
    app: Flask, client: FlaskClient
) -> None:
    user = make_user(Role.HR)
    db.session.commit()
    login(client, user.username)
    client.post("/language/en")
    assert user.locale == "en"
    client.post("/logout")
    elsewhere = app.test_client()  # a new browser, which asks for Chinese
    elsewhere.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    login(elsewhere, user.username)
    assert page_language(elsewhere) == "en"


def test_the_browser_keeps_its_language_after_logout(client: FlaskClient) -> None:
    user = make_user(Role.HR)
    db.session.commit()
    login(client, user.username)
    client.post("/language/en")
    client.post("/logout")
    assert page_language(client) == "en"


@pytest.mark.parametrize(
    ("locale", "fen", "expected"),
    [
        ("zh_CN", 123_450, "¥1,234.50"),
        ("zh_CN", 0, "¥0.00"),
        ("zh_CN", -5, "-¥0.05"),
        ("en", 123_450, "¥1,234.50"),
        ("en", 100_000_000, "¥1,000,000.00"),
    ],
)
def test_money_is_yuan_with_two_decimals(app: Flask, locale: str, fen: int, expected: str) -> None:
    with app.test_request_context(), force_locale(locale):
        assert money_filter(fen) == expected
    with app.test_request_context():
        assert money_filter(None) == "—"


def test_dates_and_times_follow_the_locale_and_the_org_zone(app: Flask) -> None:
    instant = dt.datetime(2026, 8, 1, 16, 30, tzinfo=dt.UTC)  # 00:30 on 2 August in Shanghai
    with app.test_request_context():
        with force_locale("en"):
            assert localdate_filter(dt.date(2026, 8, 2)) == "2 Aug 2026"
            assert localtime_filter(instant, "yyyy-MM-dd HH:mm") == "2026-08-02 00:30"
        with force_locale("zh_CN"):
            assert localdate_filter(dt.date(2026, 8, 2)) == "2026年8月2日"


def test_dates_kept_as_iso_text_are_shown_like_every_other_date(app: Flask) -> None:
    """A stored appraisal explanation keeps its dates as text; pages show them localised."""
    with app.test_request_context():
        with force_locale("zh_CN"):
            assert localdate_filter("2026-08-02") == "2026年8月2日"
        with force_locale("en"):
            assert localdate_filter("2026-08-02") == "2 Aug 2026"
        assert localdate_filter("") == "—"


def test_catalogs_are_where_babel_looks_for_them() -> None:
    """Babel reads "zh_CN" as zh_Hans_CN and looks for that folder (then "zh"), never
    for "zh_CN": a catalog in translations/zh_CN would silently leave the site in English."""
    if not TRANSLATIONS.exists():
        return  # no catalogs yet: the pages show the English source text
    for language in ("zh_CN",):
        babel_names = {str(Locale.parse(language)), Locale.parse(language).language}
        present = {p.name for p in TRANSLATIONS.iterdir() if p.is_dir()}
        assert babel_names & present, (
            f"translations for {language} must be in one of {sorted(babel_names)} "
            f"under {TRANSLATIONS}, found {sorted(present)}"
        )
