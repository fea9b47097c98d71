"""Submitting background jobs, running them, and reporting their progress.

A feature registers a handler for a job kind with `@handler("kind")` in a module that
`hrapp.features.JOB_MODULES` names, so that `create_app` registers it; the handler receives
the Job and a `progress(done, total, step)` callable and returns a JSON-safe result. The
same handlers run synchronously from the CLI with a progress line.

A job's title and its progress steps are messages (`hrapp.core.messages.message`): a worker has
no reader, so the words are chosen when the page or the command line shows them.
"""

from __future__ import annotations

import contextlib
import time
import traceback
from collections.abc import Callable, Iterator
from typing import Any

from flask import current_app, g, has_request_context

from hrapp.auth.models import User
from hrapp.core import audit
from hrapp.core.db import utcnow
from hrapp.core.messages import Message, render
from hrapp.core.progress import ProgressFn
from hrapp.extensions import db
from hrapp.jobs.models import Job
from hrapp.jobs.queue import job_queue

Handler = Callable[[Job, ProgressFn], dict[str, Any]]
_HANDLERS: dict[str, Handler] = {}
PROGRESS_INTERVAL_S = 0.25


def handler(kind: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _HANDLERS[kind] = fn
        return fn

    return register


def _progress_key(job_id: int) -> str:
    return f"job-progress:{job_id}"


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
        job_queue().huey.put(
            _progress_key(self.job_id), {"done": done, "total": total, "message": message}
        )
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
        "error": job.error,
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
    db.session.commit()
    try:
        with _acting_as(job.created_by_id):
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


def _handler_for(kind: str) -> Handler:
    if kind not in _HANDLERS:
        raise LookupError(f"no handler for job kind {kind!r}")
    return _HANDLERS[kind]
