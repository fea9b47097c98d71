"""Scores and grades: per-metric attainment (against targets or peers), points, total, band.

Points are rounded to 0.01 (half up) per metric and the score is the sum of the shown points,
so the printed sheet always adds up; the grade is taken from that score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.scheme import Metric, Scheme

_SOURCES = {
    "net_gmv": "net_gmv_fen",
    "avg_watch_seconds": "avg_watch_seconds",
    "net_followers": "net_followers",
    "conversion": "conversion",
    "refund_rate": "refund_rate",
    "gmv_per_hour": "gmv_per_hour",
}
SECONDS_PER_HOUR = 3600
# Binary floats put 2.675 just below 2.675; the tolerance lets half-up rounding see the half.
_HALF_UP_TOLERANCE = 1e-9
# The codes of `not_graded_reason`.
BELOW_MIN_HOURS = "below_min_hours"
SCORE_UNKNOWN = "score_unknown"


@dataclass(frozen=True, eq=False)
class Scores:
    """`metrics[key]`: actual, target, attainment, points, cohort, cohort_size (row per streamer).

    `table`: score, grade, not_graded, not_graded_reason (a code with its facts, documented
    with `scoring.appraise.appraise`). All share the figures' index.
    """

    metrics: dict[str, pd.DataFrame]
    table: pd.DataFrame


def round_points(values: np.ndarray) -> np.ndarray:
    """Half up to 0.01 (values are never negative)."""
    return np.floor(values * 100 + 0.5 + _HALF_UP_TOLERANCE) / 100


def metric_actual(figures: pd.DataFrame, key: str) -> np.ndarray:
    """A metric's actual value per streamer as float, NaN when unknown."""
    if key == "on_air_hours":
        seconds = figures["on_air_seconds"].to_numpy(dtype=np.float64, na_value=np.nan)
        return seconds / SECONDS_PER_HOUR
    return figures[_SOURCES[key]].to_numpy(dtype=np.float64, na_value=np.nan)


def hours_graded(figures: pd.DataFrame, scheme: Scheme) -> np.ndarray:
    """True where known on-air time reaches the not-graded threshold."""
    seconds = figures["on_air_seconds"].to_numpy(dtype=np.float64, na_value=0)
    return seconds >= scheme.scoring.not_graded_below_hours * SECONDS_PER_HOUR


def score_streamers(figures: pd.DataFrame, scheme: Scheme) -> Scores:
    """Score every row of `figures` (aggregate output plus `level` and `category` columns).

    target method: attainment = actual ÷ the level's target (target ÷ actual for refund_rate,
        where lower is better; an actual of 0 then reaches the cap).
    percentile method: attainment = percentile rank (pandas `rank(pct=True)`, ties averaged,
        best = 1.0) among streamers graded on hours with a known value, in the cohort of the
        same level and category when it has at least `min_cohort_size` such streamers, else the
        whole level. Streamers below the hours threshold are not ranked (their points are NaN).
    points = weight × attainment clipped to [0, attainment_cap], rounded half up to 0.01;
    score = min(Σ points, max_score), NaN when any metric is unknown;
    grade = first band with score >= min_score; None when not graded (on-air hours below
    `not_graded_below_hours`, or the score is unknown), with not_graded_reason saying which
    (a code with its facts, documented with `scoring.appraise.appraise`).
    """
    graded_hours = hours_graded(figures, scheme)
    cohorts = (
        _cohorts(figures, graded_hours, scheme) if scheme.scoring.method == "percentile" else None
    )
    metrics = {
        m.key: _metric_frame(figures, m, scheme, cohorts, graded_hours) for m in scheme.metrics
    }
    points = np.column_stack([frame["points"].to_numpy() for frame in metrics.values()])
    score = np.minimum(round_points(points.sum(axis=1)), scheme.scoring.max_score)
    not_graded = ~graded_hours | np.isnan(score)
    # dtype=object keeps None: pandas 3 would infer a string dtype and turn None into NaN.
    table = pd.DataFrame(
        {
            "score": score,
            "grade": pd.Series(_grades(score, not_graded, scheme), dtype=object),
            "not_graded": not_graded,
            "not_graded_reason": pd.Series(
                _not_graded_reasons(figures, graded_hours, metrics, scheme), dtype=object
            ),
        }
    ).set_axis(figures.index)
    return Scores(metrics, table)


def _metric_frame(
    figures: pd.DataFrame,
    metric: Metric,
    scheme: Scheme,
    cohorts: pd.DataFrame | None,
    graded_hours: np.ndarray,
) -> pd.DataFrame:
    actual = metric_actual(figures, metric.key)
    # The parameters' level: the level itself, or a blend of the levels held in the quarter.
    levels = figures["parameter_level"] if "parameter_level" in figures else figures["level"]
    target = levels.map(dict(metric.targets)).to_numpy(dtype=np.float64)
    if cohorts is None:
        attainment = _target_attainment(actual, target, metric, scheme.scoring.attainment_cap)
        cohort, size = np.full(len(actual), None, dtype=object), np.full(len(actual), np.nan)
    else:
        attainment, size = _percentile(actual, graded_hours, cohorts, metric)
        cohort, target = cohorts["cohort"].to_numpy(dtype=object), np.full(len(actual), np.nan)
    capped = np.clip(attainment, 0.0, scheme.scoring.attainment_cap)
    return pd.DataFrame(
        {
            "actual": actual,
            "target": target,
            "attainment": attainment,
            "points": round_points(metric.weight * capped),
            "cohort": pd.Series(cohort, dtype=object, index=figures.index),
            "cohort_size": size,
        },
        index=figures.index,
    )


def _target_attainment(
    actual: np.ndarray, target: np.ndarray, metric: Metric, cap: float
) -> np.ndarray:
    with np.errstate(divide="ignore"):
        inverse = np.where(actual > 0, target / actual, np.where(actual == 0, cap, np.nan))
    return inverse if metric.lower_is_better else np.divide(actual, target)


def _cohorts(figures: pd.DataFrame, graded_hours: np.ndarray, scheme: Scheme) -> pd.DataFrame:
    """Per streamer: whether its level+category cohort is big enough, and the cohort's label."""
    level = figures["level"].astype(object)
    category = figures["category"].astype(object)
    eligible = pd.Series(graded_hours, index=figures.index)
    size = eligible.groupby([level, category]).transform("sum").fillna(0).to_numpy()
    by_category = category.notna().to_numpy() & (size >= scheme.scoring.min_cohort_size)
    label = np.where(by_category, level + "/" + category.fillna(""), level)
    return pd.DataFrame(
        {"level": level, "category": category, "by_category": by_category, "cohort": label}
    )


def _percentile(
    actual: np.ndarray, graded_hours: np.ndarray, cohorts: pd.DataFrame, metric: Metric
) -> tuple[np.ndarray, np.ndarray]:
    values = pd.Series(np.where(graded_hours, actual, np.nan), index=cohorts.index)
    ascending = not metric.lower_is_better
    results = []
    for keys in (["level", "category"], ["level"]):
        grouped = values.groupby([cohorts[k] for k in keys])
        rank = grouped.rank(method="average", pct=True, ascending=ascending)
        results.append(
            (rank.to_numpy(dtype=np.float64), grouped.transform("count").to_numpy(dtype=np.float64))
        )
    (cat_rank, cat_size), (level_rank, level_size) = results
    by_category = cohorts["by_category"].to_numpy()
    return np.where(by_category, cat_rank, level_rank), np.where(by_category, cat_size, level_size)


def _grades(score: np.ndarray, not_graded: np.ndarray, scheme: Scheme) -> np.ndarray:
    reached = [score >= band.min_score for band in scheme.grades]
    grades = np.select(reached, [band.key for band in scheme.grades], default="").astype(object)
    grades[not_graded | (grades == "")] = None
    return grades


def _not_graded_reasons(
    figures: pd.DataFrame,
    graded_hours: np.ndarray,
    metrics: dict[str, pd.DataFrame],
    scheme: Scheme,
) -> np.ndarray:
    """Per streamer, why it is not graded, as a code with its facts (see `not_graded_reason`
    in `scoring.appraise.appraise`), None when graded. Only the rows not graded are visited."""
    threshold = scheme.scoring.not_graded_below_hours
    hours = metric_actual(figures, "on_air_hours")
    unknown = {key: np.isnan(frame["points"].to_numpy()) for key, frame in metrics.items()}
    reasons = np.full(len(figures), None, dtype=object)
    for row in np.flatnonzero(~graded_hours):
        # Unknown on-air time counts as none, as the hours rule reads it; hundredths rounded
        # down, so that 29.999 h is never shown as 30.00 h below a 30 h threshold.
        shown = 0.0 if np.isnan(hours[row]) else math.floor(float(hours[row]) * 100) / 100
        reasons[row] = {"code": BELOW_MIN_HOURS, "hours": shown, "threshold": threshold}
    any_unknown = np.logical_or.reduce(list(unknown.values()))
    for row in np.flatnonzero(graded_hours & any_unknown):
        missing = [key for key, mask in unknown.items() if mask[row]]
        reasons[row] = {"code": SCORE_UNKNOWN, "metrics": missing}
    return reasons
