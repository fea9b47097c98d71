"""Short verbs for journeys: log in as a role, open a page, expect words, click, download.

Every function takes the Playwright `page`; the words a journey expects are given in both
languages (`zh=…, en=…`) and the page's own browser language picks one, so that one journey
body runs in Chinese and in English.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, Response, expect

# The demo agency and its logins, shared with the page reader (tests/page_text).
from tests.demo_agency import DEMO_PASSWORD as DEMO_PASSWORD
from tests.demo_agency import ROLE_USERNAMES as ROLE_USERNAMES
from tests.demo_agency import DemoAgency as DemoAgency

# Mark a journey with one of these to run it in English too, or only in English (the page
# fixture's browser asks for Chinese otherwise).
BOTH_LANGUAGES = pytest.mark.parametrize("locale", ["zh-CN", "en"])
ENGLISH = pytest.mark.parametrize("locale", ["en"])

_counter = itertools.count(1)


def unique(prefix: str) -> str:
    """A name no other journey of this run uses (the demo agency is shared)."""
    return f"{prefix}{dt.datetime.now():%H%M%S}{next(_counter)}"


def lang_of(page: Page) -> str:
    """'zh' or 'en': the language this page's browser asks for."""
    language = str(page.evaluate("navigator.language"))
    return "zh" if language.lower().startswith("zh") else "en"


def words(page: Page, zh: str, en: str) -> str:
    """Of the same words in both languages, those of this page's browser."""
    return zh if lang_of(page) == "zh" else en


def goto(page: Page, path: str, *, status: int = 200) -> Response:
    """Open a path of the app and check the answer's status (after redirects)."""
    response = page.goto(path)
    assert response is not None, f"no response for {path}"
    assert response.status == status, f"GET {path}: {response.status}, expected {status}"
    return response


def expect_heading(page: Page, *, zh: str, en: str) -> None:
    """The page's main heading (h1) contains these words."""
    expect(page.locator("h1").first).to_contain_text(words(page, zh, en))


def expect_text(page: Page, *, zh: str, en: str, within: str = "main") -> None:
    """The words appear on the page (in `within`, a CSS selector: the content by default)."""
    expect(page.locator(within).first).to_contain_text(words(page, zh, en))


def expect_no_text(page: Page, *texts: str, within: str = "body") -> None:
    """None of these strings is anywhere on the page (e.g. English source texts in Chinese)."""
    shown = page.locator(within).first.inner_text()
    leaked = [text for text in texts if text in shown]
    assert not leaked, f"{page.url} shows {leaked}"


def button(page: Page, *, zh: str, en: str) -> Locator:
    """The button labelled with these words (exactly)."""
    return page.get_by_role("button", name=words(page, zh, en), exact=True)


def link(page: Page, *, zh: str, en: str) -> Locator:
    """The link labelled with these words (exactly), in the page's content."""
    return page.locator("main").get_by_role("link", name=words(page, zh, en), exact=True)


def login_as(
    page: Page, role: str, *, username: str | None = None, password: str = DEMO_PASSWORD
) -> str:
    """Log in through the login form as the demo login of `role` (or `username`).

    Afterwards the pages speak the browser's language: if the account had saved the other
    one, the header's language switch is used (which saves this one).
    Returns the username.
    """
    username = username or ROLE_USERNAMES[role]
    goto(page, "/login")
    form = page.locator("form:has(input[name=password])")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    if re.search(r"/login(\?|$)", page.url):
        flashes = page.locator(".flash").all_inner_texts()
        raise AssertionError(f"login as {username} failed: {flashes or page.url}")
    expect(page.locator("form[action$='/logout']")).to_have_count(1)
    wanted = "zh-CN" if lang_of(page) == "zh" else "en"
    if page.locator("html").get_attribute("lang") != wanted:
        page.locator(".userbox form[action*='/language/'] button").click()
        expect(page.locator("html")).to_have_attribute("lang", wanted)
    return username


def logout(page: Page) -> None:
    page.locator("form[action$='/logout'] button").click()
    expect(page.locator("input[name=password]")).to_have_count(1)


def download(page: Page, start: Locator | Callable[[], object], into: Path) -> Path:
    """Click `start` (or call it) and save the file the browser downloads; its path."""
    with page.expect_download() as info:
        start() if callable(start) and not isinstance(start, Locator) else start.click()
    file = info.value
    failure = file.failure()
    assert failure is None, f"download of {file.url} failed: {failure}"
    into.mkdir(parents=True, exist_ok=True)
    path = into / file.suggested_filename
    file.save_as(path)
    return path


def finish_job(page: Page) -> None:
    """On a job page: its progress bar polls until the job is done; then follow its result."""
    expect(page).to_have_url(re.compile(r"/jobs/\d+$"))
    expect(page.locator("[data-progress-status]")).to_contain_text(
        words(page, "已完成。", "Finished."), timeout=60_000
    )
    link(page, zh="查看结果", en="See the result").click()
