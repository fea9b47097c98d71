"""A quarter's figures per streamer, aggregated from live sessions and their hosts.

Vectorised: hosts are matched to sessions by an index lookup, streamer ids are factorised once,
and every column is summed per streamer with `numpy.bincount` (exact for integers; see
`Rows`); no Python loop runs over sessions. A ratio's parts are the column totals less the few
sessions the ratio leaves out, not a fresh pass over every session per ratio.
"""

from __future__ import annotations

from typing import Any

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
from scoring.keys import factorize_sorted, positions
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
# Ratio -> (numerator, denominator) totals (`on_air` is not share-weighted); avg_watch_seconds,
# whose numerator is fractional, is summed apart.
_RATIO_PARTS = {
    "conversion": ("buyers", "viewers"),
    "refund_rate": ("refunds_fen", "gmv_fen"),
    "gpm": ("gmv_fen", "views"),
    "uv_value": ("gmv_fen", "viewers"),
    "gmv_per_hour": ("gmv_fen", "on_air"),
    "follow_rate": ("new_followers", "viewers"),
}
# The figure an unknown value leaves incomplete, where it is not the counter's own name: a
# session's on-air time is unknown when it has neither an end time nor a duration.
_UNKNOWN_FIGURES = {"on_air": "on_air_seconds"}
UNKNOWN_IN_SESSIONS = "unknown_in_sessions"  # the code of every incomplete reason
Reason = dict[str, Any]
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
        data_incomplete (bool) and incomplete_reasons (tuple of dicts, one per figure with
            unknown values, in the order on_air_seconds, gmv_fen, refunds_fen, viewers, views,
            new_followers, unfollows, buyers, orders, avg_watch_seconds; see `_reasons`).

    Unknown is not 0: a total sums the known values, is NA when every contributing value is
    unknown, and any unknown value sets data_incomplete with a reason such as
    `{"code": "unknown_in_sessions", "figure": "refunds_fen", "missing": 2, "sessions": 40}`
    (refunds unknown in 2 of 40 sessions). Ratios use only sessions where both parts are
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
    position = positions(
        inside["session_id"].to_numpy(dtype=np.int64), hosts["session_id"].to_numpy(dtype=np.int64)
    )
    streamer = hosts["streamer_id"].to_numpy(dtype=np.int64)
    share = hosts["share_bp"].to_numpy(dtype=np.int64)
    hosted = position >= 0
    if not hosted.all():
        position, streamer, share = position[hosted], streamer[hosted], share[hosted]
    codes, streamer_ids = factorize_sorted(streamer)
    rows = Rows(position, share, codes, len(streamer_ids))
    return _figures(streamer_ids, _sums(inside, rows, min_session_seconds))


class Total:
    """A per-streamer sum of `values` (per session), share-weighted or not."""

    def __init__(self, values: np.ndarray, weighted: bool, sums: np.ndarray, exact: bool) -> None:
        self.values = values
        self.weighted = weighted
        self.sums = sums  # int64
        # Every row's term and every partial sum of every streamer is an integer below 2**53:
        # adding the terms in float64, in any order and any subset, is exact.
        self.exact_in_float = exact


class Rows:
    """The quarter's (session, host) rows: each row's session, share (basis points) and
    streamer code; sums per streamer.

    `numpy.bincount` adds in float64 in row order: exact while every partial sum stays below
    2**53, which for the non-negative values here holds when every final sum does.
    """

    def __init__(
        self, session: np.ndarray, share: np.ndarray, codes: np.ndarray, groups: int
    ) -> None:
        self.session = session
        self.share = share
        self.codes = codes
        self.groups = groups

    def per_streamer(self) -> np.ndarray:
        return np.bincount(self.codes, minlength=self.groups)

    def count(self, flagged: np.ndarray) -> np.ndarray:
        """Per streamer: rows whose session is flagged."""
        if not flagged.any():
            return np.zeros(self.groups, dtype=np.intp)
        return np.bincount(self.codes[flagged[self.session]], minlength=self.groups)

    def total(self, values: np.ndarray, *, weighted: bool = True) -> Total:
        """Σ value (× share when `weighted`) per streamer, exact in int64 for non-negative
        integers."""
        terms = values[self.session] * self.share if weighted else values[self.session]
        sums = np.bincount(self.codes, weights=terms, minlength=self.groups)
        below = sums.max(initial=0) < _FLOAT_EXACT_INTEGERS
        # A weighted term could leave int64 only for an absurd count; then the float path
        # below is used for the ratios, as it always was.
        products_fit = not weighted or int(values.max(initial=0)) * FULL_SHARE_BP < 2**63
        if below:
            exact = sums.astype(np.int64)
        else:
            exact = pd.Series(terms).groupby(self.codes, sort=True).sum().to_numpy(dtype=np.int64)
        return Total(values, weighted, exact, bool(below and products_fit))

    def part(self, total: Total, kept: Kept, sources: tuple[str, ...]) -> np.ndarray:
        """float64 Σ of `total`'s terms over the rows whose session `kept` keeps for a ratio of
        `sources` — bit for bit what a float bincount of those rows gives.

        When the total is exact in float, that is the total minus the rows left out (usually
        the few test streams); otherwise the float sum is taken row by row.
        """
        if total.exact_in_float:
            sums = total.sums
            left_out = kept.rows_left_out(sources)
            if len(left_out):
                terms = total.values[self.session[left_out]]
                if total.weighted:
                    terms = terms * self.share[left_out]
                dropped = np.bincount(self.codes[left_out], weights=terms, minlength=self.groups)
                sums = sums - dropped.astype(np.int64)
            return sums.astype(np.float64)
        return self.float_sum(total.values, kept.sessions(sources), weighted=total.weighted)

    def float_sum(self, values: np.ndarray, take: np.ndarray, *, weighted: bool) -> np.ndarray:
        """Σ value (× share) in float64 over rows whose session is taken, in row order."""
        weight = self.share.astype(np.float64) if weighted else 1.0
        terms = np.where(take[self.session], values[self.session] * weight, 0.0)
        return np.bincount(self.codes, weights=terms, minlength=self.groups)


class Kept:
    """The sessions a ratio counts: not test streams, and every part of the ratio known."""

    def __init__(self, rows: Rows, test: np.ndarray, known: dict[str, np.ndarray]) -> None:
        self._rows = rows
        self._test = test
        self._known = known
        self._unknown_somewhere = {name for name, mask in known.items() if not mask.all()}
        self._sessions: dict[tuple[str, ...], np.ndarray] = {}
        self._left_out: dict[tuple[str, ...], np.ndarray] = {}

    def _key(self, sources: tuple[str, ...]) -> tuple[str, ...]:
        """Ratios whose parts are all fully known keep the same sessions: computed once."""
        return tuple(sorted(self._unknown_somewhere.intersection(sources)))

    def sessions(self, sources: tuple[str, ...]) -> np.ndarray:
        key = self._key(sources)
        if key not in self._sessions:
            keep = ~self._test
            for name in key:
                keep = keep & self._known[name]
            self._sessions[key] = keep
        return self._sessions[key]

    def rows_left_out(self, sources: tuple[str, ...]) -> np.ndarray:
        key = self._key(sources)
        if key not in self._left_out:
            dropped = ~self.sessions(sources)
            self._left_out[key] = (
                np.flatnonzero(dropped[self._rows.session])
                if dropped.any()
                else np.zeros(0, dtype=np.intp)
            )
        return self._left_out[key]


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


def _sums(sessions: pd.DataFrame, rows: Rows, min_session_seconds: int) -> dict[str, np.ndarray]:
    """Per streamer: counts, share-weighted totals (basis points), unknown counts, ratio parts."""
    seconds, seconds_known = _durations(sessions)
    values = {column: integers(sessions[column]) for column in SUM_COLUMNS}
    viewers, viewers_known = values["viewers"]
    test = (viewers_known & (viewers == 0)) | (seconds_known & (seconds < min_session_seconds))
    totals = {column: rows.total(value) for column, (value, _) in values.items()}
    totals["on_air"] = rows.total(seconds, weighted=False)
    sums = {
        "sessions": rows.per_streamer(),
        "test_sessions": rows.count(test),
        "on_air_seconds": totals["on_air"].sums,
        "unknown_on_air": rows.count(~seconds_known),
    }
    for column, (_, known) in values.items():
        sums[f"{column}_bp"] = totals[column].sums
        sums[f"unknown_{column}"] = rows.count(~known)
    watch = floats(sessions["avg_watch_seconds"])
    watch_known = ~np.isnan(watch)
    sums["unknown_avg_watch_seconds"] = rows.count(~watch_known)

    views, views_known = values["views"]
    # Watch time is weighted by views, or by viewers where views are unknown.
    base = np.where(views_known, views, viewers)
    totals["watch_base"] = totals["views"] if views_known.all() else rows.total(base)
    knowns = {column: mask for column, (_, mask) in values.items()}
    knowns.update(on_air=seconds_known, watch=watch_known, watch_base=views_known | viewers_known)
    kept = Kept(rows, test, knowns)
    watched = np.where(watch_known, watch, 0) * base  # fractional: summed in float, row by row
    sums["avg_watch_seconds_num"] = rows.float_sum(
        watched, kept.sessions(("watch", "watch_base")), weighted=True
    )
    sums["avg_watch_seconds_den"] = rows.part(totals["watch_base"], kept, ("watch", "watch_base"))
    for name, (numerator, denominator) in _RATIO_PARTS.items():
        sources = (numerator, denominator)
        sums[f"{name}_num"] = rows.part(totals[numerator], kept, sources)
        sums[f"{name}_den"] = rows.part(totals[denominator], kept, sources)
    return sums


def _known_total(total: np.ndarray, unknown: np.ndarray, sessions: np.ndarray) -> pd.Series:
    """Integer totals; NA where every contributing value was unknown."""
    return pd.Series(pd.arrays.IntegerArray(total.astype(np.int64), unknown >= sessions))


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
    frame["data_incomplete"] = np.fromiter(map(bool, reasons), dtype=bool, count=len(reasons))
    frame["incomplete_reasons"] = pd.Series(reasons, dtype=object)
    return frame[list(FIGURE_COLUMNS)]


def _reasons(sums: dict[str, np.ndarray], count: np.ndarray) -> list[tuple[Reason, ...]]:
    """Per streamer, one reason per figure with unknown values, as a code with its facts:
    {"code": "unknown_in_sessions", "figure", "missing", "sessions"} (only streamers with any
    are visited)."""
    reasons: list[tuple[Reason, ...]] = [()] * len(count)
    for column in ("on_air", *SUM_COLUMNS, "avg_watch_seconds"):
        unknown = sums[f"unknown_{column}"]
        figure = _UNKNOWN_FIGURES.get(column, column)
        flagged = np.flatnonzero(unknown)
        for row, missing, total in zip(
            flagged.tolist(), unknown[flagged].tolist(), count[flagged].tolist(), strict=True
        ):
            reasons[row] += (
                {
                    "code": UNKNOWN_IN_SESSIONS,
                    "figure": figure,
                    "missing": missing,
                    "sessions": total,
                },
            )
    return reasons


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
