"""Builders for the scoring library's input frames, with the dtypes the Flask app will pass."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from scoring.training import ModuleRule

ORG_TZ = "Asia/Shanghai"
# The default curriculum's pass marks and validity (hrapp.training.curriculum): the rule the
# promotion checklist asks of each module, as the app hands it over.
CURRICULUM = {
    rule.code: rule
    for rule in (
        ModuleRule("SCRIPT-1"),
        ModuleRule("PRODUCT-1"),
        ModuleRule("FANS-1"),
        ModuleRule("EMERGENCY-1"),
        ModuleRule("COMPLIANCE-1", pass_mark=80, validity_months=12),
        ModuleRule("MOCKLIVE-1"),
        ModuleRule("PRACTICAL-1", pass_mark=80),
        ModuleRule("MENTOR-1", pass_mark=85),
    )
}
SESSION_DEFAULTS: dict[str, Any] = {
    "on_air_seconds": None,
    "viewers": 1000,
    "views": 2000,
    "avg_watch_seconds": 60.0,
    "new_followers": 50,
    "unfollows": 5,
    "buyers": 20,
    "orders": 25,
    "gmv_fen": 1_000_000,
    "refunds_fen": 100_000,
}
INT_COLUMNS = [c for c in SESSION_DEFAULTS if c != "avg_watch_seconds"]


def session(
    session_id: int, start: str = "2026-07-10 20:00", minutes: float | None = 120, **values: Any
) -> dict[str, Any]:
    """One session starting at local time `start` (org zone), lasting `minutes` (None: no end)."""
    started = pd.Timestamp(start, tz=ORG_TZ)
    ended = None if minutes is None else started + pd.Timedelta(minutes=minutes)
    return {
        "session_id": session_id,
        "started_at": started,
        "ended_at": ended,
        **SESSION_DEFAULTS,
        **values,
    }


def sessions_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame["started_at"] = pd.to_datetime(frame["started_at"], utc=True)
    frame["ended_at"] = pd.to_datetime(frame["ended_at"], utc=True)
    for column in INT_COLUMNS:
        frame[column] = pd.array(frame[column].tolist(), dtype="Int64")
    frame["avg_watch_seconds"] = frame["avg_watch_seconds"].astype("float64")
    frame["session_id"] = frame["session_id"].astype("int64")
    return frame


def hosts_frame(rows: list[tuple[int, int, int]]) -> pd.DataFrame:
    """(session_id, streamer_id, share_bp) rows."""
    return pd.DataFrame(rows, columns=["session_id", "streamer_id", "share_bp"]).astype("int64")


def solo_hosts(sessions: pd.DataFrame, streamer_id: int) -> pd.DataFrame:
    return hosts_frame([(int(sid), streamer_id, 10_000) for sid in sessions["session_id"]])


def streamers_frame(rows: list[tuple[int, str, str | None, dt.date | None]]) -> pd.DataFrame:
    """(streamer_id, level, category, level_since) rows."""
    frame = pd.DataFrame(rows, columns=["streamer_id", "level", "category", "level_since"])
    frame["category"] = frame["category"].astype(object)
    return frame


def quarter_sessions(
    first_id: int, count: int, hours_each: float, **values: Any
) -> list[dict[str, Any]]:
    """`count` sessions spread over July 2026, each `hours_each` long."""
    return [
        session(
            first_id + i, start=f"2026-07-{1 + i % 28:02d} 20:00", minutes=hours_each * 60, **values
        )
        for i in range(count)
    ]
