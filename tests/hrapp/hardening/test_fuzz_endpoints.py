"""Every endpoint answers odd and out-of-range input with a page or a refusal, never a 500.

The endpoints come from the application's URL map and the objects from the permission matrix's
world, so an endpoint added later is fuzzed too. For each role (HR, admin, trainer, streamer):

- every path parameter of every rule is replaced, one at a time, by ids out of range (0, -1,
  beyond 64 bits) or odd text, on GET and, where nothing can exist at such an id, on POST;
- every query parameter a page reads (recorded while it answers) is given dates at the ends of
  the calendar, numbers beyond 64 bits, negative numbers and text, one at a time and, with the
  usual names (since, until, page, month, day …), all at once;
- every form a POST reads is posted with those values, with a valid CSRF token.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask.wrappers import Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import Rule

from tests.hrapp.foundation.conftest import csrf_token
from tests.permission_matrix.test_matrix import all_cases, build_world
from tests.permission_matrix.world import World

ROLES = ("hr", "admin", "trainer", "streamer")
ODD_IDS = ("0", "-1", "99999999999999999999", str(2**63))
ODD_TEXT = ("x", "0001-01-01", "9999-12-31", "..", "中文", "a" * 300, "<b>", "2026Q9", "-1")
ODD_VALUES = (
    "0001-01-01",
    "9999-12-31",
    "99999999999999999999",
    str(2**63),
    "-1",
    "0",
    "x",
    "2026-13-45",
    "9999-12",
    "0000-00",
    "",
    "2026Q9",
    "1e309",
    "nan",
)
USUAL_NAMES = (
    "since",
    "until",
    "page",
    "month",
    "day",
    "from",
    "to",
    "new",
    "old",
    "module",
    "streamer",
    "cycle",
    "job",
    "start",
    "year",
    "quarter",
    "version",
    "sort",
    "dir",
    "team",
    "level",
    "status",
    "show",
    "lang",
    "q",
)
# POSTs left out of the form fuzzing: they end the session the rest of the run needs.
NOT_POSTED = {"auth.logout"}
PARAMETER = re.compile(r"<(?:(?P<converter>[a-z]+)(?:\([^)]*\))?:)?(?P<name>\w+)>")

read_names: set[str] = set()


class RecordingParameters(ImmutableMultiDict):  # type: ignore[type-arg]
    """Query and form parameters that note which names the application reads."""

    def get(self, key: Any, default: Any = None, type: Any = None) -> Any:
        read_names.add(key)
        return super().get(key, default, type)

    def getlist(self, key: Any, type: Any = None) -> Any:
        read_names.add(key)
        return super().getlist(key, type)

    def __getitem__(self, key: Any) -> Any:
        read_names.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        read_names.add(str(key))
        return super().__contains__(key)


class RecordingRequest(Request):
    parameter_storage_class = RecordingParameters


@pytest.fixture
def recording_app(app: Flask) -> Iterator[Flask]:
    usual, app.request_class = app.request_class, RecordingRequest
    try:
        yield app
    finally:
        app.request_class = usual


class Crashes:
    """The requests that answered 500, each with the error the log recorded."""

    def __init__(self, caplog: pytest.LogCaptureFixture, role: str) -> None:
        self.caplog, self.role, self.found = caplog, role, []

    def check(self, client: FlaskClient, method: str, url: str, **kwargs: Any) -> None:
        read_names.clear()
        self.caplog.clear()
        response = client.open(url, method=method, **kwargs)
        response.close()
        if response.status_code >= 500:
            errors = [repr(r.exc_info[1]) for r in self.caplog.records if r.exc_info]
            fields = sorted(set(kwargs.get("data") or {}) - {"csrf_token"})
            values = {v for k, v in (kwargs.get("data") or {}).items() if k != "csrf_token"}
            posted = f" {fields[:5]}… = {values}" if fields else ""
            self.found.append(f"{self.role} {method} {url}: {errors[-1:]}{posted}"[:500])


def _logged_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    answer = client.post(
        "/login",
        data={"username": username, "password": "Correct-Horse-7", "csrf_token": token},
    )
    assert answer.status_code == 302, f"login as {username} failed"
    return client


def _case_urls(world: World, method: str, role: str) -> dict[str, str]:
    """Per endpoint, a URL of the permission matrix for this method: one the role may open
    where there is one, so that the page gets as far as reading its parameters."""
    urls: dict[str, str] = {}
    for endpoint, cases in all_cases().items():
        chosen = [c for c in cases if c.method == method]
        reachable = [c for c in chosen if c.expect[role] in (200, 302, 422)]
        if chosen:
            urls[endpoint] = (reachable or chosen)[0].url(world)
    return urls


def _rule(app: Flask, endpoint: str, method: str) -> Rule:
    return next(r for r in app.url_map.iter_rules(endpoint) if method in (r.methods or set()))


def _path_variants(app: Flask, endpoint: str, url: str, method: str) -> Iterator[str]:
    """The URL with each path parameter in turn replaced by odd values, the others kept."""
    rule = _rule(app, endpoint, method)
    path = urlsplit(url).path
    _endpoint, values = app.url_map.bind("localhost").match(path, method=method)
    for name, converter in rule._converters.items():
        odd = ODD_IDS if type(converter).__name__.endswith("IntegerConverter") else ODD_TEXT
        if method != "GET" and odd is ODD_TEXT:
            continue  # a text key on a POST may name something real: not posted blindly
        for value in odd:
            shown = {**values, name: value}
            yield PARAMETER.sub(
                lambda m, shown=shown: quote(str(shown[m["name"]]), safe=""), rule.rule
            )


def _with_query(url: str, params: dict[str, str]) -> str:
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}{urlencode(params)}"


def _fuzz_query(client: FlaskClient, crashes: Crashes, url: str) -> None:
    crashes.check(client, "GET", url)
    names = dict.fromkeys(sorted(read_names))
    for value in ODD_VALUES:
        crashes.check(client, "GET", _with_query(url, dict.fromkeys(USUAL_NAMES, value)))
        names.update(dict.fromkeys(sorted(read_names)))
    done: set[str] = set()
    while pending := [n for n in names if n not in done]:  # names read only given others
        for name in pending:
            done.add(name)
            for value in ODD_VALUES:
                crashes.check(client, "GET", _with_query(url, {name: value}))
                names.update(dict.fromkeys(sorted(read_names)))


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
def test_no_get_answers_500(
    recording_app: Flask, csrf_app: Flask, caplog: pytest.LogCaptureFixture, role: str
) -> None:
    world = build_world()
    client = _logged_in(recording_app, world.users[role].username)
    crashes = Crashes(caplog, role)
    with caplog.at_level(logging.ERROR):
        for endpoint, url in sorted(_case_urls(world, "GET", role).items()):
            for variant in _path_variants(recording_app, endpoint, url, "GET"):
                crashes.check(client, "GET", variant)
            _fuzz_query(client, crashes, url)
    assert not crashes.found, "\n".join(crashes.found)


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
def test_no_post_answers_500(
    recording_app: Flask, csrf_app: Flask, caplog: pytest.LogCaptureFixture, role: str
) -> None:
    world = build_world()
    client = _logged_in(recording_app, world.users[role].username)
    token = csrf_token(client.get("/account/password").get_data(as_text=True))
    crashes = Crashes(caplog, role)
    with caplog.at_level(logging.ERROR):
        urls = sorted(_case_urls(world, "POST", role).items())
        for endpoint, url in urls:
            for variant in _path_variants(recording_app, endpoint, url, "POST"):
                crashes.check(client, "POST", variant, data={"csrf_token": token})
        for endpoint, url in urls:
            if endpoint in NOT_POSTED:
                continue
            crashes.check(client, "POST", url, data={"csrf_token": token})
            fields = sorted(read_names - {"csrf_token"})
            for value in ODD_VALUES:
                data = {**dict.fromkeys(fields, value), "csrf_token": token}
                crashes.check(client, "POST", url, data=data)
    assert not crashes.found, "\n".join(crashes.found)
