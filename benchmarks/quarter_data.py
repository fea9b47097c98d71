"""Generated quarters for the scoring and cycle benchmarks: streamers, their level history,
live sessions and hosts, made with numpy from fixed seeds (the same data on every run), and
stored into the application's tables with raw sqlite3 `executemany` (untimed setup).

Not a benchmark itself (no `bench_` prefix): `bench_scoring` and `bench_cycle` import it.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

STREAMERS = 10_000
SESSIONS = 650_000
CO_HOSTED_SHARE = 0.05
SEED = 20_260_930
LEVELS = np.array(["assistant", "senior", "mentor"], dtype=object)
STORED_NOW = "2026-10-01 00:00:00.000000"


@dataclass(frozen=True)
class Quarter:
    """A quarter as the generator needs it: its code, its first instant in UTC, its length."""

    code: str
    start: pd.Timestamp
    days: int
    seed: int

    @property
    def seconds(self) -> int:
        return self.days * 24 * 3600


# 2026-07-01 and 2026-04-01 00:00 in Shanghai. Q3 keeps the seed the scoring figures always
# used, so its sessions are the same as before the level history existed.
Q3 = Quarter("2026Q3", pd.Timestamp("2026-06-30 16:00", tz="UTC"), 92, SEED)
Q2 = Quarter("2026Q2", pd.Timestamp("2026-03-31 16:00", tz="UTC"), 91, SEED + 1)


def generate(
    quarter: Quarter = Q3,
    streamers: int = STREAMERS,
    sessions: int = SESSIONS,
    first_session_id: int = 1,
) -> dict[str, pd.DataFrame]:
    """Streamers, sessions and hosts of one quarter, the same on every call.

    Session ids run from `first_session_id`, so several quarters fit in one database. The
    streamers frame carries today's level and a random `level_since` (no history): what the
    pure scoring benchmark has always scored; `with_level_history` makes the roster a cycle
    run reads.
    """
    rng = np.random.default_rng(quarter.seed)
    streamer_ids = np.arange(1, streamers + 1, dtype=np.int64)
    roster = pd.DataFrame(
        {
            "streamer_id": streamer_ids,
            "level": LEVELS[rng.choice(3, streamers, p=[0.7, 0.25, 0.05])],
            "category": np.array(["beauty", "food", "home", "fashion"], dtype=object)[
                rng.integers(0, 4, streamers)
            ],
            "level_since": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(rng.integers(0, 900, streamers), unit="D"),
        }
    )
    owner = rng.integers(1, streamers + 1, sessions).astype(np.int64)
    # A room cannot start two sessions at one instant: the session number in microseconds
    # keeps every start unique.
    started = (
        quarter.start
        + pd.to_timedelta(np.sort(rng.integers(0, quarter.seconds, sessions)), unit="s")
        + pd.to_timedelta(np.arange(sessions), unit="us")
    )
    seconds = rng.integers(20 * 60, 5 * 3600, sessions)
    viewers = rng.lognormal(7, 1, sessions).astype(np.int64)
    gmv = (rng.lognormal(11, 1.3, sessions) * 100).astype(np.int64)
    refunds = (gmv * rng.uniform(0, 0.3, sessions)).astype(np.int64).astype(np.float64)
    refunds[rng.random(sessions) < 0.01] = np.nan  # some exports leave refunds unknown
    new_followers = rng.poisson(40, sessions)
    session_ids = np.arange(first_session_id, first_session_id + sessions, dtype=np.int64)
    frame = pd.DataFrame(
        {
            "session_id": session_ids,
            "started_at": started,
            "ended_at": started + pd.to_timedelta(seconds, unit="s"),
            "on_air_seconds": seconds,
            "viewers": viewers,
            "views": (viewers * 1.4).astype(np.int64),
            "new_followers": new_followers,
            "unfollows": rng.binomial(new_followers, 0.1),
            "buyers": (viewers * rng.uniform(0, 0.05, sessions)).astype(np.int64),
            "orders": (viewers * rng.uniform(0.05, 0.07, sessions)).astype(np.int64),
            "avg_watch_seconds": rng.uniform(20, 150, sessions).round(1),
            "gmv_fen": gmv,
            "refunds_fen": refunds,
        }
    )
    co_hosted = np.flatnonzero(rng.random(sessions) < CO_HOSTED_SHARE)
    guests = (owner[co_hosted] % streamers) + 1  # always someone else
    share = np.full(sessions, 10_000, dtype=np.int64)
    share[co_hosted] = 5_000
    hosts = pd.DataFrame(
        {
            "session_id": np.concatenate([session_ids, session_ids[co_hosted]]),
            "streamer_id": np.concatenate([owner, guests]),
            "share_bp": np.concatenate([share, np.full(len(co_hosted), 5_000, dtype=np.int64)]),
        }
    )
    return {"streamers": roster, "sessions": frame, "hosts": hosts}


def joined(data: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return data["hosts"].merge(data["sessions"], on="session_id")


# --- the level history ------------------------------------------------------------------------

# Shares of the roster with a level change: before the appraised quarters (an earlier
# promotion), inside Q3 (appraised at two levels, day-weighted) and after it (which must not
# touch Q3; some are already in force on TODAY, so the roster shows a level Q3 never had).
EARLIER_SHARE, INSIDE_SHARE, AFTER_SHARE = 0.20, 0.12, 0.03
TODAY = dt.date(2026, 10, 15)
_FIRST_HIRE, _LAST_HIRE = dt.date(2023, 1, 1), dt.date(2026, 3, 31)


def _next_level(level: str) -> str:
    """A promotion along the path; a mentor's change is a step down (it happens)."""
    index = list(LEVELS).index(level)
    return str(LEVELS[index + 1] if index + 1 < len(LEVELS) else LEVELS[index - 1])


def with_level_history(
    streamers: pd.DataFrame, seed: int = SEED + 7
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the roster with hire dates and today's level, its level history), as the application
    keeps them: every streamer has the row written at hire (no `from_level`), and the shares
    above have one more change each. The roster's `level` and `level_since` are those of the
    last change in force on TODAY."""
    rng = np.random.default_rng(seed)
    count = len(streamers)
    span = (_LAST_HIRE - _FIRST_HIRE).days
    hired = [_FIRST_HIRE + dt.timedelta(days=int(d)) for d in rng.integers(0, span + 1, count)]
    draw = rng.random((3, count))
    inside_day = rng.integers(1, 92, count)  # 2026-07-02 .. 2026-09-30
    after_day = rng.integers(0, 61, count)  # 2026-10-01 .. 2026-11-30
    earlier_fraction = rng.random(count)
    rows: list[tuple[int, str | None, str, dt.date]] = []
    levels, since = [], []
    for index, (streamer_id, level) in enumerate(
        zip(streamers["streamer_id"].tolist(), streamers["level"].tolist(), strict=True)
    ):
        hire = hired[index]
        changes = [(None, level, hire)]
        last_before = dt.date(2026, 3, 31)
        if draw[0, index] < EARLIER_SHARE and (last_before - hire).days > 90:
            offset = 90 + int(earlier_fraction[index] * ((last_before - hire).days - 90))
            changes.append((level, _next_level(level), hire + dt.timedelta(days=offset)))
        if draw[1, index] < INSIDE_SHARE:
            held = changes[-1][1]
            on = dt.date(2026, 7, 1) + dt.timedelta(days=int(inside_day[index]))
            changes.append((held, _next_level(held), on))
        if draw[2, index] < AFTER_SHARE:
            held = changes[-1][1]
            on = dt.date(2026, 10, 1) + dt.timedelta(days=int(after_day[index]))
            changes.append((held, _next_level(held), on))
        in_force = [c for c in changes if c[2] <= TODAY]
        levels.append(in_force[-1][1])
        since.append(in_force[-1][2])
        rows += [(int(streamer_id), before, after, on) for before, after, on in changes]
    roster = streamers.assign(
        level=np.array(levels, dtype=object),
        level_since=pd.to_datetime(since),
        hire_date=pd.to_datetime(hired),
    )
    history = pd.DataFrame(rows, columns=["streamer_id", "from_level", "to_level", "effective_on"])
    return roster, history


# --- storing ----------------------------------------------------------------------------------


def _instants(series: pd.Series) -> list[str]:
    """UTC instants as SQLAlchemy stores them in SQLite (naive, space-separated)."""
    return list(series.dt.tz_convert("UTC").dt.strftime("%Y-%m-%d %H:%M:%S.%f"))


def _nullable(values: np.ndarray) -> list[Any]:
    return [None if np.isnan(v) else int(v) for v in values]


def store_roster(roster: pd.DataFrame, history: pd.DataFrame, path: Path) -> None:
    """Streamers (one Douyin room each, its id the streamer's) and their level history."""
    now = STORED_NOW
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO streamers (id, employee_no, legal_name, stage_name, level, level_since,"
            " category, team, persona, hire_date, status, hr_notes, created_at, updated_at)"
            " VALUES (?, ?, ?, '', ?, ?, ?, ?, '', ?, 'active', '', ?, ?)",
            [
                (
                    sid,
                    f"B{sid:06d}",
                    f"主播{sid}",
                    level,
                    since.date().isoformat(),
                    category,
                    f"team{sid % 12:02d}",
                    hired.date().isoformat(),
                    now,
                    now,
                )
                for sid, level, category, since, hired in zip(
                    roster["streamer_id"].tolist(),
                    roster["level"],
                    roster["category"],
                    roster["level_since"],
                    roster["hire_date"],
                    strict=True,
                )
            ],
        )
        conn.executemany(
            "INSERT INTO platform_accounts (id, platform, account_id, nickname, streamer_id,"
            " created_at) VALUES (?, 'douyin', ?, '', ?, ?)",
            [(sid, f"0{sid:09d}", sid, now) for sid in roster["streamer_id"].tolist()],
        )
        conn.executemany(
            "INSERT INTO level_changes (streamer_id, from_level, to_level, effective_on, reason,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (sid, before, after, on.isoformat(), "" if before is None else "bench", now)
                for sid, before, after, on in history[
                    ["streamer_id", "from_level", "to_level", "effective_on"]
                ].itertuples(index=False, name=None)
            ],
        )


def store_sessions(data: dict[str, pd.DataFrame], path: Path) -> None:
    """A quarter's sessions, each in the room of its first host, and their hosts."""
    sessions, hosts = data["sessions"], data["hosts"]
    now = STORED_NOW
    with sqlite3.connect(path) as conn:
        owners = hosts.drop_duplicates("session_id")["streamer_id"].tolist()
        conn.executemany(
            "INSERT INTO live_sessions (id, platform_account_id, started_at, ended_at,"
            " on_air_seconds, viewers, views, new_followers, unfollows, buyers, orders,"
            " avg_watch_seconds, gmv_fen, refunds_fen, currency, fx_rate, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'CNY', '1', ?, ?)",
            zip(
                sessions["session_id"].tolist(),
                owners,
                _instants(sessions["started_at"]),
                _instants(sessions["ended_at"]),
                *(sessions[c].tolist() for c in ("on_air_seconds", "viewers", "views")),
                *(sessions[c].tolist() for c in ("new_followers", "unfollows", "buyers")),
                sessions["orders"].tolist(),
                sessions["avg_watch_seconds"].tolist(),
                sessions["gmv_fen"].tolist(),
                _nullable(sessions["refunds_fen"].to_numpy()),
                [now] * len(sessions),
                [now] * len(sessions),
                strict=True,
            ),
        )
        conn.executemany(
            "INSERT INTO session_hosts (session_id, streamer_id, share_bp) VALUES (?, ?, ?)",
            hosts.itertuples(index=False, name=None),
        )
