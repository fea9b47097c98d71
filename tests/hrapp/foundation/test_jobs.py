"""Background jobs: handlers run (immediately in tests), report progress, and fail cleanly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from hrapp.auth.models import Role, User
from hrapp.core import audit
from hrapp.core.audit import AuditEntry
from hrapp.core.errors import NotFound, ValidationFailed
from hrapp.core.messages import message
from hrapp.extensions import db
from hrapp.jobs import services
from hrapp.jobs.models import Job
from tests.factories import make_streamer, make_user

ROOT = Path(__file__).resolve().parents[3]
seen_progress: list[dict[str, Any]] = []


@services.handler("test-job")
def _counting_job(job: Job, progress: services.ProgressFn) -> dict[str, Any]:
    rows = job.result["payload"]["rows"]
    for n in range(1, rows + 1):
        progress(n, rows, f"row {n}")
        seen_progress.append(services.status(job))
    audit.record("test.rows", "job", job.id, summary=f"{rows} rows")
    return {"rows": rows}


@services.handler("test-failing-job")
def _failing_job(job: Job, progress: services.ProgressFn) -> dict[str, Any]:
    progress(1, 4, "row 1")
    audit.record("test.half_written", "job", job.id)
    db.session.flush()  # written to the transaction, then the job fails
    raise ValidationFailed("Row 3: the GMV is not a number.")


@services.handler("test-lost-cycle")
def _lost_cycle_job(job: Job, progress: services.ProgressFn) -> dict[str, Any]:
    raise NotFound(message("The cycle of this job no longer exists."))


@services.handler("test-unsaveable-result")
def _unsaveable_result(job: Job, progress: services.ProgressFn) -> dict[str, Any]:
    return {"when": object()}  # cannot be stored as JSON


def _run(kind: str, user: User | None, **payload: Any) -> Job:
    job = services.submit(kind, f"{kind} title", payload, user_id=user.id if user else None)
    db.session.commit()
    services.start(job)
    db.session.expire_all()
    fresh = db.session.get(Job, job.id)
    assert fresh is not None
    return fresh


def test_a_job_runs_and_stores_its_result(app: Flask) -> None:
    hr = make_user(Role.HR)
    seen_progress.clear()
    job = _run("test-job", hr, rows=3)
    assert job.status == "done"
    assert job.result["outcome"] == {"rows": 3}
    assert (job.done, job.total, job.percent) == (3, 3, 100)
    assert job.started_at is not None
    assert job.finished_at is not None
    assert job.finished_at >= job.started_at
    # While running, the status shows live progress from the queue's storage.
    assert seen_progress[0]["status"] == "running"
    assert seen_progress[-1]["percent"] == 100
    (entry,) = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "test.rows"))
    assert entry.summary == "3 rows"


def test_a_failing_job_records_the_message_and_writes_nothing(app: Flask) -> None:
    job = _run("test-failing-job", None)
    assert job.status == "failed"
    assert job.error == "Row 3: the GMV is not a number."
    assert job.finished_at is not None
    half_written = select(func.count()).where(AuditEntry.action == "test.half_written")
    assert db.session.scalar(half_written) == 0
    assert (job.done, job.total) == (1, 4)  # where it stopped


def test_a_failure_raised_as_a_message_reads_in_each_readers_language(
    app: Flask, login_as: Callable[[User], FlaskClient]
) -> None:
    """The worker writes in no one's language: a job's page words the failure for its reader."""
    hr = make_user(Role.HR)
    job = _run("test-lost-cycle", hr)
    assert job.status == "failed"
    assert job.result["failure"] == message("The cycle of this job no longer exists.")
    client = login_as(hr)
    pages = {}
    for language in ("zh_CN", "en"):
        hr.locale = language
        db.session.commit()
        pages[language] = client.get(f"/jobs/{job.id}.json").get_json()["error"]
    assert pages["en"] == "The cycle of this job no longer exists."
    assert pages["zh_CN"] != pages["en"] and "cycle" not in pages["zh_CN"]


def test_a_result_that_cannot_be_saved_fails_the_job(app: Flask) -> None:
    job = _run("test-unsaveable-result", None)
    assert job.status == "failed"
    assert job.error


def test_a_job_run_by_the_worker_is_audited_as_its_creator(app: Flask) -> None:
    hr = make_user(Role.HR, username="hr-fang")
    job = services.submit("test-job", "rows", {"rows": 1}, user_id=hr.id)
    db.session.commit()
    services.run(job.id)  # as the worker and the CLI do: no request, no logged-in user
    (entry,) = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "test.rows"))
    assert entry.actor_name == "hr-fang"


def test_progress_json_for_creator_and_hr_only(login_as: Callable[[User], FlaskClient]) -> None:
    streamer_a = make_user(Role.STREAMER, streamer=make_streamer())
    streamer_b = make_user(Role.STREAMER, streamer=make_streamer())
    hr = make_user(Role.HR)
    job = _run("test-job", streamer_a, rows=2)
    for user in (streamer_a, hr):
        response = login_as(user).get(f"/jobs/{job.id}.json")
        assert response.status_code == 200
        assert response.json is not None
        assert (response.json["status"], response.json["percent"]) == ("done", 100)
        assert login_as(user).get(f"/jobs/{job.id}").status_code == 200
    assert login_as(streamer_b).get(f"/jobs/{job.id}.json").status_code == 404
    assert login_as(streamer_b).get(f"/jobs/{job.id}").status_code == 404


_QUEUE_PROBE = """
import json
from hrapp.worker import huey
print(json.dumps({"class": type(huey).__name__,
                  "filename": getattr(huey.storage, "filename", None),
                  "tasks": sorted(huey._registry._registry)}))
"""


def _queue_in(tmp_path: Path, **env: str) -> dict[str, Any]:
    base = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "HUEY_SQLITE_PATH"}}
    done = subprocess.run(
        [sys.executable, "-c", _QUEUE_PROBE],
        cwd=ROOT,
        env={**base, "HRAPP_INSTANCE": str(tmp_path), **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def test_queue_is_sqlite_in_the_instance_folder_without_redis(tmp_path: Path) -> None:
    queue = _queue_in(tmp_path)
    assert queue["class"] == "SqliteHuey"
    assert queue["filename"] == str(tmp_path / "jobs.sqlite")


def test_the_consumer_entry_point_knows_the_job_task(tmp_path: Path) -> None:
    """`huey_consumer hrapp.worker.huey` reads only that name; a task missing from its
    registry would leave every job queued for ever."""
    tasks = _queue_in(tmp_path)["tasks"]
    assert {"hrapp.jobs.tasks.run_job", "hrapp.jobs.tasks.level_changes"} <= set(tasks)


def test_queue_is_redis_when_redis_url_is_set(tmp_path: Path) -> None:
    # Building the queue opens no connection, so no Redis server is needed.
    queue = _queue_in(tmp_path, REDIS_URL="redis://127.0.0.1:6399/3")
    assert queue["class"] == "RedisHuey"
    assert not (tmp_path / "jobs.sqlite").exists()
