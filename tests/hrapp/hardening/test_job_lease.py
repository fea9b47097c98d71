"""A job whose worker died is marked failed, its data untouched, and can be retried.

The worker beats (`hrapp.jobs.services.Heartbeat`) while a job runs; a job "running" without a
beat for longer than JOB_LEASE_SECONDS is marked failed when its page or its JSON is read, and
by the queue's periodic check. Before, `kill -9` of the worker at 50% left `/jobs/<id>.json`
answering "running, 50%" for ever.

The end-to-end test runs a real worker process on a file database and kills it half-way.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from hrapp.auth.models import Role, User
from hrapp.core.audit import AuditEntry
from hrapp.core.db import utcnow
from hrapp.extensions import db
from hrapp.jobs import services
from hrapp.jobs.models import Job
from hrapp.jobs.queue import job_queue
from tests.factories import TEST_PASSWORD, make_user
from tests.hrapp.foundation.conftest import csrf_token
from tests.hrapp.hardening import slow_job
from tests.hrapp.hardening.workers import worker_process

LEASE_SECONDS = 3
ROWS = 20
WAIT_S = 60

_WORKER = """
import sys
from hrapp import create_app
import tests.hrapp.hardening.slow_job  # registers the job's handler
app = create_app(
    "testing",
    SQLALCHEMY_DATABASE_URI=sys.argv[1],
    REDIS_URL=sys.argv[2],
    HUEY_IMMEDIATE=False,
    JOB_HEARTBEAT_SECONDS=0.2,
)
app.extensions["hrapp.jobs"].huey.create_consumer(workers=1, periodic=False).run()
"""


@pytest.fixture(autouse=True)
def _english(english: None) -> None:
    """Messages are checked in the English source text."""


@pytest.fixture
def file_app(
    make_app: Callable[..., Flask],
    queue_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Flask]:
    """An application on a file database and a real (not immediate) queue, as in production,
    that a worker process can share; once on the SQLite queue and once on Redis (`queue_url`),
    which starts and ends empty. Its requests run in contexts of their own, as a server's do
    (one context kept open would keep one read snapshot of the database)."""
    monkeypatch.setenv("HUEY_SQLITE_PATH", str(tmp_path / "queue.sqlite"))
    app = make_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'hrapp.sqlite'}",
        HUEY_IMMEDIATE=False,
        REDIS_URL=queue_url,
        JOB_LEASE_SECONDS=LEASE_SECONDS,
        WTF_CSRF_ENABLED=True,
    )
    with app.app_context():
        db.create_all()
        job_queue().huey.flush()
    yield app
    with app.app_context():
        job_queue().huey.flush()
        db.engine.dispose()


@contextlib.contextmanager
def _database(app: Flask) -> Iterator[None]:
    """The test's own reads and writes, in a context of their own that ends its transaction:
    outside a request a transaction begins IMMEDIATE (SQLite's write lock)."""
    with app.app_context():
        try:
            yield
        finally:
            db.session.rollback()


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {WAIT_S} s for {what}")
        time.sleep(0.1)


def _client(app: Flask, username: str) -> tuple[FlaskClient, str]:
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    login = {"username": username, "password": TEST_PASSWORD, "csrf_token": token}
    assert client.post("/login", data=login).status_code == 302
    return client, csrf_token(client.get("/account/password").get_data(as_text=True))


def _state(client: FlaskClient, job_id: int) -> dict[str, Any]:
    response = client.get(f"/jobs/{job_id}.json")
    assert response.status_code == 200
    assert response.json is not None
    return response.json


def _rows_written(app: Flask) -> int:
    with _database(app):
        query = select(func.count()).where(AuditEntry.action == "test.slow_row")
        return int(db.session.scalar(query) or 0)


def _submit(app: Flask, user_id: int, rows: int = ROWS) -> int:
    with _database(app):
        job = services.submit(slow_job.KIND, "slow rows", {"rows": rows}, user_id=user_id)
        db.session.commit()
        services.start(job)
        return job.id


def test_a_killed_worker_fails_its_job_which_is_retried(file_app: Flask) -> None:
    with _database(file_app):
        hr = make_user(Role.HR, username="hr_jobs")
        hr.locale = "en"
        db.session.commit()
        hr_id = hr.id
    client, token = _client(file_app, "hr_jobs")
    job_id = _submit(file_app, hr_id)

    with worker_process(_WORKER, file_app) as worker:
        _wait_for(lambda: _state(client, job_id)["percent"] >= 50, "half of the job")
        os.killpg(worker.pid, signal.SIGKILL)  # the worker dies mid-transaction
        worker.wait()

    # Within the lease the job may still be working (a long step): it is left alone.
    assert _state(client, job_id)["status"] == "running"
    time.sleep(LEASE_SECONDS + 0.5)
    state = _state(client, job_id)
    assert state["status"] == "failed"
    assert "The worker running this job stopped" in state["error"]
    assert 50 <= state["percent"] < 100  # where it stopped
    assert _rows_written(file_app) == 0  # all or nothing: the killed transaction left nothing
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "The worker running this job stopped" in page
    assert f'action="/jobs/{job_id}/retry"' in page
    with _database(file_app):
        lost = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "job.lost"))
        assert [e.entity_id for e in lost] == [str(job_id)]

    retried = client.post(f"/jobs/{job_id}/retry", data={"csrf_token": token})
    assert retried.status_code == 302
    with _database(file_app):
        retry = db.session.scalars(select(Job).where(Job.id != job_id)).one()
        assert retried.location.endswith(f"/jobs/{retry.id}")
        assert (retry.kind, retry.result["payload"]) == (slow_job.KIND, {"rows": ROWS})
        assert retry.created_by_id == hr_id
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "job.retry"))
        assert [(e.entity_id, e.changes) for e in entry] == [
            (str(retry.id), {"retry_of": [None, job_id]})
        ]
        retry_id = retry.id

    with worker_process(_WORKER, file_app):
        _wait_for(lambda: _state(client, retry_id)["status"] == "done", "the retry to finish")
    assert _rows_written(file_app) == ROWS  # once, by the retry
    again = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert f'href="/jobs/{retry_id}"' in again  # the failed job leads to its retry
    assert f'action="/jobs/{job_id}/retry"' not in again  # and is not retried twice


def _running_job(user: User, *, beat_seconds_ago: float) -> Job:
    """A job its worker marked running (as `run` does), last heard of some seconds ago."""
    job = services.submit(slow_job.KIND, "slow rows", {"rows": 4}, user_id=user.id)
    then = utcnow() - dt.timedelta(seconds=beat_seconds_ago)
    job.status, job.started_at, job.heartbeat_at = "running", then, then
    db.session.commit()
    return job


def test_the_periodic_check_fails_jobs_whose_worker_died(file_app: Flask) -> None:
    with _database(file_app):
        hr = make_user(Role.HR)
        dead = _running_job(hr, beat_seconds_ago=LEASE_SECONDS + 1)
        alive = _running_job(hr, beat_seconds_ago=LEASE_SECONDS + 1)
        fresh = _running_job(hr, beat_seconds_ago=0)
        job_queue().huey.put(f"job-heartbeat:{alive.id}", time.time())  # its worker still beats

        job_queue().expire_lost_jobs.call_local()

        db.session.expire_all()
        assert [db.session.get(Job, j.id).status for j in (dead, alive, fresh)] == [
            "failed",
            "running",
            "running",
        ]


def test_a_beating_worker_keeps_its_job_running(file_app: Flask) -> None:
    """The heartbeat goes on between progress reports: a long step is not a dead worker."""
    with _database(file_app):
        hr = make_user(Role.HR)
        job = _running_job(hr, beat_seconds_ago=LEASE_SECONDS + 1)
        with services.Heartbeat(job_queue().huey, job.id, 0.1):
            time.sleep(0.3)
            assert not services.expire_if_lost(job)
        assert job.status == "running"


def test_only_a_failed_job_is_retried(app: Flask, login_as: Callable[[User], FlaskClient]) -> None:
    hr = make_user(Role.HR)
    job = _running_job(hr, beat_seconds_ago=0)
    response = login_as(hr).post(f"/jobs/{job.id}/retry", follow_redirects=True)
    assert "Only a failed job can be retried." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Job)) == 1


def test_a_job_is_retried_only_by_who_may_see_it(
    app: Flask, login_as: Callable[[User], FlaskClient]
) -> None:
    hr = make_user(Role.HR)
    trainer = make_user(Role.TRAINER)
    job = _running_job(hr, beat_seconds_ago=0)
    job.status = "failed"
    db.session.commit()
    assert login_as(trainer).post(f"/jobs/{job.id}/retry").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Job)) == 1
