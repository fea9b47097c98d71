"""What the import benchmarks share: a database with the accounts a generated file names, and
the timed import of that file in one batch."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any


def prepare_database(url: str, account_ids: list[str]) -> Any:
    """The application on an empty database at `url`, with the schema and the Douyin accounts
    `account_ids`, each mapped to a streamer of its own."""
    from sqlalchemy import insert

    from hrapp import create_app
    from hrapp.extensions import db
    from hrapp.streamers.models import PlatformAccount, Streamer

    app = create_app("development", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        db.create_all()
        db.session.execute(
            insert(Streamer),
            [
                {"employee_no": f"E{i:05d}", "legal_name": f"主播{i}"}
                for i in range(len(account_ids))
            ],
        )
        db.session.execute(
            insert(PlatformAccount),
            [
                {
                    "platform": "douyin",
                    "account_id": a,
                    "nickname": f"直播间{i}",
                    "streamer_id": i + 1,
                }
                for i, a in enumerate(account_ids)
            ],
        )
        db.session.commit()
    return app


def timed_import(app: Any, path: Path, mapping: Any = None) -> tuple[float, int]:
    """Seconds the import of the file at `path` takes, committed, and the sessions it inserted;
    `mapping` (a ColumnMapping) reads a layout no profile knows. An import that refuses or
    leaves rows out is an error: its time would mean nothing."""
    from hrapp.extensions import db
    from hrapp.live_sessions.importer import import_sessions

    with app.app_context():
        start = time.perf_counter()
        outcome = import_sessions(path.read_bytes(), path.name, mapping=mapping)
        db.session.commit()
        seconds = time.perf_counter() - start
    if outcome.status != "imported" or outcome.inserted != outcome.total_rows:
        raise RuntimeError(f"import went wrong: {outcome.status}, {outcome.problems[:5]}")
    return seconds, outcome.inserted
