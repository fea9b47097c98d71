"""The entry points: `appraise` a quarter for every streamer, and `what_if` for one streamer."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from scoring.aggregate import FIGURE_COLUMNS, quarter_figures, with_all_streamers
from scoring.commission import Statements, Tariff
from scoring.errors import ScoringInputError
from scoring.explain import (
    Explainer,
    Explanation,
    Explanations,
    MetricRows,
    commission_dict,
    grade_band,
)
from scoring.frames import dates, host_problems, plain, session_problems, streamer_problems
from scoring.levels import history_problems, quarter_levels
from scoring.period import Period
from scoring.promotion import (
    PromotionInputs,
    current_quarter,
    eligibility,
    promotion_problems,
    promotion_records,
)
from scoring.scheme import Level, Scheme
from scoring.score import SECONDS_PER_HOUR, score_streamers

TABLE_COLUMNS = (
    "streamer_id",
    "level",
    "category",
    *FIGURE_COLUMNS[1:],
    "score",
    "grade",
    "not_graded",
    "not_graded_reason",
    "tier_commission_fen",
    "multiplier",
    "commission_fen",
    "next_level",
    "promotion_eligible",
)


@dataclass(frozen=True, eq=False)
class AppraisalResult:
    """`table`: one row per streamer (see `appraise`); `explanations`: streamer id -> dict, in
    the table's order, each built when first read (see `scoring.explain.Explanations`);
    `distribution`: one check per forced-distribution limit of the scheme."""

    table: pd.DataFrame
    explanations: Mapping[int, Explanation]
    distribution: list[dict[str, Any]]


def appraise(
    sessions: pd.DataFrame,
    hosts: pd.DataFrame,
    streamers: pd.DataFrame,
    scheme: Scheme,
    period: Period,
    promotion_inputs: PromotionInputs | None = None,
    level_history: pd.DataFrame | None = None,
) -> AppraisalResult:
    """Appraise a quarter: figures, score, grade, commission and promotion per streamer.

    Inputs (never modified):
        sessions, hosts: as documented in `aggregate_sessions` (sessions may cover more than
            the period; only those starting inside it count).
        streamers: streamer_id int (unique); level (a level key of the scheme); category str or
            None; level_since date or None (needed by the months-at-level criterion).
            Exactly these streamers get a row, in this order; sessions of other hosts are ignored.
            Optional hire_date and left_on (dates or None) bound the days a level can weigh.
        promotion_inputs: see `PromotionInputs`; without them no checklist is made
            (`promotion_eligible` NA, explanation `promotion` None).
        level_history: streamer_id, effective_on (date), from_level (or None), to_level: every
            level change, dated. A streamer with changes is appraised at the level(s) held in
            the quarter (`scoring.levels`): `level` and `level_since` of `streamers` are then
            replaced by the level held on the last employed day and since when; per-level
            parameters are blended by the days each level was held.
    All problems in all inputs are raised together as one `ScoringInputError`.

    `table` columns: streamer_id, level, category, the figures of `aggregate_sessions`
    (a streamer without sessions has true zeros and NaN ratios), then
        score (float 0..max_score, NaN when a metric is unknown), grade (str or None),
        not_graded (bool), not_graded_reason (a reason, see below; None when graded),
        tier_commission_fen (Int64), multiplier (exact decimal str, e.g. "0.55"),
        commission_fen (Int64; NA with tier_commission_fen and multiplier None when net GMV is
        unknown), next_level (str or None at the top of the path),
        promotion_eligible (nullable boolean).
    Scoring rules: `score_streamers`; commission: `scoring.commission.Tariff`; promotion:
    `scoring.promotion.checklist`. The table is computed column by column for all streamers at
    once (`Tariff.statements`, `scoring.promotion.eligibility`), with the same results.

    Each explanation: {streamer_id, period {cycle, start, end, tz}, scheme, level, category,
    figures {...table figures, on_air_hours}, data_incomplete, incomplete_reasons [reason],
    metrics [{metric, unit, weight, method, lower_is_better, actual, target, attainment, points,
    cohort, cohort_size}], score, max_score, grade, grade_band {grade, min_score, below} | None,
    not_graded, not_graded_reason, commission {mode, base_fen, lines [{tier, from_fen, to_fen,
    amount_fen, rate, commission_fen}], tier_commission_fen, multipliers [{kind, factor, reason,
    ...facts}], multiplier, after_multiplier_fen, cap_fen, capped, commission_fen},
    promotion {from_level, to_level, eligible, checklist [{criterion, required, actual, met,
    ...details}]} | None}. `appraise` computes only the table: an explanation is built when it
    is first read and kept from then on (reading all of them costs several times the table).

    Reasons are data, not sentences: a dict with a `code` and the facts its sentence needs, so
    that whoever shows one words it in the reader's language. The table's `incomplete_reasons`
    is a tuple of them, the explanation's a list.
        not_graded_reason:
            {"code": "below_min_hours", "hours": float, "threshold": int}: on air `hours` in
                the quarter (rounded to 0.01; 0 when unknown), below the scheme's
                `not_graded_below_hours` (`threshold`);
            {"code": "score_unknown", "metrics": [metric key]}: enough hours, but these
                metrics (in the scheme's order) have no value, so the score is unknown.
        incomplete_reasons, one per figure with unknown values:
            {"code": "unknown_in_sessions", "figure": str, "missing": int, "sessions": int}:
                `figure` (on_air_seconds — neither an end time nor a duration —, gmv_fen,
                refunds_fen, viewers, views, new_followers, unfollows, buyers, orders or
                avg_watch_seconds) is unknown in `missing` of the streamer's `sessions`
                sessions of the quarter.
    """
    problems = (
        session_problems(sessions)
        + host_problems(hosts)
        + streamer_problems(streamers, [level.key for level in scheme.levels])
    )
    if promotion_inputs is not None:
        problems += promotion_problems(promotion_inputs, scheme, period.code)
    if level_history is not None:
        problems += history_problems(level_history, [level.key for level in scheme.levels])
    if problems:
        raise ScoringInputError(problems)
    min_seconds = scheme.scoring.min_session_minutes * 60
    figures = with_all_streamers(
        quarter_figures(sessions, hosts, period, min_seconds), streamers["streamer_id"].to_numpy()
    )
    held = quarter_levels(streamers, level_history, scheme, period)
    figures["level"] = np.array(held.level, dtype=object)
    figures["parameter_level"] = np.array(held.parameter_level, dtype=object)
    figures["category"] = pd.Series(plain(streamers["category"]), dtype=object)
    scores = score_streamers(figures, held.scheme)
    grades = plain(scores.table["grade"])
    grade_column = np.array(grades, dtype=object)
    statements = _statements(figures, grade_column, held.scheme)
    level_since = dates(pd.Series(held.level_since, dtype=object)).copy()
    records = None if promotion_inputs is None else promotion_records(promotion_inputs)
    eligible = None
    if records is not None:
        current = current_quarter(figures, grade_column, scheme)
        ladder = figures[["streamer_id", "level"]].assign(level_since=level_since.to_numpy())
        eligible = eligibility(records, scheme, period.code, ladder, current)
    table = _table(figures, scores.table, statements, eligible, scheme)
    # The explanations read only the appraisal's own data (and copies of the promotion
    # records), so a caller changing its frames afterwards cannot change them.
    minimum_hours = [held.scheme.level(key).min_on_air_hours for key in held.parameter_level]
    explainer = Explainer(
        figures,
        scores,
        statements,
        records,
        level_since,
        scheme,
        period,
        held.segments,
        minimum_hours,
    )
    explanations = Explanations(plain(figures["streamer_id"]), explainer)
    return AppraisalResult(table, explanations, distribution_checks(grades, scheme))


def _statements(figures: pd.DataFrame, grades: np.ndarray, scheme: Scheme) -> Statements:
    # The hours gate compares the known on-air time: unknown durations are flagged, not assumed.
    base = figures["net_gmv_fen"]
    return Tariff(scheme.commission).statements(
        base.to_numpy(dtype=np.int64, na_value=0),
        base.notna().to_numpy(),
        grades,
        figures["on_air_seconds"].to_numpy(dtype=np.int64, na_value=0),
        figures["parameter_level"].to_numpy(dtype=object),
        scheme.levels,
    )


def _table(
    figures: pd.DataFrame,
    scores: pd.DataFrame,
    statements: Statements,
    eligible: np.ndarray | None,
    scheme: Scheme,
) -> pd.DataFrame:
    table = pd.concat([figures, scores], axis=1)
    for name, column in statements.table_columns().items():
        table[name] = column
    steps = {level.key: scheme.next_level(level.key) for level in scheme.levels}
    levels = figures["level"].tolist()
    table["next_level"] = pd.Series([steps[level] for level in levels], dtype=object)
    table["promotion_eligible"] = (
        pd.array([pd.NA] * len(table), dtype="boolean")
        if eligible is None
        else pd.array(eligible, dtype="boolean")
    )
    return table[list(TABLE_COLUMNS)]


def distribution_checks(grades: Sequence[str | None], scheme: Scheme) -> list[dict[str, Any]]:
    """Per forced-distribution limit: {grades, max_share, graded, count, allowed, share,
    violated}. `allowed` = floor(max_share × graded); violated when count > allowed. A
    calibration aid only: grades are never changed."""
    graded = [grade for grade in grades if grade is not None]
    checks = []
    for limit in scheme.forced_distribution:
        count = sum(1 for grade in graded if grade in limit.grades)
        numerator, denominator = limit.max_share.as_integer_ratio()
        allowed = numerator * len(graded) // denominator
        checks.append(
            {
                "grades": list(limit.grades),
                "max_share": str(limit.max_share),
                "graded": len(graded),
                "count": count,
                "allowed": allowed,
                "share": count / len(graded) if graded else None,
                "violated": count > allowed,
            }
        )
    return checks


def what_if(
    level: str,
    net_gmv_fen: int,
    avg_watch_seconds: float,
    net_followers: float,
    on_air_hours: float,
    scheme: Scheme,
    *,
    other_metrics: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """Score and commission for one streamer's hypothetical quarter (a CLI what-if).

    Uses the target method (a percentile needs peers: a percentile scheme is refused) and the
    same rules as `appraise`. `other_metrics` gives the scheme's optional metrics:
    conversion, refund_rate (ratios), gmv_per_hour (fen per hour); on_air_hours is also the
    on_air_hours metric. Returns {level, score, grade, grade_band, not_graded,
    not_graded_reason, metrics [...], tier_commission_fen, multiplier (str), commission_fen,
    commission {...}} with the shapes of an `appraise` explanation.
    """
    extra = dict(other_metrics or {})
    problems = _what_if_problems(
        level, net_gmv_fen, [avg_watch_seconds, net_followers, on_air_hours], extra, scheme
    )
    if problems:
        raise ScoringInputError(problems)
    seconds = round(on_air_hours * SECONDS_PER_HOUR)
    figures = pd.DataFrame(
        {
            "level": [level],
            "category": [None],
            "net_gmv_fen": [net_gmv_fen],
            "avg_watch_seconds": [float(avg_watch_seconds)],
            "net_followers": [float(net_followers)],
            "on_air_seconds": [seconds],
            **{
                key: [float(extra.get(key, np.nan))]
                for key in ("conversion", "refund_rate", "gmv_per_hour")
            },
        }
    )
    scores = score_streamers(figures, scheme)
    grade = scores.table["grade"].iloc[0]
    result = Tariff(scheme.commission).statement(net_gmv_fen, grade, seconds, scheme.level(level))
    row = {c: v[0] for c, v in ((c, plain(scores.table[c])) for c in scores.table.columns)}
    return {
        "level": level,
        **row,
        "grade_band": grade_band(grade, scheme),
        "metrics": MetricRows(scores, scheme).row(0),
        "tier_commission_fen": result.tier_commission_fen,
        "multiplier": str(result.multiplier),
        "commission_fen": result.commission_fen,
        "commission": commission_dict(result),
    }


def with_score(
    score: float | None,
    net_gmv_fen: int | None,
    on_air_seconds: int,
    min_on_air_hours: float,
    level: str,
    scheme: Scheme,
) -> dict[str, Any]:
    """An appraisal's grade and commission when its score is set to `score` (HR's override):
    the grade is read from the score's band — unless the quarter has fewer on-air hours than
    the not-graded threshold: the override changes the score, not the hours rule —, the
    multiplier and commission follow the grade, and the hours gate stays at the quarter's
    minimum on-air hours (`min_on_air_hours`, blended when the level changed).
    A score of None (a metric unknown, no override) is not graded.
    Returns {score, grade, grade_band, not_graded, tier_commission_fen, multiplier (str, None
    when net GMV is unknown), commission_fen, commission {...}}."""
    graded = on_air_seconds >= scheme.scoring.not_graded_below_hours * SECONDS_PER_HOUR
    grade = None
    if graded and score is not None:
        grade = next((band.key for band in scheme.grades if score >= band.min_score), None)
    if net_gmv_fen is None:
        statement = None
    else:
        quarter_level = Level(level, level, level, min_on_air_hours)
        tariff = Tariff(scheme.commission)
        statement = tariff.statement(net_gmv_fen, grade, on_air_seconds, quarter_level)
    commission = commission_dict(statement)
    return {
        "score": score,
        "grade": grade,
        "grade_band": grade_band(grade, scheme),
        "not_graded": grade is None,
        "tier_commission_fen": commission["tier_commission_fen"],
        "multiplier": commission["multiplier"],
        "commission_fen": commission["commission_fen"],
        "commission": commission,
    }


def _what_if_problems(
    level: str, net_gmv_fen: int, numbers: list[float], extra: dict[str, float], scheme: Scheme
) -> list[str]:
    """`numbers`: avg_watch_seconds, net_followers, on_air_hours."""
    problems = []
    if scheme.scoring.method != "target":
        problems.append(
            "what_if: the scheme scores by percentile, which needs the peer cohort; use appraise"
        )
    if level not in [lv.key for lv in scheme.levels]:
        problems.append(f"what_if.level: not a level of the scheme: {level!r}")
    if isinstance(net_gmv_fen, bool) or not isinstance(net_gmv_fen, int):
        problems.append("what_if.net_gmv_fen: must be an integer number of fen")
    if not all(
        isinstance(n, int | float) and math.isfinite(n) for n in [*numbers, *extra.values()]
    ):
        problems.append("what_if: metric values must be finite numbers")
    elif numbers[-1] < 0:
        problems.append("what_if.on_air_hours: must not be negative")
    optional = {m.key for m in scheme.metrics} & {"conversion", "refund_rate", "gmv_per_hour"}
    problems += [
        f"what_if.other_metrics: {key} missing (the scheme scores it)"
        for key in sorted(optional - extra.keys())
    ]
    problems += [
        f"what_if.other_metrics: unknown metric {key!r}" for key in sorted(extra.keys() - optional)
    ]
    return problems
