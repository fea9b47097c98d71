"""Fixtures shared by every database test: the app, a clean database per test, logins.

The database is SQLite in memory unless TEST_DATABASE_URL points elsewhere (`make test` runs
the suite a second time against a throwaway PostgreSQL cluster). `make test` runs the suite in
one process per core (pytest-xdist); on PostgreSQL each process works in a database of its own,
`<the shared one>_<worker>`, so their per-test cleaning never meets (see `pytest_configure`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from flask_login import user_logged_in
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from hrapp import create_app
from hrapp.extensions import db
from tests.factories import TEST_PASSWORD

DATA_DIR = Path(__file__).parent / "data"
DATABASE_VARIABLE = "TEST_DATABASE_URL"
# Packages whose tests share one expensive package-scoped fixture (the demo agency, a live
# server and Chromium): each runs whole in one worker, so it is built once, not once per worker.
KEPT_TOGETHER = ("browser", "page_text")


def pytest_configure(config: pytest.Config) -> None:
    """In an xdist worker on PostgreSQL: point TEST_DATABASE_URL at a fresh database of the
    worker's own, before any test module or app reads it."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    shared = os.environ.get(DATABASE_VARIABLE, "")
    if not worker or not shared.startswith("postgresql"):
        return
    url = make_url(shared)
    own = url.set(database=f"{url.database}_{worker}")
    _on_server(shared, f'DROP DATABASE IF EXISTS "{own.database}" WITH (FORCE)')
    _on_server(shared, f'CREATE DATABASE "{own.database}"')
    os.environ[DATABASE_VARIABLE] = own.render_as_string(hide_password=False)
    config.stash[_SHARED_DATABASE] = shared


def pytest_unconfigure(config: pytest.Config) -> None:
    shared = config.stash.get(_SHARED_DATABASE, None)
    if shared is None:
        return
    own = make_url(os.environ[DATABASE_VARIABLE]).database
    os.environ[DATABASE_VARIABLE] = shared
    _on_server(shared, f'DROP DATABASE IF EXISTS "{own}" WITH (FORCE)')


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under `--dist loadgroup`, the tests of each KEPT_TOGETHER package go to one worker."""
    tests = Path(__file__).parent
    for item in items:
        if not item.path.is_relative_to(tests):
            continue
        package = item.path.relative_to(tests).parts[0]
        if package in KEPT_TOGETHER:
            item.add_marker(pytest.mark.xdist_group(package))


_SHARED_DATABASE = pytest.StashKey[str]()


def _on_server(url: str, sql: str) -> None:
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            conn.exec_driver_sql(sql)
    finally:
        server.dispose()


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    os.environ.setdefault("HUEY_SQLITE_PATH", str(tmp_path_factory.mktemp("huey") / "q.sqlite"))
    app = create_app("testing")
    app.config["UPLOAD_DIR"] = str(tmp_path_factory.mktemp("uploads"))
    app.config["SHEETS_DIR"] = str(tmp_path_factory.mktemp("sheets"))
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_database(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every database test starts from empty tables (tests that use no app skip this)."""
    if "app" not in request.fixturenames:
        yield
        return
    app: Flask = request.getfixturevalue("app")
    with app.app_context():
        yield
        db.session.rollback()
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class EnglishBrowser(FlaskClient):
    """A test client whose browser asks for English: the login page and other anonymous pages
    are English (after login the account's saved language counts, see `english`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def english(app: Flask, _clean_database: None) -> Iterator[None]:
    """Run the test in English, for tests that check the English source texts.

    Without it, services and commands speak the default language (Chinese) outside a request,
    and so do pages for a browser that asks for no language. With it, the test's own context is
    English, every test client made during the test asks for English, and a user who logs in
    without a saved language has chosen English, as with the header's switch (pages after login
    follow the account's choice, never the browser's); a test that wants a user to read Chinese
    saves `user.locale = "zh_CN"` first.
    """

    def chose_english(_sender: Flask, user: Any, **_extra: Any) -> None:
        if user.locale is None:
            user.locale = "en"
            db.session.commit()

    browser, app.test_client_class = app.test_client_class, EnglishBrowser
    user_logged_in.connect(chose_english, app)
    try:
        with force_locale("en"):
            yield
    finally:
        user_logged_in.disconnect(chose_english, app)
        app.test_client_class = browser


def login(client: FlaskClient, username: str, password: str = TEST_PASSWORD) -> None:
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302, f"login as {username} failed"


@pytest.fixture
def hr_client(hr, login_as) -> FlaskClient:
    """A client logged in as the `hr` user of the test's package (each package makes its own)."""
    return login_as(hr)


@pytest.fixture
def cli(app: Flask):
    """`cli("cycle", "run", "2026Q3")` runs an `hrapp` command and returns the click result."""
    runner = app.test_cli_runner()

    def invoke(*args: str):
        return runner.invoke(args=list(args))

    return invoke


@pytest.fixture
def login_as(app: Flask):
    """`login_as(user)` returns a fresh test client logged in as that user."""

    def make(user) -> FlaskClient:
        c = app.test_client()
        login(c, user.username)
        return c

    return make
