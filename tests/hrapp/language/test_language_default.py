"""The language default: Chinese unless the user chose English.

Before login (the login page, error pages) a browser's choice with the header's switch counts,
then its Accept-Language. After login only the account's saved choice counts: a user who never
chose reads Chinese, whatever the browser asks for; the switch saves the choice on the account.

The page's `<html lang>` shows the locale chosen for the request.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from hrapp.auth.models import Role, User
from hrapp.extensions import db
from tests.conftest import login
from tests.factories import make_user

_LANG = re.compile(r'<html lang="([^"]+)">')
ENGLISH_BROWSER = "en-US,en;q=0.9"


def language_of(client: FlaskClient, path: str) -> str:
    page = client.get(path)
    match = _LANG.search(page.get_data(as_text=True))
    assert match, f"no <html lang> on {path} ({page.status_code})"
    return match.group(1)


def browser(app: Flask, accept_language: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = accept_language
    return client


@pytest.fixture
def hr(app: Flask) -> User:
    user = make_user(Role.HR)
    db.session.commit()
    return user


def test_before_login_the_browser_language_counts(app: Flask) -> None:
    assert language_of(browser(app, ENGLISH_BROWSER), "/login") == "en"
    assert language_of(browser(app, ENGLISH_BROWSER), "/no-such-page") == "en"
    assert language_of(browser(app, "zh-CN,zh;q=0.9"), "/login") == "zh-CN"
    assert language_of(app.test_client(), "/login") == "zh-CN"


def test_after_login_a_user_who_never_chose_reads_chinese(app: Flask, hr: User) -> None:
    client = browser(app, ENGLISH_BROWSER)
    assert language_of(client, "/login") == "en"
    login(client, hr.username)
    assert language_of(client, "/account/password") == "zh-CN"
    assert language_of(client, "/no-such-page") == "zh-CN"
    assert hr.locale is None  # nothing was chosen for the user


def test_a_saved_english_beats_a_chinese_browser(app: Flask, hr: User) -> None:
    hr.locale = "en"
    db.session.commit()
    client = browser(app, "zh-CN,zh;q=0.9")
    login(client, hr.username)
    assert language_of(client, "/account/password") == "en"


def test_a_saved_chinese_beats_an_english_browser(app: Flask, hr: User) -> None:
    hr.locale = "zh_CN"
    db.session.commit()
    client = browser(app, ENGLISH_BROWSER)
    login(client, hr.username)
    assert language_of(client, "/account/password") == "zh-CN"


def test_the_switch_after_login_saves_the_choice_on_the_account(app: Flask, hr: User) -> None:
    client = app.test_client()
    login(client, hr.username)
    assert language_of(client, "/account/password") == "zh-CN"
    response = client.post("/language/en", data={"next": "/"})
    assert response.status_code == 302
    assert hr.locale == "en"
    assert language_of(client, "/account/password") == "en"

    elsewhere = browser(app, "zh-CN")  # another browser, another day
    login(elsewhere, hr.username)
    assert language_of(elsewhere, "/account/password") == "en"

    client.post("/language/zh_CN")
    assert hr.locale == "zh_CN"
    assert language_of(browser(app, ENGLISH_BROWSER), "/login") == "en"  # before login
    again = browser(app, ENGLISH_BROWSER)
    login(again, hr.username)
    assert language_of(again, "/account/password") == "zh-CN"


def test_a_choice_on_the_login_page_is_not_the_account_s(app: Flask, hr: User) -> None:
    """The switch before login changes this browser's anonymous pages; the account, which
    saved nothing, stays Chinese (another person may have chosen on a shared computer)."""
    client = app.test_client()
    client.post("/language/en")
    assert language_of(client, "/login") == "en"
    login(client, hr.username)
    assert language_of(client, "/account/password") == "zh-CN"
    assert hr.locale is None
    client.post("/logout")
    assert language_of(client, "/login") == "en"  # the browser's own choice again


def test_an_unknown_saved_language_falls_back_to_chinese(app: Flask, hr: User) -> None:
    hr.locale = "fr"
    db.session.commit()
    client = browser(app, ENGLISH_BROWSER)
    login(client, hr.username)
    assert language_of(client, "/account/password") == "zh-CN"
