"""Scoring a quarter: 10,000 streamers and 650,000 live sessions, generated with numpy.

score_quarter_pure: `scoring.appraise` on in-memory frames — input checks, figures, score,
    grade, commission and promotion eligibility for everyone: the table. It does NOT read the
    explanations, which `appraise` builds only when they are read. Baseline: one pandas
    `groupby().sum()` over the same sessions joined with their hosts. Targets: 1 s, ratio 10.
score_quarter_explained: the same call plus reading every streamer's explanation (the dicts
    with commission lines and promotion checklists), against the same baseline, without a
    target of its own: what a caller that needs them all pays (cycle_run_10k does).
cycle_run_10k: `hrapp cycle run 2026Q3` on the same data stored in a SQLite file — load with
    `read_sql`, score, write 10,000 appraisals with their explanations, audit. Baseline:
    `read_sql` of the quarter's sessions joined with their hosts plus one `groupby().sum()`.
    Targets: 10 s, ratio 3. Every timed run is a first run (the appraisals are deleted before it,
    untimed).
cycle_rerun_10k: the same command again over existing appraisals (updated in place); reported
    against the same baseline, without a target of its own.

Data and database are built once per process (not timed); the data is the same on every run.

    python -m benchmarks.bench_scoring
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.common import result, timed

STREAMERS = 10_000
SESSIONS = 650_000
CO_HOSTED_SHARE = 0.05
SEED = 20_260_930
CYCLE = "2026Q3"
QUARTER_START = pd.Timestamp("2026-06-30 16:00", tz="UTC")  # 2026-07-01 00:00 in Shanghai
QUARTER_SECONDS = 92 * 24 * 3600
LEVELS = np.array(["assistant", "senior", "mentor"], dtype=object)
PURE_TARGET_S, PURE_TARGET_RATIO = 1.0, 10.0
RUN_TARGET_S, RUN_TARGET_RATIO = 10.0, 3.0
SUM_COLUMNS = ["gmv_fen", "refunds_fen", "viewers", "views", "new_followers", "unfollows"]


# --- the data ---------------------------------------------------------------------------------


def generate() -> dict[str, pd.DataFrame]:
    """Streamers, sessions and hosts of one quarter, the same on every call."""
    rng = np.random.default_rng(SEED)
    streamer_ids = np.arange(1, STREAMERS + 1, dtype=np.int64)
    streamers = pd.DataFrame(
        {
            "streamer_id": streamer_ids,
            "level": LEVELS[rng.choice(3, STREAMERS, p=[0.7, 0.25, 0.05])],
            "category": np.array(["beauty", "food", "home", "fashion"], dtype=object)[
                rng.integers(0, 4, STREAMERS)
            ],
            "level_since": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(rng.integers(0, 900, STREAMERS), unit="D"),
        }
    )
    owner = rng.integers(1, STREAMERS + 1, SESSIONS).astype(np.int64)
    # A room cannot start two sessions at one instant: the session number in microseconds
    # keeps every start unique.
    started = (
        QUARTER_START
        + pd.to_timedelta(np.sort(rng.integers(0, QUARTER_SECONDS, SESSIONS)), unit="s")
        + pd.to_timedelta(np.arange(SESSIONS), unit="us")
    )
    seconds = rng.integers(20 * 60, 5 * 3600, SESSIONS)
    viewers = rng.lognormal(7, 1, SESSIONS).astype(np.int64)
    gmv = (rng.lognormal(11, 1.3, SESSIONS) * 100).astype(np.int64)
    refunds = (gmv * rng.uniform(0, 0.3, SESSIONS)).astype(np.int64).astype(np.float64)
    refunds[rng.random(SESSIONS) < 0.01] = np.nan  # some exports leave refunds unknown
    new_followers = rng.poisson(40, SESSIONS)
    sessions = pd.DataFrame(
        {
            "session_id": np.arange(1, SESSIONS + 1, dtype=np.int64),
            "started_at": started,
            "ended_at": started + pd.to_timedelta(seconds, unit="s"),
            "on_air_seconds": seconds,
            "viewers": viewers,
            "views": (viewers * 1.4).astype(np.int64),
            "new_followers": new_followers,
            "unfollows": rng.binomial(new_followers, 0.1),
            "buyers": (viewers * rng.uniform(0, 0.05, SESSIONS)).astype(np.int64),
            "orders": (viewers * rng.uniform(0.05, 0.07, SESSIONS)).astype(np.int64),
            "avg_watch_seconds": rng.uniform(20, 150, SESSIONS).round(1),
            "gmv_fen": gmv,
            "refunds_fen": refunds,
        }
    )
    co_hosted = np.flatnonzero(rng.random(SESSIONS) < CO_HOSTED_SHARE)
    guests = (owner[co_hosted] % STREAMERS) + 1  # always someone else
    share = np.full(SESSIONS, 10_000, dtype=np.int64)
    share[co_hosted] = 5_000
    hosts = pd.DataFrame(
        {
            "session_id": np.concatenate([sessions["session_id"].to_numpy(), co_hosted + 1]),
            "streamer_id": np.concatenate([owner, guests]),
            "share_bp": np.concatenate([share, np.full(len(co_hosted), 5_000, dtype=np.int64)]),
        }
    )
    return {"streamers": streamers, "sessions": sessions, "hosts": hosts}


def joined(data: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return data["hosts"].merge(data["sessions"], on="session_id")


# --- score_quarter_pure -----------------------------------------------------------------------


def score_quarter_pure(data: dict[str, pd.DataFrame]) -> list[dict[str, Any]]:
    import scoring

    scheme = scoring.load_scheme(scoring.default_scheme_text())
    period = scoring.Period.quarter(2026, 3, "Asia/Shanghai")
    inputs = scoring.PromotionInputs(as_of=period.end)

    def appraise() -> scoring.AppraisalResult:
        return scoring.appraise(
            data["sessions"], data["hosts"], data["streamers"], scheme, period, inputs
        )

    def explained() -> None:
        explanations = appraise().explanations
        for streamer_id in explanations:
            explanations[streamer_id]

    seconds = timed(appraise)
    with_explanations = timed(explained)
    rows = joined(data)
    baseline = timed(lambda: rows.groupby("streamer_id")[SUM_COLUMNS].sum())
    return [
        result("score_quarter_pure", seconds, "s", baseline, PURE_TARGET_S),
        result("score_quarter_explained", with_explanations, "s", baseline),
    ]


# --- cycle_run_10k ----------------------------------------------------------------------------


def _instants(series: pd.Series) -> list[str]:
    """UTC instants as SQLAlchemy stores them in SQLite (naive, space-separated)."""
    return list(series.dt.tz_convert("UTC").dt.strftime("%Y-%m-%d %H:%M:%S.%f"))


def _nullable(values: np.ndarray) -> list[Any]:
    return [None if np.isnan(v) else int(v) for v in values]


def store(data: dict[str, pd.DataFrame], path: Path) -> None:
    """Write the data into the application's tables with raw executemany (untimed setup)."""
    streamers, sessions, hosts = data["streamers"], data["sessions"], data["hosts"]
    now = "2026-10-01 00:00:00.000000"
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO streamers (id, employee_no, legal_name, stage_name, level, level_since,"
            " category, team, persona, hire_date, status, hr_notes, created_at, updated_at)"
            " VALUES (?, ?, ?, '', ?, ?, ?, 'bench', '', '2024-01-01', 'active', '', ?, ?)",
            [
                (sid, f"B{sid:06d}", f"主播{sid}", level, since.date().isoformat(), cat, now, now)
                for sid, level, cat, since in zip(
                    streamers["streamer_id"].tolist(),
                    streamers["level"],
                    streamers["category"],
                    streamers["level_since"],
                    strict=True,
                )
            ],
        )
        conn.executemany(
            "INSERT INTO platform_accounts (id, platform, account_id, nickname, streamer_id,"
            " created_at) VALUES (?, 'douyin', ?, '', ?, ?)",
            [(sid, f"0{sid:09d}", sid, now) for sid in streamers["streamer_id"].tolist()],
        )
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


class QuarterDatabase:
    """The application on a SQLite file holding the generated quarter and its open cycle."""

    def __init__(self, folder: Path, data: dict[str, pd.DataFrame]) -> None:
        from hrapp import create_app
        from hrapp.extensions import db

        self.path = folder / "quarter.sqlite"
        self.app = create_app("development", SQLALCHEMY_DATABASE_URI=f"sqlite:///{self.path}")
        with self.app.app_context():
            db.create_all()
        store(data, self.path)
        self.run()  # creates the cycle and scheme version 1, warms the caches

    def run(self) -> None:
        runner = self.app.test_cli_runner()
        if "2026Q3" not in runner.invoke(args=["cycle", "list"]).output:
            runner.invoke(args=["cycle", "create", CYCLE])
        outcome = runner.invoke(args=["cycle", "run", CYCLE])
        if outcome.exit_code != 0:
            raise RuntimeError(f"cycle run failed: {outcome.output}")

    def forget_appraisals(self) -> None:
        with sqlite3.connect(self.path) as conn:
            conn.execute("DELETE FROM appraisals")
            conn.execute("DELETE FROM audit_entries WHERE action LIKE 'appraisal.%'")

    def appraisals(self) -> int:
        with sqlite3.connect(self.path) as conn:
            return int(conn.execute("SELECT count(*) FROM appraisals").fetchone()[0])

    def baseline(self) -> None:
        """read_sql of the quarter's sessions with their hosts, and one groupby().sum()."""
        from sqlalchemy import create_engine

        engine = create_engine(f"sqlite:///{self.path}")
        query = (
            "SELECT h.streamer_id, h.share_bp, s.started_at, s.ended_at, s.on_air_seconds,"
            " s.viewers, s.views, s.new_followers, s.unfollows, s.buyers, s.orders,"
            " s.avg_watch_seconds, s.gmv_fen, s.refunds_fen"
            " FROM live_sessions s JOIN session_hosts h ON h.session_id = s.id"
            " WHERE s.started_at >= '2026-06-30 16:00:00.000000'"
            " AND s.started_at < '2026-09-30 16:00:00.000000'"
        )
        with engine.connect() as conn:
            frame = pd.read_sql(query, conn)
        frame.groupby("streamer_id")[SUM_COLUMNS].sum()
        engine.dispose()


def cycle_runs(data: dict[str, pd.DataFrame]) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="hrapp-bench-scoring-") as name:
        folder = Path(name)
        os.environ["HRAPP_INSTANCE"] = str(folder)  # keep the job queue file out of instance/
        database = QuarterDatabase(folder, data)
        first = timed(database.run, setup=database.forget_appraisals)
        if database.appraisals() != STREAMERS:
            raise RuntimeError(f"expected {STREAMERS} appraisals, found {database.appraisals()}")
        again = timed(database.run)
        baseline = timed(database.baseline)
    return [
        result("cycle_run_10k", first, "s", baseline, RUN_TARGET_S),
        result("cycle_run_10k_ratio", first / baseline, "x", None, RUN_TARGET_RATIO),
        result("cycle_rerun_10k", again, "s", baseline),
    ]


def run() -> list[dict[str, Any]]:
    data = generate()
    pure, explained = score_quarter_pure(data)
    ratio = result("score_quarter_pure_ratio", pure["ratio"], "x", None, PURE_TARGET_RATIO)
    return [pure, ratio, explained, *cycle_runs(data)]


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
