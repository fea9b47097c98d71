"""Scores and grades: target attainment, caps, bands, not graded, percentile cohorts."""

from __future__ import annotations

import dataclasses
import json
import math
from types import MappingProxyType

import numpy as np
import pandas as pd
import pytest

from scoring import Scheme, ScoringInputError, what_if
from scoring.scheme import Metric
from scoring.score import round_points, score_streamers


def test_hand_computed_senior_quarter(scheme: Scheme) -> None:
    result = what_if("senior", 120_000_000, 81.0, 12_000, 250.0, scheme)
    points = {m["metric"]: m["points"] for m in result["metrics"]}
    assert points == {"net_gmv": 40.0, "avg_watch_seconds": 22.5, "net_followers": 20.0}
    assert (result["score"], result["grade"]) == (82.5, "B")
    assert result["grade_band"] == {"grade": "B", "min_score": 70.0, "below": 85.0}
    assert (result["tier_commission_fen"], result["multiplier"], result["commission_fen"]) == (
        1_150_000,
        "1.0",
        1_150_000,
    )
    assert json.loads(json.dumps(result, allow_nan=False)) == result


def test_attainment_is_capped_and_the_score_too(scheme: Scheme) -> None:
    result = what_if("assistant", 60_000_000, 120.0, 6_000, 300.0, scheme)
    metrics = {m["metric"]: m for m in result["metrics"]}
    assert metrics["net_gmv"]["attainment"] == pytest.approx(2.0)
    assert metrics["net_gmv"]["points"] == 60.0  # 50 × 1.2
    assert result["score"] == 100.0


def test_negative_actuals_earn_no_points(scheme: Scheme) -> None:
    result = what_if("assistant", -5_000_000, 60.0, -200, 300.0, scheme)
    points = {m["metric"]: m["points"] for m in result["metrics"]}
    assert points == {"net_gmv": 0.0, "avg_watch_seconds": 25.0, "net_followers": 0.0}
    assert result["commission_fen"] == 0


@pytest.mark.parametrize(
    ("net_gmv_fen", "score", "grade"),
    [(27_000_000, 95.0, "S"), (26_990_000, 94.98, "A"), (30_000_000, 100.0, "S")],
)
def test_grade_band_boundaries(scheme: Scheme, net_gmv_fen: int, score: float, grade: str) -> None:
    result = what_if("assistant", net_gmv_fen, 60.0, 3_000, 300.0, scheme)
    assert (result["score"], result["grade"]) == (score, grade)


def test_below_thirty_hours_is_not_graded_and_gated(scheme: Scheme) -> None:
    result = what_if("assistant", 30_000_000, 60.0, 3_000, 29.5, scheme)
    assert result["score"] == 100.0  # still shown, for the streamer's information
    assert (result["grade"], result["not_graded"]) == (None, True)
    assert result["not_graded_reason"] == {
        "code": "below_min_hours",
        "hours": 29.5,
        "threshold": 30,
    }
    kinds = [(m["kind"], m["factor"]) for m in result["commission"]["multipliers"]]
    assert kinds == [("grade", "1.0"), ("hours_gate", "0.5")]
    assert result["commission_fen"] == 75_000  # 150,000 × 1.0 × 0.5


def test_points_round_half_up() -> None:
    assert list(round_points(np.array([2.675, 0.125, 94.995, 3.084999]))) == [
        2.68,
        0.13,
        95.0,
        3.08,
    ]


def _with_refund_rate(scheme: Scheme) -> Scheme:
    targets = MappingProxyType({"assistant": 0.1, "senior": 0.1, "mentor": 0.1})
    return dataclasses.replace(
        scheme, metrics=(*scheme.metrics, Metric("refund_rate", 10, targets))
    )


@pytest.mark.parametrize(("rate", "points"), [(0.05, 12.0), (0.0, 12.0), (0.2, 5.0), (0.1, 10.0)])
def test_refund_rate_is_lower_is_better(scheme: Scheme, rate: float, points: float) -> None:
    result = what_if(
        "assistant",
        30_000_000,
        60.0,
        3_000,
        300.0,
        _with_refund_rate(scheme),
        other_metrics={"refund_rate": rate},
    )
    refund = next(m for m in result["metrics"] if m["metric"] == "refund_rate")
    assert (refund["lower_is_better"], refund["points"]) == (True, points)


def test_what_if_reports_its_problems_at_once(scheme: Scheme) -> None:
    with pytest.raises(ScoringInputError) as caught:
        what_if("boss", 1.5, 60.0, math.nan, 300.0, _with_refund_rate(scheme))  # type: ignore[arg-type]
    assert caught.value.problems == [
        "what_if.level: not a level of the scheme: 'boss'",
        "what_if.net_gmv_fen: must be an integer number of fen",
        "what_if: metric values must be finite numbers",
        "what_if.other_metrics: refund_rate missing (the scheme scores it)",
    ]


def _figures(rows: list[tuple[str, str | None, int, float]]) -> pd.DataFrame:
    """(level, category, net_gmv_fen, on-air hours); other metrics equal for everyone."""
    frame = pd.DataFrame(rows, columns=["level", "category", "net_gmv_fen", "hours"])
    frame["category"] = frame["category"].astype(object)
    frame["on_air_seconds"] = (frame.pop("hours") * 3600).astype("int64")
    frame["avg_watch_seconds"] = 70.0
    frame["net_followers"] = 5_000
    return frame


def test_percentile_cohorts_fall_back_to_the_level(scheme: Scheme) -> None:
    peer = dataclasses.replace(
        scheme, scoring=dataclasses.replace(scheme.scoring, method="percentile")
    )
    beauty = [("senior", "beauty", gmv, 100.0) for gmv in (10, 20, 30, 40, 50)]
    figures = _figures(
        [
            *beauty,
            ("senior", "beauty", 999, 10.0),  # below 30 h: out of the peer comparison
            ("senior", "food", 100, 100.0),
            ("senior", "food", 200, 100.0),
            ("senior", None, 60, 100.0),
            ("assistant", "beauty", 5, 100.0),
        ]
    )
    scores = score_streamers(figures, peer)
    net = scores.metrics["net_gmv"]
    # Beauty has 5 graded seniors: its own cohort. Food (2) and no category fall back to all 8.
    assert list(net["cohort"]) == ["senior/beauty"] * 6 + ["senior"] * 3 + ["assistant"]
    assert list(net["points"][:5]) == [10.0, 20.0, 30.0, 40.0, 50.0]
    assert list(net["cohort_size"][:5]) == [5] * 5
    assert math.isnan(net["points"][5])
    assert list(net["points"][6:9]) == [43.75, 50.0, 37.5]  # 7/8, 8/8, 6/8 of 50 points
    # Ties share the average rank: 3 of 5 in beauty, 4.5 of 8 at level.
    watch = scores.metrics["avg_watch_seconds"]["points"]
    assert (watch[0], watch[6]) == (15.0, 14.06)
    assert list(scores.table["score"][:2]) == [40.0, 50.0]
    assert scores.table["grade"][5] is None
    assert scores.metrics["net_gmv"]["points"][9] == 50.0  # alone at its level


def test_what_if_refuses_percentile_schemes(scheme: Scheme) -> None:
    peer = dataclasses.replace(
        scheme, scoring=dataclasses.replace(scheme.scoring, method="percentile")
    )
    with pytest.raises(ScoringInputError, match="percentile"):
        what_if("senior", 1, 60.0, 1, 100.0, peer)


def test_hours_just_below_the_threshold_are_never_shown_as_the_threshold(scheme: Scheme) -> None:
    result = what_if("assistant", 30_000_000, 60.0, 3_000, 29.999, scheme)
    assert result["not_graded"] is True
    assert result["not_graded_reason"]["hours"] == 29.99
    gate = result["commission"]["multipliers"][1]
    assert (gate["kind"], gate["on_air_hours"]) == ("hours_gate", 29.99)
