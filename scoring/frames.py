"""Checks on the caller's input frames, and the conversions the calculations rely on.

Every check is vectorised and every problem is collected (`sessions.gmv_fen: negative in 2 rows
(session_id 5, 9)`), so one `ScoringInputError` tells the caller everything at once. Nothing here
modifies a frame it is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from scoring.keys import duplicated as duplicated_rows

SESSION_COUNT_COLUMNS = ("viewers", "views", "new_followers", "unfollows", "buyers", "orders")
SESSION_MONEY_COLUMNS = ("gmv_fen", "refunds_fen")
SESSION_COLUMNS = (
    "session_id",
    "started_at",
    "ended_at",
    "on_air_seconds",
    *SESSION_COUNT_COLUMNS,
    "avg_watch_seconds",
    *SESSION_MONEY_COLUMNS,
)
HOST_COLUMNS = ("session_id", "streamer_id", "share_bp")
STREAMER_COLUMNS = ("streamer_id", "level", "category", "level_since")
FULL_SHARE_BP = 10_000
# ¥100bn in one session is no real figure; the bound keeps share-weighted sums inside int64.
MAX_SESSION_FEN = 10**13
_SHOWN_IDS = 5
_FLOAT_EXACT_INTEGERS = 2**53


def missing_columns(frame: pd.DataFrame, name: str, columns: Sequence[str]) -> list[str]:
    return [
        f"{name}: missing column {column!r}" for column in columns if column not in frame.columns
    ]


def rows(frame: pd.DataFrame, mask: np.ndarray, label: str) -> str:
    """`3 rows (session_id 5, 9, 12)`: how many rows match `mask`, naming the first few."""
    count = int(mask.sum())
    shown = ", ".join(str(value) for value in frame[label].to_numpy()[mask][:_SHOWN_IDS])
    more = ", …" if count > _SHOWN_IDS else ""
    return f"{count} row{'' if count == 1 else 's'} ({label} {shown}{more})"


def _blank(series: pd.Series) -> bool:
    """An all-null column arrives as `object` from SQL; it is a valid nullable column."""
    return bool(series.dtype == object and series.isna().all())


def integer_problems(
    frame: pd.DataFrame,
    name: str,
    column: str,
    label: str,
    *,
    nullable: bool,
    low: int = 0,
    high: int | None = None,
) -> list[str]:
    """An integer column (int64, Int64, or float64 holding whole numbers and NaN)."""
    series = frame[column]
    path = f"{name}.{column}"
    if _blank(series):
        return [] if nullable else [f"{path}: unknown in every row"]
    if not pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        return [f"{path}: must be integers, got dtype {series.dtype}"]
    if _within(series, low, high):
        return []
    values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    known = ~np.isnan(values)
    problems = []
    if not nullable and not known.all():
        problems.append(f"{path}: unknown in {rows(frame, ~known, label)}")
    checks = (
        (known & (values != np.floor(values)), "not a whole number"),
        (known & (values < low), f"below {low}"),
        (known & (values > high) if high is not None else known & False, f"above {high}"),
    )
    problems += [
        f"{path}: {why} in {rows(frame, mask, label)}" for mask, why in checks if mask.any()
    ]
    return problems


def _within(series: pd.Series, low: int, high: int | None) -> bool:
    """A plain int64 column (never unknown, always whole) whose values all lie in [low, high]:
    two reductions instead of the row-by-row checks, which then could only find nothing."""
    if series.dtype != np.int64 or not len(series):
        return False
    values = series.to_numpy()
    return bool(values.min() >= low and (high is None or values.max() <= high))


def float_problems(frame: pd.DataFrame, name: str, column: str, label: str) -> list[str]:
    """A nullable, non-negative, finite float column."""
    series = frame[column]
    if _blank(series):
        return []
    if not pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        return [f"{name}.{column}: must be numbers, got dtype {series.dtype}"]
    values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isnan(values) & ((values < 0) | ~np.isfinite(values))
    return (
        [f"{name}.{column}: negative or infinite in {rows(frame, bad, label)}"] if bad.any() else []
    )


def integers(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(values with unknown as 0, known mask) of a checked integer column.

    Values pass through float64 as they always have (so a count beyond 2**53 is rounded the
    same way); a plain int64 column below that bound is taken as it is, which is the same.
    """
    if series.dtype == np.int64:
        exact = series.to_numpy()
        if not len(exact) or exact.max() < _FLOAT_EXACT_INTEGERS:
            return exact, np.ones(len(exact), dtype=bool)
    values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    known = ~np.isnan(values)
    return np.where(known, values, 0).astype(np.int64), known


def plain(series: pd.Series) -> list[Any]:
    """Python scalars (int, float, str, bool, date ...) with None for NA, NaN and NaT."""
    values = series.to_numpy(dtype=object, copy=True)  # a view may be read-only (copy-on-write)
    values[pd.isna(values)] = None
    return list(values)


def floats(series: pd.Series) -> np.ndarray:
    """A checked float column with NaN for unknown."""
    return series.to_numpy(dtype=np.float64, na_value=np.nan)


def _datetime_problems(frame: pd.DataFrame, column: str, *, nullable: bool) -> list[str]:
    series = frame[column]
    if nullable and _blank(series):
        return []
    if not isinstance(series.dtype, pd.DatetimeTZDtype):
        return [f"sessions.{column}: must be time-zone-aware datetimes, got dtype {series.dtype}"]
    unknown = series.isna().to_numpy()
    if not nullable and unknown.any():
        return [f"sessions.{column}: unknown in {rows(frame, unknown, 'session_id')}"]
    return []


def session_problems(sessions: pd.DataFrame) -> list[str]:
    """Every problem in the sessions frame (columns listed in `aggregate_sessions`)."""
    problems = missing_columns(sessions, "sessions", SESSION_COLUMNS)
    if "session_id" not in sessions.columns:
        return problems
    present = set(sessions.columns)
    label = "session_id"
    problems += integer_problems(sessions, "sessions", "session_id", label, nullable=False)
    duplicated = duplicated_rows(sessions["session_id"])
    if duplicated.any():
        problems.append(f"sessions.session_id: duplicated in {rows(sessions, duplicated, label)}")
    time_problems = [
        problem
        for column, nullable in (("started_at", False), ("ended_at", True))
        if column in present
        for problem in _datetime_problems(sessions, column, nullable=nullable)
    ]
    problems += time_problems
    times_usable = not time_problems and {"started_at", "ended_at"} <= present
    if times_usable and not _blank(sessions["ended_at"]):
        early = (sessions["ended_at"] < sessions["started_at"]).to_numpy(dtype=bool, na_value=False)
        if early.any():
            problems.append(
                f"sessions.ended_at: before started_at in {rows(sessions, early, label)}"
            )
    for column in ("on_air_seconds", *SESSION_COUNT_COLUMNS, *SESSION_MONEY_COLUMNS):
        if column in present:
            high = MAX_SESSION_FEN if column in SESSION_MONEY_COLUMNS else None
            problems += integer_problems(
                sessions, "sessions", column, label, nullable=True, high=high
            )
    if "avg_watch_seconds" in present:
        problems += float_problems(sessions, "sessions", "avg_watch_seconds", label)
    return problems


def host_problems(hosts: pd.DataFrame) -> list[str]:
    """Every problem in the hosts frame: ids, shares in 1..10000, shares per session <= 100%."""
    problems = missing_columns(hosts, "hosts", HOST_COLUMNS)
    if problems:
        return problems
    for column in ("session_id", "streamer_id"):
        problems += integer_problems(hosts, "hosts", column, "session_id", nullable=False)
    problems += integer_problems(
        hosts, "hosts", "share_bp", "session_id", nullable=False, low=1, high=FULL_SHARE_BP
    )
    if not all(pd.api.types.is_numeric_dtype(hosts[c].dtype) for c in HOST_COLUMNS):
        return problems
    # Only sessions with several hosts can repeat a streamer or exceed 100% (each share is
    # at most 10000), so the costlier checks run on those rows alone.
    shared = hosts[duplicated_rows(hosts["session_id"])]
    duplicated = shared.duplicated(["session_id", "streamer_id"], keep=False).to_numpy()
    if duplicated.any():
        problems.append(
            f"hosts: streamer listed twice for {rows(shared, duplicated, 'session_id')}"
        )
    over = (shared.groupby("session_id")["share_bp"].transform("sum") > FULL_SHARE_BP).to_numpy()
    if over.any():
        where = rows(shared, over, "session_id")
        problems.append(f"hosts.share_bp: shares add up to more than 10000 in {where}")
    return problems


def streamer_problems(streamers: pd.DataFrame, level_keys: Sequence[str]) -> list[str]:
    """Every problem in the streamers frame: unique ids, levels known to the scheme, dates."""
    problems = missing_columns(streamers, "streamers", STREAMER_COLUMNS)
    if "streamer_id" not in streamers.columns:
        return problems
    label = "streamer_id"
    problems += integer_problems(streamers, "streamers", "streamer_id", label, nullable=False)
    duplicated = streamers["streamer_id"].duplicated(keep=False).to_numpy()
    if duplicated.any():
        problems.append(
            f"streamers.streamer_id: duplicated in {rows(streamers, duplicated, label)}"
        )
    if "level" in streamers.columns:
        unknown = ~streamers["level"].isin(list(level_keys)).to_numpy()
        if unknown.any():
            problems.append(
                f"streamers.level: not a level of the scheme ({', '.join(level_keys)}) "
                f"in {rows(streamers, unknown, label)}"
            )
    if "level_since" in streamers.columns:
        problems += date_problems(streamers, "streamers", "level_since", label, nullable=True)
    return problems


def date_problems(
    frame: pd.DataFrame, name: str, column: str, label: str, *, nullable: bool
) -> list[str]:
    """A column of `datetime.date` values or naive datetime64 at midnight."""
    series = frame[column]
    unknown = series.isna().to_numpy()
    if not nullable and unknown.any():
        return [f"{name}.{column}: unknown in {rows(frame, unknown, label)}"]
    try:
        converted = dates(series)
    except (TypeError, ValueError):
        return [f"{name}.{column}: must hold dates"]
    bad = ~unknown & converted.isna().to_numpy()
    return [f"{name}.{column}: not a date in {rows(frame, bad, label)}"] if bad.any() else []


def dates(series: pd.Series) -> pd.Series:
    """Dates as naive datetime64 (NaT for unknown or unreadable values)."""
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        raise TypeError("dates must not carry a time zone")
    return pd.to_datetime(series, errors="coerce")
