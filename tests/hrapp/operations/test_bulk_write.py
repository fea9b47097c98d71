"""The bulk write path stores exactly what the ORM would, by binary COPY on PostgreSQL and by
executemany elsewhere: text with tabs, newlines and backslashes, empty text apart from NULL,
integers that passed through floats, nullable integers, instants in UTC; a big load that drops
the foreign keys, unique constraints and indexes on PostgreSQL puts them back, whether it
commits or rolls back, and checks them (a duplicate fails it whole); ids reserved for a batch
are never handed out twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest
from flask import Flask
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from hrapp.extensions import db
from hrapp.live_sessions import bulk
from hrapp.live_sessions.models import LiveSession
from tests.factories import make_account, make_streamer

NOW = pd.Timestamp("2026-10-01 08:00", tz="UTC")
REQUIRED = {"currency": "CNY", "fx_rate": "1", "created_at": NOW, "updated_at": NOW}
TITLES = ["tab\there", "back\\slash \\N", "new\nline\r", "", None, "直播间 «1»"]


def test_values_round_trip(app: Flask) -> None:
    account = make_account(make_streamer())
    db.session.commit()
    starts = pd.Series(
        pd.to_datetime([f"2026-09-0{i + 1} 12:34:56.789012" for i in range(len(TITLES))], utc=True)
    )
    frame = pd.DataFrame(
        {
            "id": range(1, len(TITLES) + 1),
            "platform_account_id": account.id,
            "title": TITLES,
            "started_at": starts,
            "gmv_fen": [1.0, None, 3.0, 4.0, 5.0, 2.0**53],  # through a float column
            "avg_watch_seconds": [0.1, 1e-05, None, 2.5, 1 / 3, 0.0],
            "peak_online": pd.array([0, None, -1, 10**9, 9_999, 10_000], dtype="Int64"),
        }
    )
    conn = db.session.connection()
    bulk.insert_frame(conn, LiveSession.__table__, frame, constants=REQUIRED)
    db.session.commit()

    stored = db.session.scalars(select(LiveSession).order_by(LiveSession.id)).all()
    assert [s.title for s in stored] == TITLES
    assert [s.gmv_fen for s in stored] == [1, None, 3, 4, 5, 2**53]
    assert [s.avg_watch_seconds for s in stored] == [0.1, 1e-05, None, 2.5, 1 / 3, 0.0]
    assert [s.peak_online for s in stored] == [0, None, -1, 10**9, 9_999, 10_000]
    assert [s.started_at for s in stored] == [t.to_pydatetime() for t in starts]
    assert stored[0].started_at.tzinfo is not None
    assert stored[0].started_at.utcoffset() == dt.timedelta(0)
    assert {(s.currency, s.fx_rate, s.created_at) for s in stored} == {("CNY", "1", NOW)}


def _plain(index: dict[str, Any]) -> str:
    """An index as text, a partial index's WHERE clause as its SQL."""
    options = {k: str(v) for k, v in index.get("dialect_options", {}).items()}
    return str({**index, "dialect_options": options})


def _constraints() -> list[Any]:
    inspector = inspect(db.session.connection())
    return [
        (
            table,
            sorted(map(str, inspector.get_foreign_keys(table))),
            sorted(map(str, inspector.get_unique_constraints(table))),
            sorted(map(_plain, inspector.get_indexes(table))),
        )
        for table in ("live_sessions", "session_hosts")
    ]


@pytest.mark.parametrize("outcome", ["commit", "rollback"])
def test_a_big_load_puts_back_its_foreign_keys_and_indexes(
    app: Flask, monkeypatch: pytest.MonkeyPatch, outcome: str
) -> None:
    monkeypatch.setattr(bulk, "REBUILD_MIN_ROWS", 1)
    account = make_account(make_streamer())
    db.session.commit()
    before = _constraints()
    frame = pd.DataFrame(
        {
            "id": [1, 2],
            "platform_account_id": [account.id, account.id],
            "started_at": pd.to_datetime(["2026-09-01 10:00", "2026-09-02 10:00"], utc=True),
        }
    )
    conn = db.session.connection()
    table = LiveSession.__table__
    with bulk.indexes_rebuilt(conn, table, ["ix_live_sessions_started_at"], len(frame)):
        bulk.insert_frame(conn, table, frame, constants=REQUIRED)
    getattr(db.session, outcome)()

    assert _constraints() == before
    stored = db.session.scalar(select(db.func.count()).select_from(LiveSession))
    assert stored == (2 if outcome == "commit" else 0)


def test_a_big_load_that_breaks_a_unique_constraint_fails_whole(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The constraints dropped for a big load are checked when they come back: two sessions of
    one account at one instant fail the insert, and nothing of it stays."""
    monkeypatch.setattr(bulk, "REBUILD_MIN_ROWS", 1)
    account = make_account(make_streamer())
    db.session.commit()
    before = _constraints()
    twice = pd.to_datetime(["2026-09-01 10:00", "2026-09-01 10:00"], utc=True)
    frame = pd.DataFrame({"id": [1, 2], "platform_account_id": account.id, "started_at": twice})
    conn = db.session.connection()
    table = LiveSession.__table__
    rebuilt = bulk.indexes_rebuilt(conn, table, ["ix_live_sessions_started_at"], len(frame))
    with pytest.raises(IntegrityError), rebuilt:
        bulk.insert_frame(conn, table, frame, constants=REQUIRED)
    db.session.rollback()

    assert _constraints() == before
    assert db.session.scalar(select(db.func.count()).select_from(LiveSession)) == 0


@pytest.mark.parametrize("big", [False, True])
def test_ids_are_reserved_past_every_id_handed_out(
    app: Flask, monkeypatch: pytest.MonkeyPatch, big: bool
) -> None:
    """A batch's ids (one range taken at once while the big load holds the table, one id at a
    time otherwise) are new and consecutive, and the next session the ORM adds gets an id
    after them."""
    monkeypatch.setattr(bulk, "REBUILD_MIN_ROWS", 1 if big else 10**9)
    account = make_account(make_streamer())
    db.session.add(LiveSession(account=account, started_at=NOW.to_pydatetime()))
    db.session.commit()
    first = db.session.scalar(select(db.func.max(LiveSession.id)))
    conn = db.session.connection()
    table = LiveSession.__table__
    with bulk.indexes_rebuilt(conn, table, [], 3) as held:
        ids = bulk.allocate_ids(conn, table, 3, held=held)
        starts = pd.date_range("2026-09-01", periods=3, freq="D", tz="UTC")
        frame = pd.DataFrame({"id": ids, "platform_account_id": account.id, "started_at": starts})
        bulk.insert_frame(conn, table, frame, constants=REQUIRED)
    later = LiveSession(account=account, started_at=(NOW + pd.Timedelta(days=1)).to_pydatetime())
    db.session.add(later)
    db.session.commit()

    assert held is (big and db.engine.dialect.name in ("sqlite", "postgresql"))
    assert ids.tolist() == list(range(ids[0], ids[0] + 3))
    assert ids[0] > first
    assert later.id > ids[-1]
