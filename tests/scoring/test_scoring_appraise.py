"""The `appraise` entry point end to end: rows, explanations, purity, inputs left untouched."""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import json
import math
import pathlib
import subprocess
import sys
from decimal import Decimal

import pandas as pd
import pytest
from scoring_factories import (
    hosts_frame,
    quarter_sessions,
    session,
    sessions_frame,
    streamers_frame,
)

from scoring import Period, PromotionInputs, Scheme, ScoringInputError, appraise, what_if
from scoring.scheme import DistributionLimit

SCORING_DIR = pathlib.Path(__file__).resolve().parents[2] / "scoring"


def _quarter() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Streamer 1: assistant, 250 h, ¥1,200,000 net GMV. 2: senior co-hosting 50% of 1's sessions
    plus a short test stream. 3: no sessions at all."""
    rows = quarter_sessions(
        1, 25, 10, gmv_fen=5_000_000, refunds_fen=200_000, new_followers=130, unfollows=10
    )
    rows.append(
        session(100, start="2026-09-30 23:59", minutes=2, viewers=3, gmv_fen=0, refunds_fen=0)
    )
    sessions = sessions_frame(rows)
    hosts = hosts_frame(
        [(i, 1, 5000) for i in range(1, 26)]
        + [(i, 2, 5000) for i in range(1, 26)]
        + [(100, 2, 10_000)]
    )
    streamers = streamers_frame(
        [
            (1, "assistant", "beauty", dt.date(2025, 1, 1)),
            (2, "senior", "food", dt.date(2024, 1, 1)),
            (3, "assistant", None, None),
        ]
    )
    return sessions, hosts, streamers


def test_table_rows_and_commission(scheme: Scheme, q3: Period) -> None:
    sessions, hosts, streamers = _quarter()
    table = appraise(sessions, hosts, streamers, scheme, q3).table.set_index("streamer_id")
    first = table.loc[1]
    assert (first["sessions"], first["on_air_seconds"], first["net_gmv_fen"]) == (
        25,
        250 * 3600,
        60_000_000,
    )
    assert (first["net_followers"], first["grade"], first["not_graded"]) == (1500, "S", False)
    # ¥600,000 marginal: 150,000 + 300,000 fen; grade S × 1.2, 250 h ≥ 240 h: no gate.
    assert (first["tier_commission_fen"], first["multiplier"], first["commission_fen"]) == (
        450_000,
        "1.2",
        540_000,
    )
    second = table.loc[2]
    assert (second["sessions"], second["test_sessions"], second["on_air_seconds"]) == (
        26,
        1,
        250 * 3600 + 120,
    )
    assert second["next_level"] == "mentor"
    assert pd.isna(second["promotion_eligible"])


def test_a_streamer_without_sessions_still_gets_a_row(scheme: Scheme, q3: Period) -> None:
    sessions, hosts, streamers = _quarter()
    result = appraise(sessions, hosts, streamers, scheme, q3)
    row = result.table.set_index("streamer_id").loc[3]
    assert (row["sessions"], row["on_air_seconds"], row["gmv_fen"], row["net_followers"]) == (
        0,
        0,
        0,
        0,
    )
    assert math.isnan(row["avg_watch_seconds"]) and math.isnan(row["conversion"])
    assert (row["not_graded"], row["grade"], row["data_incomplete"]) == (True, None, False)
    assert (row["commission_fen"], row["multiplier"]) == (0, "0.50")
    assert result.explanations[3]["figures"]["avg_watch_seconds"] is None


def test_explanations_are_json_and_agree_with_the_table(scheme: Scheme, q3: Period) -> None:
    sessions, hosts, streamers = _quarter()
    result = appraise(sessions, hosts, streamers, scheme, q3, PromotionInputs(dt.date(2026, 9, 30)))
    for row in result.table.to_dict("records"):
        explanation = result.explanations[row["streamer_id"]]
        assert json.loads(json.dumps(explanation, allow_nan=False)) == explanation
        commission = explanation["commission"]
        assert commission["commission_fen"] == row["commission_fen"]
        assert (
            sum(line["commission_fen"] for line in commission["lines"])
            == commission["tier_commission_fen"]
        )
        assert commission["multiplier"] == row["multiplier"]
        points = [m["points"] for m in explanation["metrics"]]
        if None in points:  # no sessions: average watch time is undefined, so is the score
            assert explanation["score"] is None
        else:
            assert explanation["score"] == pytest.approx(min(sum(points), 100))
        assert explanation["grade"] == row["grade"]
        assert explanation["promotion"]["eligible"] == row["promotion_eligible"]
    first = result.explanations[1]
    assert first["period"] == {
        "cycle": "2026Q3",
        "start": "2026-07-01",
        "end": "2026-09-30",
        "tz": "Asia/Shanghai",
    }
    assert first["commission"]["lines"][1] == {
        "tier": 2,
        "from_fen": 30_000_000,
        "to_fen": 100_000_000,
        "amount_fen": 30_000_000,
        "rate": "0.01",
        "commission_fen": 300_000,
    }
    assert first["commission"]["multipliers"] == [{"kind": "grade", "factor": "1.2", "grade": "S"}]
    assert first["grade_band"] == {"grade": "S", "min_score": 95.0, "below": None}
    net = first["metrics"][0]
    assert (net["metric"], net["unit"], net["target"], net["method"]) == (
        "net_gmv",
        "fen",
        30_000_000.0,
        "target",
    )


def test_inputs_are_never_modified(scheme: Scheme, q3: Period) -> None:
    sessions, hosts, streamers = _quarter()
    history = pd.DataFrame(
        [(1, "2026Q2", "A", 3600, 10, 1)],
        columns=["streamer_id", "cycle", "grade", "on_air_seconds", "gmv_fen", "refunds_fen"],
    )
    training = pd.DataFrame(
        [(1, "SCRIPT-1", dt.date(2026, 1, 1), 90.0, True)],
        columns=["streamer_id", "module_code", "completed_on", "score", "passed"],
    )
    frames = (sessions, hosts, streamers, history, training)
    before = [frame.copy(deep=True) for frame in frames]
    appraise(
        sessions,
        hosts,
        streamers,
        scheme,
        q3,
        PromotionInputs(dt.date(2026, 9, 30), history, training),
    )
    for original, frame in zip(before, frames, strict=True):
        pd.testing.assert_frame_equal(frame, original)


def test_all_input_problems_are_raised_together(scheme: Scheme, q3: Period) -> None:
    sessions, hosts, streamers = _quarter()
    sessions = sessions.assign(refunds_fen=sessions["refunds_fen"] * -1)
    hosts = hosts.assign(share_bp=hosts["share_bp"] * 3)
    streamers = streamers.assign(level=["assistant", "boss", "senior"])
    with pytest.raises(ScoringInputError) as caught:
        appraise(sessions, hosts, streamers, scheme, q3)
    assert [problem.split(":")[0] for problem in caught.value.problems] == [
        "sessions.refunds_fen",
        "hosts.share_bp",
        "hosts.share_bp",
        "streamers.level",
    ]


def test_forced_distribution_is_reported_not_enforced(scheme: Scheme, q3: Period) -> None:
    limits = (
        DistributionLimit(("S",), Decimal("0.10")),
        DistributionLimit(("S", "A", "B", "C", "D"), Decimal("1")),
    )
    sessions, hosts, streamers = _quarter()
    result = appraise(
        sessions, hosts, streamers, dataclasses.replace(scheme, forced_distribution=limits), q3
    )
    assert result.distribution == [
        {
            "grades": ["S"],
            "max_share": "0.10",
            "graded": 2,
            "count": 1,
            "allowed": 0,
            "share": 0.5,
            "violated": True,
        },
        {
            "grades": ["S", "A", "B", "C", "D"],
            "max_share": "1",
            "graded": 2,
            "count": 2,
            "allowed": 2,
            "share": 1.0,
            "violated": False,
        },
    ]
    assert result.table.set_index("streamer_id").loc[1, "grade"] == "S"


def test_what_if_matches_appraise(scheme: Scheme, q3: Period) -> None:
    sessions, hosts, streamers = _quarter()
    row = appraise(sessions, hosts, streamers, scheme, q3).table.set_index("streamer_id").loc[1]
    hours = row["on_air_seconds"] / 3600
    result = what_if(
        "assistant",
        int(row["net_gmv_fen"]),
        row["avg_watch_seconds"],
        int(row["net_followers"]),
        hours,
        scheme,
    )
    assert (result["score"], result["grade"], result["commission_fen"]) == (
        row["score"],
        row["grade"],
        row["commission_fen"],
    )


def test_scoring_imports_no_web_stack() -> None:
    code = (
        "import sys, scoring\n"
        "loaded = {name.split('.')[0] for name in sys.modules}\n"
        "web = {'flask', 'sqlalchemy', 'flask_sqlalchemy', 'werkzeug', 'jinja2'}\n"
        "print(sorted(loaded & web))\n"
    )
    root = SCORING_DIR.parent
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_scoring_source_imports_only_stdlib_pandas_numpy() -> None:
    allowed = set(sys.stdlib_module_names) | {"pandas", "numpy", "scoring"}
    imported = set()
    for path in SCORING_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    assert imported - allowed == set()


def test_unknown_net_gmv_leaves_commission_unknown(scheme: Scheme, q3: Period) -> None:
    sessions = sessions_frame(quarter_sessions(1, 5, 8, gmv_fen=None))
    hosts = hosts_frame([(i, 1, 10_000) for i in range(1, 6)])
    streamers = streamers_frame([(1, "senior", "food", None)])
    result = appraise(sessions, hosts, streamers, scheme, q3)
    row = result.table.loc[0]
    assert pd.isna(row["net_gmv_fen"]) and pd.isna(row["commission_fen"])
    assert row["multiplier"] is None
    assert row["not_graded"]
    assert row["not_graded_reason"] == {"code": "score_unknown", "metrics": ["net_gmv"]}
    assert row["incomplete_reasons"] == (
        {"code": "unknown_in_sessions", "figure": "gmv_fen", "missing": 5, "sessions": 5},
    )
    commission = result.explanations[1]["commission"]
    assert (commission["base_fen"], commission["commission_fen"], commission["lines"]) == (
        None,
        None,
        [],
    )


def test_reasons_are_codes_with_their_facts(scheme: Scheme, q3: Period) -> None:
    """Streamer 1: 40 h, but no watch time and no followers anywhere. Streamer 2: one session
    of 200 minutes and one with neither an end time nor a duration."""
    rows = quarter_sessions(1, 5, 8, avg_watch_seconds=None, new_followers=None)
    rows += [session(10, minutes=200), session(11, minutes=None, on_air_seconds=None)]
    sessions = sessions_frame(rows)
    hosts = hosts_frame([(i, 1, 10_000) for i in range(1, 6)] + [(10, 2, 10_000), (11, 2, 10_000)])
    streamers = streamers_frame([(1, "senior", "food", None), (2, "senior", "food", None)])
    result = appraise(sessions, hosts, streamers, scheme, q3)

    unknown_metrics, few_hours = result.table["not_graded_reason"].tolist()
    # The metrics without a value, in the scheme's order.
    assert unknown_metrics == {
        "code": "score_unknown",
        "metrics": ["avg_watch_seconds", "net_followers"],
    }
    assert few_hours == {"code": "below_min_hours", "hours": 3.33, "threshold": 30}
    assert result.table["incomplete_reasons"].tolist() == [
        tuple(
            {"code": "unknown_in_sessions", "figure": figure, "missing": 5, "sessions": 5}
            for figure in ("new_followers", "avg_watch_seconds")
        ),
        ({"code": "unknown_in_sessions", "figure": "on_air_seconds", "missing": 1, "sessions": 2},),
    ]
    first = result.explanations[1]
    assert first["not_graded_reason"] == unknown_metrics
    assert first["incomplete_reasons"] == list(result.table["incomplete_reasons"][0])
    json.dumps(first, allow_nan=False)
    # The explanation's reasons are its own: changing them leaves the table as it was.
    first["not_graded_reason"]["metrics"].append("changed")
    first["incomplete_reasons"][0]["missing"] = 0
    assert result.table["not_graded_reason"][0]["metrics"] == ["avg_watch_seconds", "net_followers"]
    assert result.table["incomplete_reasons"][0][0]["missing"] == 5
