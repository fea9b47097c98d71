"""The level in force: a quarter is appraised at the level(s) held in it, from the history."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from scoring import Period, Scheme, appraise
from scoring.levels import quarter_levels
from tests.scoring.scoring_factories import (
    quarter_sessions,
    sessions_frame,
    solo_hosts,
    streamers_frame,
)

D = dt.date


def history(*rows: tuple[int, str, str | None, str]) -> pd.DataFrame:
    """(streamer_id, effective_on ISO date, from_level, to_level) rows."""
    frame = pd.DataFrame(rows, columns=["streamer_id", "effective_on", "from_level", "to_level"])
    frame["effective_on"] = pd.to_datetime(frame["effective_on"])
    return frame


def one_streamer(level: str = "senior", **dates: dt.date | None) -> pd.DataFrame:
    frame = streamers_frame([(1, level, "beauty", None)])
    for name, value in dates.items():
        frame[name] = [value]
    return frame


def test_a_promotion_inside_the_quarter_splits_it_by_days(scheme: Scheme, q3: Period) -> None:
    """46 days assistant, 46 days senior: every target is the day-weighted mean (domain.md)."""
    held = quarter_levels(
        one_streamer("senior"),
        history((1, "2025-01-01", None, "assistant"), (1, "2026-08-16", "assistant", "senior")),
        scheme,
        q3,
    )
    assert [s.as_dict() for s in held.segments[0]] == [
        {"level": "assistant", "from": "2026-07-01", "to": "2026-08-15", "days": 46},
        {"level": "senior", "from": "2026-08-16", "to": "2026-09-30", "days": 46},
    ]
    assert held.level == ["senior"]
    assert held.level_since == [D(2026, 8, 16)]
    blended = held.scheme
    key = held.parameter_level[0]
    targets = {m.key: m.targets[key] for m in blended.metrics}
    # 0.5 × ¥300,000 + 0.5 × ¥1,500,000 = ¥900,000; (60 + 90) / 2 s; (3,000 + 15,000) / 2.
    assert targets == {
        "net_gmv": 90_000_000,
        "avg_watch_seconds": 75,
        "net_followers": 9_000,
    }
    assert blended.level(key).min_on_air_hours == 240
    # The scheme's own levels and path are untouched.
    assert [lv.key for lv in blended.levels[:3]] == ["assistant", "senior", "mentor"]
    assert blended.next_level("senior") == "mentor"


def test_uneven_days_round_half_up_to_the_fen_and_to_hundredths(scheme: Scheme, q3: Period) -> None:
    """Senior for 61 days, then mentor for 31 (from 8/31)."""
    held = quarter_levels(
        one_streamer("mentor"),
        history((1, "2026-08-31", "senior", "mentor")),
        scheme,
        q3,
    )
    assert [(s.level, s.days) for s in held.segments[0]] == [("senior", 61), ("mentor", 31)]
    key = held.parameter_level[0]
    targets = {m.key: m.targets[key] for m in held.scheme.metrics}
    # (61 × 150,000,000 + 31 × 80,000,000) / 92 = 126,413,043.478… fen → 126,413,043
    assert targets["net_gmv"] == 126_413_043
    # (61 × 15,000 + 31 × 8,000) / 92 = 12,641.304… → 12,641.30
    assert targets["net_followers"] == pytest.approx(12_641.30)
    # (61 × 240 + 31 × 120) / 92 = 199.565… h → 199.57
    assert held.scheme.level(key).min_on_air_hours == pytest.approx(199.57)


def test_a_change_dated_after_the_quarter_never_touches_it(scheme: Scheme, q3: Period) -> None:
    held = quarter_levels(
        one_streamer("senior", level_since=D(2026, 10, 1)),
        history((1, "2026-03-01", None, "assistant"), (1, "2026-10-01", "assistant", "senior")),
        scheme,
        q3,
    )
    assert held.level == ["assistant"]
    assert held.parameter_level == ["assistant"]
    assert held.level_since == [D(2026, 3, 1)]
    assert [s.days for s in held.segments[0]] == [92]


def test_before_the_first_change_the_level_is_its_from_level(scheme: Scheme, q3: Period) -> None:
    held = quarter_levels(
        one_streamer("senior"), history((1, "2026-09-01", "assistant", "senior")), scheme, q3
    )
    assert [(s.level, s.days) for s in held.segments[0]] == [("assistant", 62), ("senior", 30)]


def test_a_mid_quarter_hire_is_weighted_by_employed_days_only(scheme: Scheme, q3: Period) -> None:
    """Hired 8/1 as assistant, senior from 9/1: 31 and 30 days of 61 — targets not pro-rated."""
    held = quarter_levels(
        one_streamer("senior", hire_date=D(2026, 8, 1)),
        history((1, "2026-08-01", None, "assistant"), (1, "2026-09-01", "assistant", "senior")),
        scheme,
        q3,
    )
    assert [(s.level, s.first, s.days) for s in held.segments[0]] == [
        ("assistant", D(2026, 8, 1), 31),
        ("senior", D(2026, 9, 1), 30),
    ]
    key = held.parameter_level[0]
    net_gmv = next(m for m in held.scheme.metrics if m.key == "net_gmv")
    # (31 × 30,000,000 + 30 × 150,000,000) / 61 = 89,016,393.44… fen
    assert net_gmv.targets[key] == 89_016_393


def test_a_demotion_and_a_leaver(scheme: Scheme, q3: Period) -> None:
    """The level printed is the one held on the last employed day."""
    held = quarter_levels(
        one_streamer("senior", left_on=D(2026, 8, 20)),
        history((1, "2026-01-01", None, "senior"), (1, "2026-08-11", "senior", "assistant")),
        scheme,
        q3,
    )
    assert [(s.level, s.days) for s in held.segments[0]] == [("senior", 41), ("assistant", 10)]
    assert held.level == ["assistant"]


def test_appraise_scores_against_the_blended_targets(scheme: Scheme, q3: Period) -> None:
    """¥900,000 net GMV against the blended ¥900,000 target is full attainment, where
    today's senior target would give 60%."""
    sessions = sessions_frame(
        quarter_sessions(1, 30, 9.0, gmv_fen=3_000_000, refunds_fen=0, avg_watch_seconds=75.0)
    )
    hosts = solo_hosts(sessions, 1)
    levels = history((1, "2025-01-01", None, "assistant"), (1, "2026-08-16", "assistant", "senior"))
    blended = appraise(sessions, hosts, one_streamer("senior"), scheme, q3, level_history=levels)
    today = appraise(sessions, hosts, one_streamer("senior"), scheme, q3)
    net_gmv = next(m for m in blended.explanations[1]["metrics"] if m["metric"] == "net_gmv")
    assert (net_gmv["target"], net_gmv["attainment"]) == (90_000_000, 1.0)
    assert blended.table["level"].tolist() == ["senior"]
    assert blended.explanations[1]["level_segments"][0]["level"] == "assistant"
    assert blended.table["score"].iloc[0] > today.table["score"].iloc[0]


def test_the_hours_gate_uses_the_blended_minimum(scheme: Scheme, q3: Period) -> None:
    """Senior 46 days then mentor 46 days: minimum (240 + 120) / 2 = 180 h. 200 h on air is
    not gated, though today's senior minimum (240 h) would gate it."""
    sessions = sessions_frame(quarter_sessions(1, 25, 8.0, refunds_fen=0))
    hosts = solo_hosts(sessions, 1)
    levels = history((1, "2026-08-16", "senior", "mentor"))
    result = appraise(sessions, hosts, one_streamer("senior"), scheme, q3, level_history=levels)
    kinds = [m["kind"] for m in result.explanations[1]["commission"]["multipliers"]]
    assert kinds == ["grade"]
    today = appraise(sessions, hosts, one_streamer("senior"), scheme, q3)
    assert [m["kind"] for m in today.explanations[1]["commission"]["multipliers"]] == [
        "grade",
        "hours_gate",
    ]
