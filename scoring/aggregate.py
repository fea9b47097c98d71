"""A quarter's figures per streamer, aggregated from live sessions and their hosts.

Vectorised: hosts are matched to sessions by an index lookup, streamer ids are factorised once,
and every column is summed per streamer with `numpy.bincount` (exact for integers; see
`_Grouper`); no Python loop runs over sessions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.errors import ScoringInputError
from scoring.frames import (
    FULL_SHARE_BP,
    SESSION_COUNT_COLUMNS,
    SESSION_MONEY_COLUMNS,
    floats,
    host_problems,
    integers,
    session_problems,
)
from scoring.period import Period

SUM_COLUMNS = (*SESSION_MONEY_COLUMNS, *SESSION_COUNT_COLUMNS)
RATIO_COLUMNS = (
    "avg_watch_seconds",
    "conversion",
    "refund_rate",
    "gpm",
    "uv_value",
    "gmv_per_hour",
    "follow_rate",
)
FIGURE_COLUMNS = (
    "streamer_id",
    "sessions",
    "test_sessions",
    "on_air_seconds",
    "gmv_fen",
    "refunds_fen",
    "net_gmv_fen",
    "viewers",
    "views",
    "avg_watch_seconds",
    "new_followers",
    "unfollows",
    "net_followers",
    "buyers",
    "orders",
    "conversion",
    "refund_rate",
    "gpm",
    "uv_value",
    "gmv_per_hour",
    "follow_rate",
    "data_incomplete",
    "incomplete_reasons",
)
# Σnumerator ÷ Σdenominator × scale. Numerators are share-weighted (basis points); so are the
# denominators, which cancels the weighting, except on-air seconds for gmv_per_hour.
_RATIO_SCALE = {"gpm": 1000.0, "gmv_per_hour": 3600.0 / FULL_SHARE_BP}
_UNKNOWN_LABELS = {"on_air": "on-air time (no end time, no duration)"}
_FLOAT_EXACT_INTEGERS = 2**53


def aggregate_sessions(
    sessions: pd.DataFrame,
    hosts: pd.DataFrame,
    period: Period,
    *,
    min_session_seconds: int = 300,
) -> pd.DataFrame:
    """One row per streamer hosting at least one session that starts inside `period`.

    sessions (one row per live session; nullable columns use NA/NaN for unknown):
        session_id int; started_at tz-aware datetime (UTC); ended_at tz-aware datetime, nullable;
        on_air_seconds, viewers, views, new_followers, unfollows, buyers, orders, gmv_fen,
        refunds_fen: nullable integers (int64, Int64 or whole float64), >= 0, money in fen;
        avg_watch_seconds: nullable float, per view as the platform exports it.
    hosts: session_id, streamer_id, share_bp (1..10000 basis points; a session's shares add up
        to at most 10000 — less leaves the rest unattributed, e.g. to a guest not appraised).
        Hosts of sessions outside `sessions` or outside the period are ignored.

    A session belongs to the period when it *starts* on one of the period's dates in the
    period's time zone. Its on-air time is ended_at − started_at to the second (floored), or
    on_air_seconds when there is no end time (the exported minutes are rounded).

    Output columns (sorted by streamer_id):
        streamer_id; sessions (count, test sessions included); test_sessions;
        on_air_seconds: Σ on-air time, NOT share-weighted — a co-host is on air for the whole
            session (this is what the hours gate and the not-graded threshold measure);
        gmv_fen, refunds_fen: Σ(value × share_bp) ÷ 10000, rounded half up once per streamer;
        net_gmv_fen = gmv_fen − refunds_fen (so the three figures always add up);
        viewers, views, new_followers, unfollows, buyers, orders: share-weighted like money;
        net_followers = new_followers − unfollows;
        ratios (float, NaN when undefined — never 0 for "no data"), from summed parts:
            avg_watch_seconds = Σ(watch × views) ÷ Σviews (viewers where views are unknown),
            conversion = Σbuyers ÷ Σviewers, refund_rate = Σrefunds ÷ ΣGMV,
            gpm = ΣGMV ÷ Σviews × 1000 (fen per 1000 views), uv_value = ΣGMV ÷ Σviewers (fen),
            gmv_per_hour = ΣGMV ÷ Σon-air hours (fen per hour), follow_rate = Σnew ÷ Σviewers;
        data_incomplete (bool) and incomplete_reasons (tuple of str).

    Unknown is not 0: a total sums the known values, is NA when every contributing value is
    unknown, and any unknown value sets data_incomplete with a reason such as
    `refunds_fen unknown in 2 of 40 sessions`. Ratios use only sessions where both parts are
    known. Test sessions — known zero viewers, or shorter than `min_session_seconds` — count in
    the totals but not in the ratios (their ratios are meaningless) nor, through them, in peer
    comparisons.

    Raises `ScoringInputError` listing every problem in both frames. Inputs are not modified.
    """
    problems = session_problems(sessions) + host_problems(hosts)
    if problems:
        raise ScoringInputError(problems)
    return quarter_figures(sessions, hosts, period, min_session_seconds)


def quarter_figures(
    sessions: pd.DataFrame, hosts: pd.DataFrame, period: Period, min_session_seconds: int
) -> pd.DataFrame:
    """`aggregate_sessions` on frames already checked by the caller."""
    low, high = period.utc_bounds()
    started = sessions["started_at"]
    inside = sessions[((started >= low) & (started < high)).to_numpy(dtype=bool)]
    position = pd.Index(inside["session_id"].to_numpy(dtype=np.int64)).get_indexer(
        hosts["session_id"].to_numpy(dtype=np.int64)
    )
    hosted = position >= 0
    codes, streamer_ids = pd.factorize(
        hosts["streamer_id"].to_numpy(dtype=np.int64)[hosted], sort=True
    )
    share = hosts["share_bp"].to_numpy(dtype=np.int64)[hosted]
    sums = _sums(
        inside, position[hosted], share, _Grouper(codes, len(streamer_ids)), min_session_seconds
    )
    return _figures(np.asarray(streamer_ids, dtype=np.int64), sums)


class _Grouper:
    """Per-streamer sums over (session, host) rows, given each row's streamer code."""

    def __init__(self, codes: np.ndarray, groups: int) -> None:
        self.codes = codes
        self.groups = groups

    def count(self, mask: np.ndarray) -> np.ndarray:
        return np.bincount(self.codes[mask], minlength=self.groups)

    def total(self, values: np.ndarray) -> np.ndarray:
        """Float sums, or exact int64 sums of non-negative integers."""
        sums = np.bincount(self.codes, weights=values, minlength=self.groups)
        if values.dtype.kind == "f":
            return sums
        # bincount adds in float64: exact while every partial sum stays below 2**53, which for
        # non-negative values holds when every final sum does. Otherwise add as int64.
        if sums.max(initial=0) < _FLOAT_EXACT_INTEGERS:
            return sums.astype(np.int64)
        exact = pd.Series(values).groupby(self.codes, sort=True).sum()
        return exact.to_numpy(dtype=np.int64)


def _durations(sessions: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(on-air seconds with unknown as 0, known mask) per session."""
    reported, reported_known = integers(sessions["on_air_seconds"])
    ended = sessions["ended_at"]
    if isinstance(ended.dtype, pd.DatetimeTZDtype):
        clock = (ended - sessions["started_at"]).dt.total_seconds()
        clock_seconds = np.floor(clock.to_numpy(dtype=np.float64, na_value=np.nan))
    else:  # an all-null column: no end times at all
        clock_seconds = np.full(len(sessions), np.nan)
    clock_known = ~np.isnan(clock_seconds)
    seconds = np.where(clock_known, clock_seconds, reported).astype(np.int64)
    return seconds, clock_known | reported_known


def _sums(
    sessions: pd.DataFrame,
    position: np.ndarray,
    share: np.ndarray,
    group: _Grouper,
    min_session_seconds: int,
) -> dict[str, np.ndarray]:
    """Per streamer: counts, share-weighted totals (basis points), unknown counts, ratio parts.

    `position[i]` is the session of (session, host) row i, `share[i]` its share in basis points.
    """
    seconds, seconds_known = _durations(sessions)
    values = {column: integers(sessions[column]) for column in SUM_COLUMNS}
    viewers, viewers_known = values["viewers"]
    test = (viewers_known & (viewers == 0)) | (seconds_known & (seconds < min_session_seconds))
    sums = {
        "sessions": group.count(np.ones(len(position), dtype=bool)),
        "test_sessions": group.count(test[position]),
        "on_air_seconds": group.total(seconds[position]),
        "unknown_on_air": group.count(~seconds_known[position]),
    }
    for column, (value, known) in values.items():
        sums[f"{column}_bp"] = group.total(value[position] * share)
        sums[f"unknown_{column}"] = group.count(~known[position])
    watch = floats(sessions["avg_watch_seconds"])
    watch_known = ~np.isnan(watch)
    sums["unknown_avg_watch_seconds"] = group.count(~watch_known[position])

    views, views_known = values["views"]
    base = np.where(views_known, views, viewers)
    gmv, refunds, buyers, followers = (
        values[c] for c in ("gmv_fen", "refunds_fen", "buyers", "new_followers")
    )
    ratio_parts = {
        "avg_watch_seconds": (
            (np.where(watch_known, watch, 0) * base, watch_known),
            (base, views_known | viewers_known),
        ),
        "conversion": (buyers, values["viewers"]),
        "refund_rate": (refunds, gmv),
        "gpm": (gmv, values["views"]),
        "uv_value": (gmv, values["viewers"]),
        "gmv_per_hour": (gmv, (seconds, seconds_known)),
        "follow_rate": (followers, values["viewers"]),
    }
    weight = share.astype(np.float64)
    for name, ((num, num_known), (den, den_known)) in ratio_parts.items():
        # Only sessions that are not test streams and know both parts.
        take = (~test & num_known & den_known)[position]
        den_weight = 1.0 if name == "gmv_per_hour" else weight
        sums[f"{name}_num"] = group.total(np.where(take, num[position] * weight, 0.0))
        sums[f"{name}_den"] = group.total(np.where(take, den[position] * den_weight, 0.0))
    return sums


def _known_total(total: np.ndarray, unknown: np.ndarray, sessions: np.ndarray) -> pd.Series:
    """Integer totals; NA where every contributing value was unknown."""
    return pd.Series(total, dtype="Int64").mask(pd.Series(unknown >= sessions))


def _figures(streamer_ids: np.ndarray, sums: dict[str, np.ndarray]) -> pd.DataFrame:
    count = sums["sessions"]
    out: dict[str, object] = {
        "streamer_id": streamer_ids,
        "sessions": count,
        "test_sessions": sums["test_sessions"],
        "on_air_seconds": _known_total(sums["on_air_seconds"], sums["unknown_on_air"], count),
    }
    for column in SUM_COLUMNS:
        # Non-negative integers: one half-up division turns basis-point sums into units.
        units = (sums[f"{column}_bp"] + FULL_SHARE_BP // 2) // FULL_SHARE_BP
        out[column] = _known_total(units, sums[f"unknown_{column}"], count)
    for name in RATIO_COLUMNS:
        num, den = sums[f"{name}_num"], sums[f"{name}_den"]
        ratio = np.divide(num, den, out=np.full(len(num), np.nan), where=den > 0)
        out[name] = ratio * _RATIO_SCALE.get(name, 1.0)
    frame = pd.DataFrame(out)
    frame["net_gmv_fen"] = frame["gmv_fen"] - frame["refunds_fen"]
    frame["net_followers"] = frame["new_followers"] - frame["unfollows"]
    reasons = _reasons(sums, count)
    frame["data_incomplete"] = np.array([bool(r) for r in reasons], dtype=bool)
    frame["incomplete_reasons"] = pd.Series(reasons, dtype=object)
    return frame[list(FIGURE_COLUMNS)]


def _reasons(sums: dict[str, np.ndarray], count: np.ndarray) -> list[tuple[str, ...]]:
    reasons: list[list[str]] = [[] for _ in range(len(count))]
    for column in ("on_air", *SUM_COLUMNS, "avg_watch_seconds"):
        unknown = sums[f"unknown_{column}"]
        label = _UNKNOWN_LABELS.get(column, column)
        for row in np.flatnonzero(unknown):
            reasons[row].append(f"{label} unknown in {unknown[row]} of {count[row]} sessions")
    return [tuple(r) for r in reasons]


def with_all_streamers(figures: pd.DataFrame, streamer_ids: np.ndarray) -> pd.DataFrame:
    """Figures reindexed to `streamer_ids`; a streamer without sessions gets true zeros.

    Sums and counts are 0 (nothing happened, which is known), ratios NaN, not incomplete.
    """
    ids = pd.Index(np.asarray(streamer_ids, dtype=np.int64), name="streamer_id")
    frame = figures.set_index("streamer_id").reindex(ids)
    absent = ~ids.isin(figures["streamer_id"])
    zero_columns = [
        c
        for c in FIGURE_COLUMNS[1:]
        if c not in RATIO_COLUMNS and c not in ("data_incomplete", "incomplete_reasons")
    ]
    for column in zero_columns:
        frame[column] = frame[column].mask(absent, 0)
    frame["sessions"] = frame["sessions"].astype(np.int64)
    frame["test_sessions"] = frame["test_sessions"].astype(np.int64)
    incomplete = frame["data_incomplete"].to_numpy(dtype=object)
    frame["data_incomplete"] = np.where(absent, False, incomplete).astype(bool)
    frame["incomplete_reasons"] = pd.Series(
        [() if gone else r for gone, r in zip(absent, frame["incomplete_reasons"], strict=True)],
        index=frame.index,
        dtype=object,
    )
    return frame.reset_index()
