"""The job queue on SQLite and on Redis: a submitted job waits on the queue, a worker process
runs it, its progress reaches the web app through the queue's storage, and `/healthz` asks the
queue. Each test runs once per queue (`queue_url`); `make test` runs the Redis variants under
scripts/with-redis.sh and fails, rather than skips, them when Redis is not there.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from huey import RedisHuey, SqliteHuey

from hrapp.auth.models import Role
from hrapp.extensions import db
from hrapp.jobs import services
from hrapp.jobs.models import Job
from hrapp.jobs.queue import job_queue
from tests.factories import TEST_PASSWORD, make_user
from tests.hrapp.hardening import queue_job
from tests.hrapp.hardening.workers import worker_process

STEPS = 6
WAIT_S = 60

_WORKER = """
import sys
from hrapp import create_app
import tests.hrapp.hardening.queue_job  # registers the job's handler
app = create_app(
    "testing", SQLALCHEMY_DATABASE_URI=sys.argv[1], REDIS_URL=sys.argv[2], HUEY_IMMEDIATE=False
)
app.extensions["hrapp.jobs"].huey.create_consumer(workers=1, periodic=False).run()
"""


@pytest.fixture
def queue_app(
    make_app: Callable[..., Flask],
    queue_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Flask]:
    """An application as in production: a file database a worker process can share and a real
    (not immediate) queue, SQLite or Redis. The Redis queue starts and ends empty."""
    monkeypatch.setenv("HUEY_SQLITE_PATH", str(tmp_path / "queue.sqlite"))
    app = make_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'hrapp.sqlite'}",
        HUEY_IMMEDIATE=False,
        REDIS_URL=queue_url,
    )
    with app.app_context():
        db.create_all()
        job_queue().huey.flush()
        yield app
        job_queue().huey.flush()
        db.session.remove()
        db.engine.dispose()


def _hr_client(app: Flask) -> FlaskClient:
    hr = make_user(Role.HR, username="hr_queue")
    db.session.commit()
    client = app.test_client()
    login = {"username": hr.username, "password": TEST_PASSWORD}
    assert client.post("/login", data=login).status_code == 302
    return client


def _state(client: FlaskClient, job_id: int) -> dict[str, Any]:
    db.session.rollback()  # the view reads what the worker committed since
    response = client.get(f"/jobs/{job_id}.json")
    assert response.status_code == 200
    assert response.json is not None
    return response.json


def test_the_queue_is_the_one_asked_for(queue_app: Flask, queue_url: str) -> None:
    huey = job_queue().huey
    assert isinstance(huey, RedisHuey if queue_url else SqliteHuey)
    assert not huey.immediate


def test_a_submitted_job_waits_until_a_worker_runs_it_and_reports_progress(
    queue_app: Flask,
) -> None:
    client = _hr_client(queue_app)
    job = services.submit(queue_job.KIND, "steps", {"steps": STEPS}, user_id=None)
    db.session.commit()
    services.start(job)

    huey = job_queue().huey
    assert huey.pending_count() == 1  # on the queue, not run in this process
    assert _state(client, job.id)["status"] == "queued"

    seen: list[dict[str, Any]] = []
    with worker_process(_WORKER, queue_app):
        deadline = time.monotonic() + WAIT_S
        while not seen or seen[-1]["status"] not in {"done", "failed"}:
            if time.monotonic() > deadline:
                pytest.fail(f"the job did not finish within {WAIT_S} s: {seen[-1:]}")
            seen.append(_state(client, job.id))
            time.sleep(0.05)

    assert seen[-1]["status"] == "done", seen[-1]
    assert seen[-1]["percent"] == 100
    # While it ran, the worker's progress reached the web app through the queue's storage.
    partway = [s for s in seen if s["status"] == "running" and 0 < s["percent"] < 100]
    assert partway, seen
    assert partway[0]["message"].startswith("step ")
    percents = [s["percent"] for s in partway]
    assert percents == sorted(percents)
    db.session.expire_all()
    finished = db.session.get(Job, job.id)
    assert finished is not None
    assert finished.result["outcome"] == {"steps": STEPS}
    assert huey.pending_count() == 0
    assert huey.get(f"job-progress:{job.id}", peek=True) is None  # the worker cleaned up


def test_healthz_asks_the_queue(queue_app: Flask) -> None:
    response = queue_app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"database": "ok", "queue": "ok"}


def test_healthz_names_a_redis_that_does_not_answer(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    nobody = tmp_path / "nobody-listens.sock"
    app = make_app(
        "testing",
        # A database of its own, closed afterwards: a connection to the suite's PostgreSQL
        # database left open would be reported (ResourceWarning) in whichever test runs next.
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'hrapp.sqlite'}",
        REDIS_URL=f"unix://{nobody}",
        HUEY_IMMEDIATE=False,
    )
    with app.app_context():
        db.create_all()
        response = app.test_client().get("/healthz")
        db.session.remove()
        db.engine.dispose()
    assert response.status_code == 503
    assert response.get_json() == {"database": "ok", "queue": "failed"}
