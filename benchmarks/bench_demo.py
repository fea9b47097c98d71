"""demo_load: `hrapp demo load` of the default demo agency into a fresh SQLite file.

Baseline: raw sqlite3 `executemany` of the same session rows into a bare table — the least
any loader of that many rows must spend. Target: 10 s (the command `make demo` waits for).
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.common import result, timed

TODAY = "2026-10-01"  # fixed, so every run loads the same rows
PASSWORD = "bench-demo-password"  # noqa: S105 - for a throwaway database
TARGET_SECONDS = 10.0


class DemoDatabase:
    """A fresh SQLite file for each timed load."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.loads = 0
        self.app: Any = None

    @property
    def path(self) -> Path:
        return self.folder / f"demo-{self.loads}.sqlite"

    def fresh(self) -> None:
        from hrapp import create_app
        from hrapp.extensions import db

        self.loads += 1
        self.app = create_app("development", SQLALCHEMY_DATABASE_URI=f"sqlite:///{self.path}")
        with self.app.app_context():
            db.create_all()

    def load(self) -> None:
        command = ["demo", "load", "--today", TODAY, "--password", PASSWORD]
        outcome = self.app.test_cli_runner().invoke(args=command)
        if outcome.exit_code != 0:
            raise RuntimeError(f"demo load failed: {outcome.output}")


def raw_insert_seconds(rows: list[tuple[Any, ...]], folder: Path) -> float:
    """Best time to executemany `rows` into a bare table of as many columns, fresh each run."""
    columns = ", ".join(f"c{i}" for i in range(len(rows[0])))
    marks = ", ".join("?" for _ in rows[0])
    runs = iter(range(1_000))

    def insert() -> None:
        with sqlite3.connect(folder / f"raw-{next(runs)}.sqlite") as conn:
            conn.execute(f"CREATE TABLE t ({columns})")
            conn.executemany(f"INSERT INTO t VALUES ({marks})", rows)

    return timed(insert)


def run() -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="hrapp-bench-demo-") as name:
        folder = Path(name)
        os.environ["HRAPP_INSTANCE"] = str(folder)  # keep the job queue file out of instance/
        database = DemoDatabase(folder)
        seconds = timed(database.load, setup=database.fresh)
        with sqlite3.connect(database.path) as conn:
            rows = conn.execute("SELECT * FROM live_sessions").fetchall()
        baseline = raw_insert_seconds(rows, folder)
    return [result("demo_load", seconds, "s", baseline, TARGET_SECONDS)]
