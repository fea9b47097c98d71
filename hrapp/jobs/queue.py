"""The Huey queue: SQLite in `instance/` by default, Redis when ``REDIS_URL`` is set.

Each application makes its own queue (`create_app` calls `hrapp.jobs.tasks.init_queue`), from
its own configuration; importing this module opens nothing and creates no file. The worker runs
with ``huey_consumer hrapp.worker.huey``, which builds the application and so its queue.

Progress lives in Huey's key-value storage rather than in the application database: an import
holds the database's write lock for its whole (all-or-nothing) transaction, and progress must
still be written.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from huey import Huey, RedisHuey, SqliteHuey
from huey.api import TaskWrapper


@dataclass(frozen=True)
class JobQueue:
    """An application's Huey and the tasks registered on it."""

    huey: Huey
    run_job: TaskWrapper  # runs one stored job in the worker
    level_changes: TaskWrapper  # hourly: scheduled level changes take effect
    expire_lost_jobs: TaskWrapper  # every minute: jobs whose worker died are marked failed
    sweep_uploads: TaskWrapper  # hourly: uploads never confirmed for a day are removed


def make_huey(config: Mapping[str, Any]) -> Huey:
    """A queue for this configuration. In immediate mode (tests) tasks run at once in the
    caller and Huey keeps its storage in memory, so no file is made."""
    immediate = bool(config.get("HUEY_IMMEDIATE"))
    if config.get("REDIS_URL"):
        return RedisHuey("hrapp", url=config["REDIS_URL"], immediate=immediate)
    path = Path(os.environ.get("HUEY_SQLITE_PATH") or config["HUEY_SQLITE_PATH"])
    if not immediate:
        path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("hrapp", filename=str(path), immediate=immediate)


def job_queue() -> JobQueue:
    """The current application's queue."""
    queue: JobQueue = current_app.extensions["hrapp.jobs"]
    return queue
