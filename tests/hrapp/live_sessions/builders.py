"""Crafted import files and the accounts the shared samples need."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from hrapp.extensions import db
from hrapp.live_sessions.models import LiveSession, SessionHost
from hrapp.live_sessions.parsing import parse_export
from tests.factories import make_account, make_streamer

DATA = Path(__file__).parents[2] / "data" / "imports"
SEPTEMBER_CSV = "douyin_compass_2026-09.csv"
AUGUST_GB18030_CSV = "douyin_compass_2026-08.gb18030.csv"
JULY_XLSX = "douyin_compass_2026-07.xlsx"

TEMPLATE_COLUMNS = (
    "platform",
    "account_id",
    "nickname",
    "platform_session_id",
    "started_at",
    "ended_at",
    "viewers",
    "views",
    "buyers",
    "orders",
    "gmv",
    "refunds",
    "currency",
    "hosts",
)
ROW_DEFAULTS = {
    "platform": "douyin",
    "account_id": "0439563",
    "nickname": "小红的直播间",
    "platform_session_id": "",
    "started_at": "2026-09-03 19:00:00",
    "viewers": "1000",
    "views": "1500",
    "buyers": "50",
    "orders": "60",
    "gmv": "10000.00",
    "refunds": "500.00",
    "currency": "",
    "hosts": "",
}


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


ON_AIR = dt.timedelta(hours=2, minutes=30, seconds=15)


def _end_of(start: str) -> str:
    return (dt.datetime.fromisoformat(start) + ON_AIR).isoformat(sep=" ")


def template_file(*rows: dict[str, str], encoding: str = "utf-8") -> bytes:
    """A canonical-template CSV; each row overrides `ROW_DEFAULTS` (header is row 1).

    A row without `ended_at` ends 2 h 30 min 15 s after its start.
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(TEMPLATE_COLUMNS)
    for row in rows:
        values = {**ROW_DEFAULTS, **row}
        values.setdefault("ended_at", _end_of(values["started_at"]))
        writer.writerow([values[c] for c in TEMPLATE_COLUMNS])
    return buffer.getvalue().encode(encoding)


def accounts_for_sample(name: str) -> dict[str, Any]:
    """Create one streamer and one account per account the sample names; by account id."""
    rows = parse_export(sample(name), name).rows
    firsts = rows.drop_duplicates("account_id")
    accounts = {}
    for account_id, nickname in zip(firsts["account_id"], firsts["nickname"], strict=True):
        streamer = make_streamer()
        accounts[account_id] = make_account(
            streamer, account_id=account_id, nickname=nickname, platform="douyin"
        )
    db.session.commit()
    return accounts


def table_rows(model: Any) -> list[dict[str, Any]]:
    """Every row of a table, every column, in primary-key order: for exact before/after."""
    table = model.__table__
    query = select(table).order_by(*table.primary_key.columns)
    return [dict(r._mapping) for r in db.session.execute(query)]


def count(model: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def snapshot() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    db.session.expire_all()
    return table_rows(LiveSession), table_rows(SessionHost)
