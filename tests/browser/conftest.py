"""Fixtures of the browser journeys: a live server with the demo agency, Chromium, a page.

What runs where:

- `live_server` (package-scoped, like `demo` and `browser`: all three go away when the last
  journey has run, before the rest of the suite): the real app, `create_app("testing")` with
  CSRF on, served by werkzeug on 127.0.0.1 and a free port from a background thread. Its
  database is its own: a SQLite file in a temporary folder, or, when TEST_DATABASE_URL is set
  (the PostgreSQL run), a sibling database `<name>_browser` created for the journeys and
  dropped afterwards. The `app` fixture of tests/conftest.py and its per-test cleaning are
  never involved.
- `demo` (package): the demo agency of `hrapp demo load`, as of today, loaded once.
  Journeys share it: a journey that changes data uses names of its own (see `unique`).
- `browser` (package): Debian's Chromium through Playwright, headless, no download.
- `page` (per test): a fresh browser context (no cookies) in the test's `locale`, zh-CN
  unless the test parametrizes `locale`; uncaught JavaScript errors and 5xx answers fail the
  test, and a failing test keeps a screenshot and the page's HTML (the path is printed).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect, sync_playwright
from werkzeug.serving import BaseWSGIServer, make_server

from tests.demo_agency import DemoAgency, load_demo_agency, own_database

CHROMIUM_CANDIDATES = (
    "/usr/bin/chromium",
    "/usr/lib/chromium/chromium",
    "/usr/bin/chromium-browser",
)
ARTIFACTS = Path(
    os.environ.get("HRAPP_BROWSER_ARTIFACTS")
    or Path(tempfile.gettempdir()) / "hrapp-browser-failures"
)


def chromium_path() -> str | None:
    """$HRAPP_CHROMIUM, else Debian's chromium on its usual paths or on $PATH."""
    explicit = os.environ.get("HRAPP_CHROMIUM")
    if explicit:
        return explicit
    for candidate in CHROMIUM_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium")


@dataclass(frozen=True)
class LiveServer:
    url: str
    app: Flask


# --- the server -----------------------------------------------------------------------------


@pytest.fixture(scope="package")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from hrapp import create_app
    from hrapp.extensions import db

    tmp = tmp_path_factory.mktemp("browser")
    os.environ.setdefault("HUEY_SQLITE_PATH", str(tmp / "huey.sqlite"))
    url, drop_database = own_database(tmp, "browser")
    # Testing config (jobs run at once, in the request that submits them), but with CSRF
    # protection on: the browser submits the real forms, tokens and all.
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=url,
        WTF_CSRF_ENABLED=True,
        UPLOAD_DIR=str(tmp / "uploads"),
        SHEETS_DIR=str(tmp / "sheets"),  # not instance/: another test process may print there
    )
    with app.app_context():
        db.create_all()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="hrapp-live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop_database()


@pytest.fixture(scope="package")
def demo(live_server: LiveServer) -> DemoAgency:
    """The demo agency as `hrapp demo load` makes it (as of today), loaded once for all journeys."""
    return load_demo_agency(live_server.app)


# --- the browser ----------------------------------------------------------------------------


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    path = chromium_path()
    if path is None:
        message = (
            "Chromium not found: run `bash scripts/system-packages.sh chromium` as root "
            "(Debian package `chromium`) or set HRAPP_CHROMIUM to its path"
        )
        if os.environ.get("HRAPP_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        # --no-sandbox: the suite runs as root in CI, where Chromium's sandbox refuses to start.
        chromium = playwright.chromium.launch(
            executable_path=path, headless=True, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def locale() -> str:
    """The browser's language; journeys in English parametrize it (see BOTH_LANGUAGES)."""
    return "zh-CN"


@pytest.fixture
def page(
    browser: Browser,
    live_server: LiveServer,
    demo: DemoAgency,
    locale: str,
    request: pytest.FixtureRequest,
) -> Iterator[Page]:
    expect.set_options(timeout=10_000)
    context = browser.new_context(
        base_url=live_server.url,
        locale=locale,
        timezone_id="Asia/Shanghai",
        accept_downloads=True,
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"JavaScript error: {exc}"))
    page.on(
        "response",
        lambda r: (
            problems.append(f"{r.status} from {r.request.method} {r.url}")
            if r.status >= 500
            else None
        ),
    )
    request.node.stash[PAGE_KEY] = page
    try:
        yield page
    finally:
        context.close()
    assert not problems, "the browser saw broken pages:\n" + "\n".join(problems)


# --- a screenshot when a journey fails ------------------------------------------------------

PAGE_KEY = pytest.StashKey[Page]()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    page = item.stash.get(PAGE_KEY, None)
    if report.when != "call" or not report.failed or page is None:
        return
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = ARTIFACTS / (
        re.sub(r"[^\w.-]+", "_", item.nodeid)[-150:] + dt.datetime.now().strftime("-%H%M%S")
    )
    try:
        page.screenshot(path=f"{stem}.png", full_page=True)
        Path(f"{stem}.html").write_text(page.content(), encoding="utf-8")
        saved = f"screenshot {stem}.png and HTML {stem}.html (page {page.url})"
    except Exception as exc:  # a crashed page must not hide the test's own failure
        saved = f"no screenshot: {exc}"
    report.sections.append(("browser", saved))
    terminal = item.config.pluginmanager.get_plugin("terminalreporter")
    if terminal is not None:
        terminal.write_line(f"\n[browser] {item.nodeid}: {saved}")
