"""The scorecard is opened many times a week by every streamer: a view that finds the page kept
reads only the logged-in user and the fingerprints of the data it shows, a fresh worker finds
it on disk, and a change of that data shows at once all the same (a change makes a new key)."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections import OrderedDict
from pathlib import Path

import pytest
from sqlalchemy import event

from hrapp.extensions import db
from hrapp.portal import cache, fingerprints, running
from hrapp.portal.running import quarter_bounds
from tests.hrapp.appraisals.helpers import broadcast
from tests.hrapp.portal.conftest import this_quarter_start


def _never_computed(*_args: object) -> None:
    raise AssertionError("the running quarter was computed again")


def _reads_of(client, path: str) -> list[str]:
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_rest) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    return [s for s in statements if s.lstrip().upper().startswith("SELECT")]


def _kept_files(app) -> list[Path]:
    return sorted(Path(app.config["PORTAL_CACHE_DIR"]).glob("*.html"))


def _new_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a worker gunicorn just started has: an empty memory, the same disk."""
    monkeypatch.setattr(cache, "_entries", OrderedDict())


def test_a_kept_page_reads_the_user_and_the_fingerprints_only(
    app, client_a, running_sessions, monkeypatch
) -> None:
    first = client_a.get("/me/").text
    monkeypatch.setattr(running, "_compute", _never_computed)

    reads = _reads_of(client_a, "/me/")

    # The fingerprints, the curriculum's rules and, unless the test's session still holds it,
    # the user (with roles and streamer, in one statement).
    assert len(reads) <= 3, reads
    assert any("hosted_share" in read for read in reads)
    assert client_a.get("/me/").text == first


def test_a_fresh_worker_finds_the_page_on_disk(app, client_a, running_sessions, monkeypatch):
    first = client_a.get("/me/").text
    assert "¥135,000.00" in first
    assert len(_kept_files(app)) == 1
    _new_worker(monkeypatch)
    monkeypatch.setattr(running, "_compute", _never_computed)

    assert client_a.get("/me/").text == first


def test_a_change_shows_at_once_in_every_worker(
    app, client_a, running_sessions, monkeypatch
) -> None:
    assert "¥135,000.00" in client_a.get("/me/").text
    start = this_quarter_start() + dt.timedelta(hours=2)
    broadcast(running_sessions, start=start, gmv_fen=100, refunds_fen=0)
    db.session.commit()

    assert "¥135,001.00" in client_a.get("/me/").text  # this worker
    _new_worker(monkeypatch)
    assert "¥135,001.00" in client_a.get("/me/").text  # another one
    assert len(_kept_files(app)) == 2  # the old state's page is never read again


def test_a_page_kept_on_disk_expires_like_one_in_memory(
    app, client_a, running_sessions, monkeypatch
) -> None:
    client_a.get("/me/")
    (kept,) = _kept_files(app)
    long_ago = time.time() - cache.LIFETIME - 1
    os.utime(kept, (long_ago, long_ago))
    _new_worker(monkeypatch)
    computed = []
    compute = running._compute
    monkeypatch.setattr(running, "_compute", lambda *a: computed.append(1) or compute(*a))

    assert "¥135,000.00" in client_a.get("/me/").text
    assert computed == [1]


def test_new_code_renders_anew(app, client_a, running_sessions, monkeypatch) -> None:
    client_a.get("/me/")
    _new_worker(monkeypatch)
    monkeypatch.setattr(cache, "_code_version", lambda _root: "after a deploy")

    client_a.get("/me/")

    assert len(_kept_files(app)) == 2


def test_tests_without_a_folder_keep_nothing_on_disk(app, client_a, running_sessions, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_CACHE_DIR", None)
    assert app.testing
    with app.test_request_context():
        assert cache._folder() is None


def test_the_page_fingerprint_is_the_running_and_the_quarters_ones(
    app, streamer_a, running_sessions, finalized_q3
) -> None:
    with app.test_request_context():
        bounds = quarter_bounds(dt.date.today())
        both = fingerprints.index_page(streamer_a.id, *bounds)

        assert both == (
            fingerprints.running(streamer_a.id, *bounds),
            fingerprints.quarters(streamer_a.id),
        )
        assert both[0][0] == 3  # the three sessions of the running quarter
        assert both[1][0] >= 1  # the finalized 2026Q3
