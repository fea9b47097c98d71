"""Varied random quarters (seeded): every kind of value the scoring library meets at once.

Unknown values of every column, sessions without an end time, test streams, zero viewers,
co-hosts with uneven shares, hosts of sessions outside the quarter or unknown, streamers
without sessions or level date, sparse ids, promotion history with gaps, training passes of
every age and score, mentees. A share of the streamers is strong (many followers, few refunds,
good history, recent passes), so promotion criteria are met as well as missed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scoring_factories import CURRICULUM

from scoring import PromotionInputs

QUARTER_START = pd.Timestamp("2026-06-30 16:00", tz="UTC")  # 2026-07-01 in Shanghai
QUARTER_SECONDS = 92 * 24 * 3600
LEVELS = np.array(["assistant", "senior", "mentor"], dtype=object)
CATEGORIES = np.array(["beauty", "food", "home", None], dtype=object)
GRADES = ["S", "A", "B", "C", "D", None]
MODULES = ["SCRIPT-1", "PRODUCT-1", "FANS-1", "EMERGENCY-1", "COMPLIANCE-1", "PRACTICAL-1"]
PREVIOUS = ["2026Q2", "2026Q1", "2025Q4"]


@dataclass(frozen=True)
class Population:
    sessions: pd.DataFrame
    hosts: pd.DataFrame
    streamers: pd.DataFrame
    history: pd.DataFrame
    training: pd.DataFrame
    mentees: pd.DataFrame

    def inputs(self, as_of: dt.date) -> PromotionInputs:
        return PromotionInputs(as_of, self.history, self.training, self.mentees, modules=CURRICULUM)


def population(seed: int, streamers: int = 150, sessions: int = 2500) -> Population:
    """Dense ids and nullable Int64 columns for even seeds; sparse ids and float64 with NaN for
    odd ones."""
    rng = np.random.default_rng(seed)
    sparse = seed % 2 == 1
    ids = np.arange(1, streamers + 1, dtype=np.int64) * (7919 if sparse else 1)
    strong = ids[: streamers * 2 // 5]
    hosting = ids[: streamers * 9 // 10]  # a tenth host nothing
    weight = np.where(np.isin(hosting, strong), 4.0, 1.0)  # strong streamers are on air more
    owner = rng.choice(hosting, sessions, p=weight / weight.sum())
    session_ids = np.arange(sessions, dtype=np.int64) * (977 if sparse else 1) + 1
    frame = _sessions(rng, session_ids, np.isin(owner, strong), "float" if sparse else "Int64")
    return Population(
        frame,
        _hosts(rng, session_ids, owner, ids),
        _streamers(rng, ids),
        _history(rng, ids, strong),
        _training(rng, ids, strong),
        _mentees(rng, ids),
    )


def _nullable(rng: np.random.Generator, values: np.ndarray, share: float, kind: str) -> object:
    unknown = rng.random(len(values)) < share
    if kind == "Int64":
        return pd.array(np.where(unknown, None, values).tolist(), dtype="Int64")
    return np.where(unknown, np.nan, values.astype(np.float64))


def _sessions(
    rng: np.random.Generator, session_ids: np.ndarray, strong: np.ndarray, kind: str
) -> pd.DataFrame:
    count = len(session_ids)
    # Some sessions start before or after the quarter; starts carry microseconds.
    offsets = rng.integers(-8 * 86400, QUARTER_SECONDS + 8 * 86400, count)
    started = pd.Series(
        QUARTER_START
        + pd.to_timedelta(offsets, unit="s")
        + pd.to_timedelta(rng.integers(0, 10**6, count), unit="us")
    )
    seconds = rng.integers(20 * 60, 6 * 3600, count)
    short = rng.random(count) < 0.05
    seconds[short] = rng.integers(0, 400, short.sum())  # test streams
    ended = started + pd.to_timedelta(seconds * 1000 + rng.integers(0, 999, count), unit="ms")
    ended[rng.random(count) < 0.1] = pd.NaT  # no end time: the exported minutes count
    viewers = rng.lognormal(6, 1.5, count).astype(np.int64)
    viewers[rng.random(count) < 0.03] = 0
    gmv = (rng.lognormal(10, 2, count) * 100).astype(np.int64)
    refunds = (gmv * rng.uniform(0, 0.6, count) * np.where(strong, 0.2, 1)).astype(np.int64)
    followers = rng.poisson(40, count) * np.where(strong, 12, 1)
    watch = rng.uniform(5, 300, count).round(1)
    watch[rng.random(count) < 0.05] = np.nan
    return pd.DataFrame(
        {
            "session_id": session_ids,
            "started_at": started,
            "ended_at": ended,
            "on_air_seconds": _nullable(rng, seconds // 60 * 60, 0.2, kind),
            "viewers": _nullable(rng, viewers, 0.03, kind),
            "views": _nullable(rng, (viewers * rng.uniform(1, 2, count)).astype(int), 0.05, kind),
            "new_followers": _nullable(rng, followers, 0.03, kind),
            "unfollows": _nullable(rng, rng.poisson(4, count), 0.03, kind),
            "buyers": _nullable(
                rng, (viewers * rng.uniform(0, 0.05, count)).astype(int), 0.03, kind
            ),
            "orders": _nullable(
                rng, (viewers * rng.uniform(0, 0.07, count)).astype(int), 0.03, kind
            ),
            "avg_watch_seconds": watch,
            "gmv_fen": _nullable(rng, gmv, 0.02, kind),
            "refunds_fen": _nullable(rng, refunds, 0.05, kind),
        }
    )


def _hosts(
    rng: np.random.Generator, session_ids: np.ndarray, owner: np.ndarray, ids: np.ndarray
) -> pd.DataFrame:
    co_hosted = np.flatnonzero(rng.random(len(session_ids)) < 0.15)
    guest = rng.choice(ids, len(co_hosted))
    different = guest != owner[co_hosted]
    co_hosted, guest = co_hosted[different], guest[different]
    guest_share = rng.integers(1, 9_999, len(co_hosted))
    share = np.full(len(session_ids), 10_000)
    # Some co-hosted sessions leave a basis point unattributed.
    share[co_hosted] = 10_000 - guest_share - rng.integers(0, 2, len(co_hosted))
    hosted = rng.random(len(session_ids)) >= 0.01  # a few sessions nobody hosted
    frame = pd.DataFrame(
        {
            "session_id": np.concatenate(
                [session_ids[hosted], session_ids[co_hosted], [10**12, 10**12 + 1]]
            ),
            "streamer_id": np.concatenate([owner[hosted], guest, ids[:2]]),
            "share_bp": np.concatenate([np.maximum(share[hosted], 1), guest_share, [10_000] * 2]),
        }
    ).astype("int64")
    return frame.sample(frac=1, random_state=int(rng.integers(0, 2**31))).reset_index(drop=True)


def _streamers(rng: np.random.Generator, ids: np.ndarray) -> pd.DataFrame:
    count = len(ids)
    since = pd.Series(
        pd.Timestamp("2023-01-31") + pd.to_timedelta(rng.integers(0, 1400, count), unit="D")
    )
    since[rng.random(count) < 0.1] = pd.NaT
    order = rng.permutation(count)
    frame = pd.DataFrame(
        {
            "streamer_id": ids[order],
            "level": LEVELS[rng.choice(3, count, p=[0.6, 0.3, 0.1])],
            "category": CATEGORIES[rng.integers(0, 4, count)],
            "level_since": since,
        }
    )
    frame["category"] = frame["category"].astype(object)
    return frame


def _history(rng: np.random.Generator, ids: np.ndarray, strong: np.ndarray) -> pd.DataFrame:
    rows = []
    for streamer_id in ids.tolist():
        good = streamer_id in strong
        for cycle in PREVIOUS:
            if rng.random() > (0.9 if good else 0.7):
                continue  # a quarter missing from the history
            grade = ["S", "A", "A", "B"][rng.integers(0, 4)] if good else rng.choice(GRADES)
            gmv = None if rng.random() < 0.05 else int(rng.integers(10**6, 10**8))
            refunds = (
                None if rng.random() < 0.05 else int(rng.integers(0, 10**6 if good else 10**7))
            )
            hours = rng.integers(250, 400) if good else rng.integers(50, 300)
            seconds = None if rng.random() < 0.05 else int(hours) * 3600
            rows.append((streamer_id, cycle, grade, seconds, gmv, refunds))
    history = pd.DataFrame(
        rows, columns=["streamer_id", "cycle", "grade", "on_air_seconds", "gmv_fen", "refunds_fen"]
    )
    for column in ("on_air_seconds", "gmv_fen", "refunds_fen"):
        history[column] = pd.array(history[column].tolist(), dtype="Int64")
    history["grade"] = history["grade"].astype(object)
    return history


def _training(rng: np.random.Generator, ids: np.ndarray, strong: np.ndarray) -> pd.DataFrame:
    rows = []
    for streamer_id in ids.tolist():
        for module in [*MODULES, "MENTOR-1", "OTHER-1"]:
            if streamer_id in strong and rng.random() < 0.93:
                day = dt.date(2026, 9, 30) - dt.timedelta(days=int(rng.integers(0, 420)))
                rows.append((streamer_id, module, day, float(rng.integers(78, 101)), True))
            for _ in range(int(rng.integers(0, 3))):
                day = dt.date(2024, 1, 31) + dt.timedelta(days=int(rng.integers(0, 1100)))
                score = None if rng.random() < 0.1 else float(rng.integers(50, 101))
                rows.append((streamer_id, module, day, score, bool(rng.random() < 0.85)))
    return pd.DataFrame(
        rows, columns=["streamer_id", "module_code", "completed_on", "score", "passed"]
    )


def _mentees(rng: np.random.Generator, ids: np.ndarray) -> pd.DataFrame:
    rows = []
    for mentor in ids[rng.random(len(ids)) < 0.6].tolist():
        for _ in range(int(rng.integers(0, 6))):
            day = dt.date(2025, 1, 1) + dt.timedelta(days=int(rng.integers(0, 700)))
            module = ["PRACTICAL-1", "SCRIPT-1"][int(rng.integers(0, 2))]
            score = None if rng.random() < 0.2 else float(rng.integers(60, 101))
            mentee = int(rng.integers(1, 40))
            rows.append((mentor, mentee, module, day, score, bool(rng.random() < 0.8)))
    return pd.DataFrame(
        rows, columns=["mentor_id", "mentee_id", "module_code", "completed_on", "score", "passed"]
    )
