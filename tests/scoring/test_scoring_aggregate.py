"""Aggregation of sessions into a streamer's quarter figures."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from scoring_factories import hosts_frame, session, sessions_frame, solo_hosts

from scoring import Period, ScoringInputError, aggregate_sessions


def _one(frame: pd.DataFrame, streamer_id: int = 1) -> dict[str, object]:
    rows = frame[frame["streamer_id"] == streamer_id].to_dict("records")
    assert len(rows) == 1
    return rows[0]


def test_hand_computed_quarter_with_ratios_from_sums(q3: Period) -> None:
    sessions = sessions_frame(
        [
            session(1, minutes=120),
            session(
                2,
                start="2026-08-02 19:00",
                minutes=60,
                viewers=3000,
                views=4000,
                avg_watch_seconds=90.0,
                new_followers=150,
                unfollows=15,
                buyers=30,
                orders=40,
                gmv_fen=3_000_000,
                refunds_fen=200_000,
            ),
        ]
    )
    row = _one(aggregate_sessions(sessions, solo_hosts(sessions, 1), q3))
    assert row["sessions"] == 2
    assert row["on_air_seconds"] == 3 * 3600
    assert (row["gmv_fen"], row["refunds_fen"], row["net_gmv_fen"]) == (
        4_000_000,
        300_000,
        3_700_000,
    )
    assert (row["viewers"], row["views"], row["buyers"], row["orders"]) == (4000, 6000, 50, 65)
    assert (row["new_followers"], row["unfollows"], row["net_followers"]) == (200, 20, 180)
    # (60 s × 2000 views + 90 s × 4000 views) ÷ 6000 views, not the mean of 60 and 90.
    assert row["avg_watch_seconds"] == pytest.approx(80.0)
    # 50 ÷ 4000, not the mean of the per-session rates 2% and 1%.
    assert row["conversion"] == pytest.approx(0.0125)
    assert row["refund_rate"] == pytest.approx(0.075)
    assert row["gpm"] == pytest.approx(4_000_000 / 6000 * 1000)
    assert row["uv_value"] == pytest.approx(1000.0)
    assert row["gmv_per_hour"] == pytest.approx(4_000_000 / 3)
    assert row["follow_rate"] == pytest.approx(0.05)
    assert not row["data_incomplete"]
    assert row["incomplete_reasons"] == ()


def test_session_belongs_to_the_quarter_of_its_local_start() -> None:
    sessions = sessions_frame(
        [
            session(1, start="2026-06-30 23:30", minutes=120, gmv_fen=100),
            session(2, start="2026-07-01 00:10", minutes=60, gmv_fen=20),
        ]
    )
    hosts = solo_hosts(sessions, 7)
    q2 = _one(aggregate_sessions(sessions, hosts, Period.quarter(2026, 2)), 7)
    q3 = _one(aggregate_sessions(sessions, hosts, Period.quarter(2026, 3)), 7)
    assert (q2["sessions"], q2["gmv_fen"], q2["on_air_seconds"]) == (1, 100, 7200)
    assert (q3["sessions"], q3["gmv_fen"], q3["on_air_seconds"]) == (1, 20, 3600)
    # Seen from UTC both start on 2026-06-30: the org zone decides, not UTC.
    in_utc = aggregate_sessions(sessions, hosts, Period.quarter(2026, 2, "UTC"))
    assert _one(in_utc, 7)["sessions"] == 2


def test_co_host_shares_are_summed_exactly_then_rounded_once(q3: Period) -> None:
    sessions = sessions_frame(
        [
            session(1, gmv_fen=101, refunds_fen=0),
            session(2, start="2026-07-11 20:00", gmv_fen=101, refunds_fen=0),
        ]
    )
    hosts = hosts_frame([(1, 1, 5000), (1, 2, 5000), (2, 1, 5000), (2, 3, 5000)])
    figures = aggregate_sessions(sessions, hosts, q3)
    # 101 × 50% twice = 101 exactly; rounding each session (51 + 51) would pay 1 fen too much.
    assert _one(figures, 1)["gmv_fen"] == 101
    # A single 50.5 fen share rounds half up.
    assert _one(figures, 2)["gmv_fen"] == 51
    # A co-host is on air for the whole session: on-air time is not share-weighted.
    assert _one(figures, 1)["on_air_seconds"] == 2 * 7200


def test_unknown_values_are_not_zero(q3: Period) -> None:
    sessions = sessions_frame(
        [
            session(1, refunds_fen=None, views=None, buyers=None),
            session(2, start="2026-07-11 20:00", viewers=3000, views=4000, avg_watch_seconds=90.0),
        ]
    )
    row = _one(aggregate_sessions(sessions, solo_hosts(sessions, 1), q3))
    assert row["refunds_fen"] == 100_000  # the known part
    assert row["net_gmv_fen"] == 2_000_000 - 100_000
    assert row["data_incomplete"]
    # One reason per figure, in the order of the figures.
    assert row["incomplete_reasons"] == tuple(
        {"code": "unknown_in_sessions", "figure": figure, "missing": 1, "sessions": 2}
        for figure in ("refunds_fen", "views", "buyers")
    )
    # Ratios use only sessions that know both parts: conversion = 20 ÷ 3000, not 20 ÷ 4000.
    assert row["conversion"] == pytest.approx(20 / 3000)
    assert row["refund_rate"] == pytest.approx(100_000 / 1_000_000)
    # Without views, a session's watch time is weighted by its viewers.
    assert row["avg_watch_seconds"] == pytest.approx((60 * 1000 + 90 * 4000) / (1000 + 4000))


def test_totals_are_na_when_every_value_is_unknown(q3: Period) -> None:
    sessions = sessions_frame([session(1, refunds_fen=None), session(2, refunds_fen=None)])
    row = _one(aggregate_sessions(sessions, solo_hosts(sessions, 1), q3))
    assert pd.isna(row["refunds_fen"])
    assert pd.isna(row["net_gmv_fen"])
    assert math.isnan(row["refund_rate"])
    assert row["gmv_fen"] == 2_000_000


def test_test_sessions_count_in_totals_but_not_in_ratios(q3: Period) -> None:
    sessions = sessions_frame(
        [
            session(1),
            session(2, start="2026-07-12 20:00", minutes=3, viewers=500, buyers=400, gmv_fen=9_000),
            session(3, start="2026-07-13 20:00", viewers=0, views=0, buyers=0, gmv_fen=0),
        ]
    )
    row = _one(aggregate_sessions(sessions, solo_hosts(sessions, 1), q3, min_session_seconds=300))
    assert (row["sessions"], row["test_sessions"]) == (3, 2)
    assert row["gmv_fen"] == 1_009_000
    assert row["conversion"] == pytest.approx(20 / 1000)


def test_zero_denominators_give_nan_not_zero(q3: Period) -> None:
    sessions = sessions_frame([session(1, viewers=0, views=0, buyers=0)])
    row = _one(aggregate_sessions(sessions, solo_hosts(sessions, 1), q3))
    for ratio in (
        "conversion",
        "avg_watch_seconds",
        "gpm",
        "uv_value",
        "follow_rate",
        "gmv_per_hour",
    ):
        assert math.isnan(row[ratio]), ratio


def test_on_air_time_uses_end_minus_start_then_the_exported_duration(q3: Period) -> None:
    sessions = sessions_frame(
        [
            # The export says 121 minutes (rounded); the clock says 7,230.9 s: floor to the second.
            session(1, minutes=120.515, on_air_seconds=7260),
            session(2, start="2026-07-11 20:00", minutes=None, on_air_seconds=1800),
            session(3, start="2026-07-12 20:00", minutes=None, on_air_seconds=None),
        ]
    )
    row = _one(aggregate_sessions(sessions, solo_hosts(sessions, 1), q3))
    assert row["on_air_seconds"] == 7230 + 1800
    assert row["incomplete_reasons"] == (
        {"code": "unknown_in_sessions", "figure": "on_air_seconds", "missing": 1, "sessions": 3},
    )


def test_money_stays_exact_beyond_float_precision(q3: Period) -> None:
    sessions = sessions_frame(
        [
            session(1, gmv_fen=10**13, refunds_fen=0),
            session(2, start="2026-07-11 20:00", gmv_fen=1, refunds_fen=0),
        ]
    )
    row = _one(aggregate_sessions(sessions, solo_hosts(sessions, 1), q3))
    assert row["gmv_fen"] == 10**13 + 1


def test_every_input_problem_is_reported_at_once(q3: Period) -> None:
    sessions = sessions_frame([session(1, gmv_fen=-5), session(1), session(3)])
    sessions["started_at"] = sessions["started_at"].dt.tz_localize(None)
    sessions["viewers"] = [1000.0, 1000.0, 2.5]
    hosts = hosts_frame([(1, 1, 0), (3, 1, 6000), (3, 2, 6000)])
    with pytest.raises(ScoringInputError) as caught:
        aggregate_sessions(sessions, hosts, q3)
    problems = caught.value.problems
    assert "sessions.session_id: duplicated in 2 rows (session_id 1, 1)" in problems
    assert any(p.startswith("sessions.started_at: must be time-zone-aware") for p in problems)
    assert "sessions.gmv_fen: below 0 in 1 row (session_id 1)" in problems
    assert "sessions.viewers: not a whole number in 1 row (session_id 3)" in problems
    assert "hosts.share_bp: below 1 in 1 row (session_id 1)" in problems
    assert (
        "hosts.share_bp: shares add up to more than 10000 in 2 rows (session_id 3, 3)" in problems
    )


def test_missing_columns_are_listed(q3: Period) -> None:
    sessions = sessions_frame([session(1)]).drop(columns=["views", "gmv_fen"])
    with pytest.raises(ScoringInputError) as caught:
        aggregate_sessions(sessions, hosts_frame([]).drop(columns=["share_bp"]), q3)
    assert caught.value.problems == [
        "sessions: missing column 'views'",
        "sessions: missing column 'gmv_fen'",
        "hosts: missing column 'share_bp'",
    ]


def test_float_columns_with_nan_are_accepted_like_nullable_integers(q3: Period) -> None:
    nullable = sessions_frame([session(1, refunds_fen=None), session(2, start="2026-07-11 20:00")])
    floats = nullable.astype({c: "float64" for c in ("refunds_fen", "gmv_fen", "viewers")})
    hosts = solo_hosts(nullable, 1)
    pd.testing.assert_frame_equal(
        aggregate_sessions(nullable, hosts, q3), aggregate_sessions(floats, hosts, q3)
    )


def test_an_all_null_end_column_from_sql_is_accepted(q3: Period) -> None:
    sessions = sessions_frame([session(1, minutes=None, on_air_seconds=3600)])
    sessions["ended_at"] = pd.Series([None], dtype=object)
    row = _one(aggregate_sessions(sessions, solo_hosts(sessions, 1), q3))
    assert row["on_air_seconds"] == 3600
