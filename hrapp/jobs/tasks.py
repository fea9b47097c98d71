"""The queue's tasks, registered on each application's queue when `create_app` builds it.

A task runs in the worker with the application that registered it, so a worker needs nothing
but ``huey_consumer hrapp.worker.huey``; in immediate mode (tests) it runs in the caller's
application context.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from flask import Flask, has_app_context
from huey import crontab

from hrapp.extensions import db
from hrapp.intake.batches import sweep_abandoned_uploads
from hrapp.jobs import services
from hrapp.jobs.queue import JobQueue, make_huey
from hrapp.streamers.services import apply_due_level_changes


def init_queue(app: Flask) -> JobQueue:
    """Make the application's queue from its configuration and register its tasks."""
    huey = make_huey(app.config)

    @huey.task(name="run_job")
    def run_job(job_id: int) -> None:
        with _in_app(app):
            services.run(job_id)

    @huey.periodic_task(crontab(minute="5"), name="level_changes")
    def level_changes() -> None:
        """Every hour, scheduled level changes whose day has come (a promotion confirmed for
        the next quarter's first day) take effect on the roster; idempotent, so the hour it
        runs in does not matter. Pay never waits for it: a run reads the level history itself.
        """
        with _in_app(app):
            if apply_due_level_changes():
                db.session.commit()

    @huey.periodic_task(crontab(minute="*"), name="expire_lost_jobs")
    def expire_lost_jobs() -> None:
        """Every minute, running jobs whose worker died (no heartbeat within the lease) are
        marked failed, so that nobody waits on them."""
        with _in_app(app):
            if services.expire_lost_jobs():
                db.session.commit()

    @huey.periodic_task(crontab(minute="35"), name="sweep_uploads")
    def sweep_uploads() -> None:
        """Every hour, uploads (sessions, roster, training) that were previewed but never
        confirmed for a day are removed (confirmed and refused ones are removed at once)."""
        with _in_app(app):
            sweep_abandoned_uploads()

    queue = JobQueue(
        huey=huey,
        run_job=run_job,
        level_changes=level_changes,
        expire_lost_jobs=expire_lost_jobs,
        sweep_uploads=sweep_uploads,
    )
    app.extensions["hrapp.jobs"] = queue
    return queue


@contextlib.contextmanager
def _in_app(app: Flask) -> Iterator[None]:
    """The worker's application context (immediate mode runs in the caller's context)."""
    if has_app_context():
        yield
        return
    with app.app_context():
        yield
