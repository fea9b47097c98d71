"""Submitting background jobs, running them, and reporting their progress.

A feature registers a handler for a job kind with `@handler("kind")` in a module that
`hrapp.features.JOB_MODULES` names, so that `create_app` registers it; the handler receives
the Job and a `progress(done, total, step)` callable and returns a JSON-safe result. The
same handlers run synchronously from the CLI with a progress line.

A job's title and its progress steps are messages (`hrapp.core.messages.message`): a worker has
no reader, so the words are chosen when the page or the command line shows them.

A running job holds a lease: its worker beats while it works (`Heartbeat`), and a job not heard
of for longer than JOB_LEASE_SECONDS is taken for one whose worker died and marked failed
(`expire_if_lost`), when its page is read and by the queue's periodic check. Its data needs no
repair: a handler's writes commit together with the "done" status or not at all. A failed job
is retried by submitting its payload again (`retry`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from typing import Any

from flask import current_app, g, has_request_context
from flask_babel import gettext as _
from huey import Huey
from sqlalchemy import select

from hrapp.auth.models import User
from hrapp.core import audit
from hrapp.core.db import utcnow
from hrapp.core.errors import Conflict
from hrapp.core.messages import Message, message, render
from hrapp.core.progress import ProgressFn
from hrapp.extensions import db
from hrapp.jobs.models import Job
from hrapp.jobs.queue import job_queue

Handler = Callable[[Job, ProgressFn], dict[str, Any]]
_HANDLERS: dict[str, Handler] = {}
PROGRESS_INTERVAL_S = 0.25
log = logging.getLogger(__name__)


def handler(kind: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _HANDLERS[kind] = fn
        return fn

    return register


def _progress_key(job_id: int) -> str:
    return f"job-progress:{job_id}"


def _heartbeat_key(job_id: int) -> str:
    return f"job-heartbeat:{job_id}"


class Heartbeat:
    """While a job runs, tells the queue's storage every `interval` seconds that its worker is
    alive; a context manager around the job's work.

    A thread rather than the progress reports alone: a handler may spend minutes in one step
    (a file parsed, 300,000 rows committed) without reporting. The beats live beside the
    progress in the queue's storage, not in the jobs table, for the reason progress does: the
    job's own transaction holds the database's write lock (SQLite) until it ends.
    """

    def __init__(self, huey: Huey, job_id: int, interval: float) -> None:
        self.huey, self.job_id, self.interval = huey, job_id, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat_until_stopped, daemon=True)

    def beat(self) -> None:
        try:
            self.huey.put(_heartbeat_key(self.job_id), time.time())
        except Exception:  # a storage hiccup must not end the job; a missed beat is allowed
            log.warning("job %s: heartbeat not written", self.job_id, exc_info=True)

    def _beat_until_stopped(self) -> None:
        while not self._stop.wait(self.interval):
            self.beat()

    def __enter__(self) -> Heartbeat:
        self.beat()
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.huey.delete(_heartbeat_key(self.job_id))


class Progress:
    """Writes progress at most a few times a second, so that tight loops stay cheap."""

    def __init__(self, job_id: int, echo: ProgressFn | None = None) -> None:
        self.job_id = job_id
        self.echo = echo
        self._last = 0.0

    def __call__(self, done: int, total: int, message: Message | str = "") -> None:
        now = time.monotonic()
        if now - self._last < PROGRESS_INTERVAL_S and done < total:
            return
        self._last = now
        huey = job_queue().huey
        huey.put(_progress_key(self.job_id), {"done": done, "total": total, "message": message})
        huey.put(_heartbeat_key(self.job_id), time.time())  # progress is a sign of life too
        if self.echo:
            self.echo(done, total, message)


def path_for(endpoint: str, **values: Any) -> str:
    """A page's path for a job's result (the page the job page links to when it is done),
    also from a worker process that has no request to build URLs from."""
    adapter = current_app.url_map.bind(
        "localhost", script_name=current_app.config.get("APPLICATION_ROOT") or "/"
    )
    return adapter.build(endpoint, values)


def submit(kind: str, title: Message | str, payload: dict[str, Any], *, user_id: int | None) -> Job:
    """Create a queued job (flushes); call `start()` after the caller has committed.

    `title` is a message ("Importing %(file)s"), shown in each reader's language."""
    _handler_for(kind)  # refuse unknown kinds before anything is queued
    job = Job(kind=kind, title=title, result={"payload": payload}, created_by_id=user_id)
    db.session.add(job)
    db.session.flush()
    audit.record("job.submit", "job", job.id)  # the log names the job by its title
    return job


def start(job: Job) -> None:
    job_queue().run_job(job.id)


def status(job: Job) -> dict[str, Any]:
    """What a page or the CLI shows: the stored state plus live progress while running, its
    step in the reader's language."""
    data = {
        "id": job.id,
        "status": job.status,
        "done": job.done,
        "total": job.total,
        "message": job.message,
        "error": failure(job),
        "percent": job.percent,
    }
    if job.status == "running":
        live = job_queue().huey.get(_progress_key(job.id), peek=True)
        if live:
            data.update(live)
            data["percent"] = int(live["done"] * 100 / live["total"]) if live["total"] else 0
    data["message"] = render(data["message"])
    return data


def run(job_id: int, echo: ProgressFn | None = None) -> Job:
    """Run a job now in this process: mark it running, call its handler, store the outcome.

    The handler's writes, the outcome and the "done" status commit together. On any error,
    storing the outcome included, all of it is rolled back and the job is marked failed.
    """
    job = db.session.get(Job, job_id)
    if job is None:
        raise LookupError(f"job {job_id} does not exist")
    job.status, job.started_at = "running", utcnow()
    job.heartbeat_at = job.started_at
    db.session.commit()
    interval = float(current_app.config["JOB_HEARTBEAT_SECONDS"])
    try:
        with _acting_as(job.created_by_id), Heartbeat(job_queue().huey, job_id, interval):
            result = _handler_for(job.kind)(job, Progress(job.id, echo))
            job.status, job.finished_at = "done", utcnow()
            job.result = {**(job.result or {}), "outcome": result}
            live = job_queue().huey.get(_progress_key(job.id), peek=True) or {}
            job.done = job.total = live.get("total", job.total)
            db.session.commit()
    except Exception as exc:
        db.session.rollback()
        return _mark_failed(job_id, exc)
    finally:
        job_queue().huey.delete(_progress_key(job_id))
    return job


def _mark_failed(job_id: int, exc: Exception) -> Job:
    live = job_queue().huey.get(_progress_key(job_id), peek=True) or {}
    job = db.session.get(Job, job_id)
    assert job is not None
    job.status, job.finished_at = "failed", utcnow()
    job.error = getattr(exc, "message", None) or str(exc) or exc.__class__.__name__
    if stored := getattr(exc, "stored", None):  # kept as data: read in each reader's language
        job.result = {**(job.result or {}), "failure": stored}
    job.done, job.total = live.get("done", job.done), live.get("total", job.total)
    current_app.logger.error("job %s failed:\n%s", job_id, traceback.format_exc())
    db.session.commit()
    return job


@contextlib.contextmanager
def _acting_as(user_id: int | None) -> Iterator[None]:
    """Audit rows written by a job in the worker name the person who submitted it.

    In a request the logged-in user is the actor already; a CLI command may have set its own.
    """
    if has_request_context() or user_id is None or g.get("actor") is not None:
        yield
        return
    g.actor = db.session.get(User, user_id)
    try:
        yield
    finally:
        g.pop("actor", None)


def failure(job: Job) -> str | None:
    """Why the job failed, in the reader's language: the message of a job whose worker died,
    or the error its handler raised (kept as a message when raised as one, else as text)."""
    lost = (job.result or {}).get("failure")
    return render(lost) if lost else job.error


def last_sign_of_life(job: Job) -> dt.datetime | None:
    """When the job's worker was last heard of: its latest beat in the queue's storage, or
    what the jobs table knows (the start)."""
    beat = job_queue().huey.get(_heartbeat_key(job.id), peek=True)
    heard = [job.heartbeat_at, job.started_at]
    if beat is not None:
        heard.append(dt.datetime.fromtimestamp(float(beat), dt.UTC))
    return max((at for at in heard if at is not None), default=None)


def worker_lost(job: Job) -> bool:
    """Whether the job is "running" but its worker has not been heard of within the lease."""
    if job.status != "running":
        return False
    last = last_sign_of_life(job)
    lease = dt.timedelta(seconds=float(current_app.config["JOB_LEASE_SECONDS"]))
    return last is None or utcnow() - last > lease


def expire_if_lost(job: Job) -> bool:
    """Mark a running job whose worker died as failed, keeping how far it got (flushes);
    True when it was. Nothing of its work needs undoing: it was never committed."""
    if not worker_lost(job):
        return False
    huey = job_queue().huey
    last = last_sign_of_life(job)
    live = huey.get(_progress_key(job.id), peek=True) or {}
    silent_minutes = max(1, round((utcnow() - last).total_seconds() / 60)) if last else 0
    job.status, job.finished_at, job.heartbeat_at = "failed", utcnow(), last
    job.done, job.total = live.get("done", job.done), live.get("total", job.total)
    job.result = {
        **(job.result or {}),
        "failure": message(
            "The worker running this job stopped (not heard of for %(minutes)d minutes); "
            "nothing it was writing was kept. Retry it.",
            minutes=silent_minutes,
        ),
    }
    audit.record("job.lost", "job", job.id)
    db.session.flush()
    for key in (_progress_key(job.id), _heartbeat_key(job.id)):
        huey.delete(key)
    log.warning("job %s: its worker was not heard of since %s; marked failed", job.id, last)
    return True


def expire_lost_jobs() -> int:
    """The periodic check: every running job whose worker died is marked failed (flushes);
    how many were."""
    running = db.session.scalars(select(Job).where(Job.status == "running"))
    return sum(expire_if_lost(job) for job in list(running))


def retry(job: Job, *, user_id: int | None) -> Job:
    """A new job with the failed one's kind, title and payload, queued (flushes; call `start`
    after committing). A job is retried once: its retry is linked from it."""
    if job.status != "failed":
        raise Conflict(_("Only a failed job can be retried."))
    if (job.result or {}).get("retried_as"):
        raise Conflict(_("This job was retried already."))
    _handler_for(job.kind)  # refuse a kind no longer known before anything is queued
    payload = (job.result or {}).get("payload") or {}
    again = Job(
        kind=job.kind,
        title=job.title,
        result={"payload": payload, "retry_of": job.id},
        created_by_id=user_id,
    )
    db.session.add(again)
    db.session.flush()
    job.result = {**(job.result or {}), "retried_as": again.id}
    audit.record("job.retry", "job", again.id, changes={"retry_of": [None, job.id]})
    return again


def _handler_for(kind: str) -> Handler:
    if kind not in _HANDLERS:
        raise LookupError(f"no handler for job kind {kind!r}")
    return _HANDLERS[kind]
