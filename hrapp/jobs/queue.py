"""The Huey queue: SQLite in `instance/` by default, Redis when ``REDIS_URL`` is set.

The consumer runs with ``huey_consumer hrapp.jobs.queue.huey``. Progress lives in Huey's
key-value storage rather than in the application database: an import holds the database's
write lock for its whole (all-or-nothing) transaction, and progress must still be written.
"""

from __future__ import annotations

import os
from pathlib import Path

from huey import Huey, RedisHuey, SqliteHuey

from config import Config


def _make_huey() -> Huey:
    if Config.REDIS_URL:
        return RedisHuey("hrapp", url=Config.REDIS_URL)
    path = Path(os.environ.get("HUEY_SQLITE_PATH", Config.HUEY_SQLITE_PATH))
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("hrapp", filename=str(path))


huey = _make_huey()

# The consumer imports only this module: the task it runs must be registered by then.
from hrapp.jobs import services  # noqa: E402, F401
