"""cycle_run_10k_pg: bench_cycle's first run of 2026Q3 (10,000 streamers, 650,000 sessions a
quarter, 2026Q2 finalized before it) on PostgreSQL 15, on the throwaway cluster
(benchmarks/postgres.py).

The data is bench_cycle's: generated and stored into a SQLite file by the same code, then
copied table by table into a fresh PostgreSQL database with COPY (untimed setup). Baseline: the
same `read_sql` of the quarter's sessions joined with their hosts plus one `groupby().sum()`,
on PostgreSQL. Targets: ≤ 10 s and ≤ 2 × the baseline.

    scripts/with-postgres.sh .venv/bin/python -m benchmarks.bench_cycle_pg
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import JSON, text

from benchmarks import postgres
from benchmarks.bench_cycle import CycleDatabase, Size, size
from benchmarks.common import result, timed
from benchmarks.quarter_data import (
    Q2,
    Q3,
    generate,
    store_roster,
    store_sessions,
    with_level_history,
)

RUN_TARGET_S, RUN_TARGET_RATIO = 10.0, 2.0


def copy_tables(sqlite_path: Path, url: str) -> None:
    """Every row of the SQLite file into the same tables at `url` (made by create_all), and
    each id sequence moved past the copied ids."""
    import psycopg

    from hrapp.extensions import db

    source = sqlite3.connect(sqlite_path)
    try:
        with psycopg.connect(postgres.libpq(url)) as target:
            target.execute("SET TIME ZONE 'UTC'")  # SQLite's instants are naive UTC text
            for table in db.metadata.sorted_tables:
                names = [c.name for c in table.columns]
                quoted = ", ".join(f'"{n}"' for n in names)
                rows = source.execute(f'SELECT {quoted} FROM "{table.name}"')
                documents = [i for i, c in enumerate(table.columns) if isinstance(c.type, JSON)]
                with target.cursor().copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(_as_json(row, documents) if documents else row)
                if "id" in names and table.c.id.autoincrement is not False:
                    target.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'),"
                        f' coalesce((SELECT max(id) FROM "{table.name}"), 0) + 1, false)'
                    )
    finally:
        source.close()


def _as_json(row: tuple[Any, ...], positions: list[int]) -> tuple[Any, ...]:
    """JSON columns as JSON text: the generator stores some as plain text (a reason)."""
    values = list(row)
    for i in positions:
        if values[i] is None:
            continue
        try:
            json.loads(values[i])
        except ValueError:
            values[i] = json.dumps(values[i], ensure_ascii=False)
    return tuple(values)


class PostgresCycleDatabase(CycleDatabase):
    """bench_cycle's database, on PostgreSQL: the same data, the same commands."""

    def __init__(self, folder: Path, size: Size, url: str) -> None:
        from hrapp import create_app
        from hrapp.extensions import db

        self.size = size
        self.url = url
        staging = folder / "staging.sqlite"
        sqlite_app = create_app("development", SQLALCHEMY_DATABASE_URI=f"sqlite:///{staging}")
        with sqlite_app.app_context():
            db.create_all()
            db.engine.dispose()
        q3 = generate(Q3, size.streamers, size.sessions)
        q2 = generate(Q2, size.streamers, size.sessions, first_session_id=size.sessions + 1)
        roster, history = with_level_history(q3["streamers"])
        store_roster(roster, history, staging)
        store_sessions(q2, staging)
        store_sessions(q3, staging)
        self.level_changes = len(history)

        self.app = create_app("development", SQLALCHEMY_DATABASE_URI=url)
        with self.app.app_context():
            db.create_all()
            db.engine.dispose()
        copy_tables(staging, url)
        with self.app.app_context():
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        for command in (
            ["cycle", "create", Q2.code],
            ["cycle", "run", Q2.code],
            ["cycle", "finalize", Q2.code],
            ["cycle", "create", Q3.code],
            ["cycle", "run", Q3.code],  # warms the caches
        ):
            self.cli(command)
        self.q3_id = self.cycle_id(Q3.code)

    def sql(self, statement: str, *params: Any) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(postgres.libpq(self.url)) as conn:
            cursor = conn.execute(statement.replace("%", "%%").replace("?", "%s"), params)
            return cursor.fetchall() if cursor.description else []

    def engine_url(self) -> str:
        return self.url

    def instant(self, moment: pd.Timestamp) -> str:
        return moment.isoformat()


def measure(size: Size) -> list[dict[str, Any]]:
    with (
        tempfile.TemporaryDirectory(prefix="hrapp-bench-cycle-pg-") as name,
        postgres.fresh_database("bench_cycle") as url,
    ):
        folder = Path(name)
        os.environ["HRAPP_INSTANCE"] = str(folder)  # keep the job queue file out of instance/
        database = PostgresCycleDatabase(folder, size, url)
        first = timed(database.run, setup=database.first_run_setup, repeat=size.repeat)
        if database.appraisals() != size.streamers:
            raise RuntimeError(
                f"expected {size.streamers} appraisals, found {database.appraisals()}"
            )
        baseline = timed(database.run_baseline, repeat=size.repeat)
        from hrapp.extensions import db

        with database.app.app_context():
            db.engine.dispose()  # the database is dropped on leaving
    return [
        result("cycle_run_10k_pg", first, "s", baseline, RUN_TARGET_S),
        result("cycle_run_10k_pg_ratio", first / baseline, "x", None, RUN_TARGET_RATIO),
    ]


def run() -> list[dict[str, Any]]:
    if postgres.server_url() is None:
        postgres.skipped("cycle_run_10k_pg")
        return []
    return measure(size())


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
