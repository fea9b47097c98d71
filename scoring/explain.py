"""Explanations: one JSON-ready dict per streamer, the single source for sheet, portal and CLI.

Everything is a plain `int`, `float`, `str`, `bool`, `None`, list or dict (rates and multipliers
as exact decimal strings), so `json.dumps(..., allow_nan=False)` always works. Columns are
turned into Python lists once; the per-streamer loop only assembles dicts.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from scoring.aggregate import FIGURE_COLUMNS
from scoring.commission import Statement
from scoring.frames import plain
from scoring.period import Period
from scoring.scheme import METRIC_UNITS, Scheme
from scoring.score import SECONDS_PER_HOUR, Scores

Explanation = dict[str, Any]
_FIGURES = [
    c for c in FIGURE_COLUMNS if c not in ("streamer_id", "data_incomplete", "incomplete_reasons")
]
_METRIC_FIELDS = ("actual", "target", "attainment", "points", "cohort", "cohort_size")  # size last


def commission_dict(item: Statement | None) -> dict[str, Any]:
    """A statement as lines: {mode, base_fen, lines, tier_commission_fen, multipliers,
    multiplier, after_multiplier_fen, cap_fen, capped, commission_fen}; None values when the
    base (net GMV) is unknown."""
    if item is None:
        return {
            "mode": None,
            "base_fen": None,
            "lines": [],
            "tier_commission_fen": None,
            "multipliers": [],
            "multiplier": None,
            "after_multiplier_fen": None,
            "cap_fen": None,
            "capped": False,
            "commission_fen": None,
        }
    return {
        "mode": item.mode,
        "base_fen": item.base_fen,
        "lines": [
            {
                "tier": line.tier,
                "from_fen": line.from_fen,
                "to_fen": line.to_fen,
                "amount_fen": line.amount_fen,
                "rate": str(line.rate),
                "commission_fen": line.commission_fen,
            }
            for line in item.lines
        ],
        "tier_commission_fen": item.tier_commission_fen,
        "multipliers": [
            {"kind": f.kind, "factor": str(f.factor), "reason": f.reason, **f.facts}
            for f in item.factors
        ],
        "multiplier": str(item.multiplier),
        "after_multiplier_fen": item.after_multiplier_fen,
        "cap_fen": item.cap_fen,
        "capped": item.commission_fen < item.after_multiplier_fen,
        "commission_fen": item.commission_fen,
    }


def metric_rows(scores: Scores, scheme: Scheme) -> list[list[dict[str, Any]]]:
    """Per streamer, per metric: {metric, unit, weight, method, lower_is_better, actual, target,
    attainment, points, cohort, cohort_size} (target None for percentile, cohort None for
    target). Built column by column: one pass per metric, not per streamer and field."""
    per_metric = []
    for metric in scheme.metrics:
        frame = scores.metrics[metric.key]
        static = {
            "metric": metric.key,
            "unit": METRIC_UNITS[metric.key],
            "weight": metric.weight,
            "method": scheme.scoring.method,
            "lower_is_better": metric.lower_is_better,
        }
        sizes = [None if size is None else int(size) for size in plain(frame["cohort_size"])]
        columns = [plain(frame[f]) for f in _METRIC_FIELDS[:-1]] + [sizes]
        per_metric.append(
            [
                {**static, **dict(zip(_METRIC_FIELDS, v, strict=True))}
                for v in zip(*columns, strict=True)
            ]
        )
    return [list(items) for items in zip(*per_metric, strict=True)]


def grade_band(grade: str | None, scheme: Scheme) -> dict[str, Any] | None:
    """{grade, min_score, below}: the band's score range [min_score, below)."""
    keys = [band.key for band in scheme.grades]
    if grade not in keys:
        return None
    index = keys.index(grade)
    below = scheme.grades[index - 1].min_score if index else None
    return {"grade": grade, "min_score": scheme.grades[index].min_score, "below": below}


def build_explanations(
    figures: pd.DataFrame,
    scores: Scores,
    statements: list[Statement | None],
    promotions: list[dict[str, Any] | None],
    scheme: Scheme,
    period: Period,
) -> dict[int, Explanation]:
    """Explanation per streamer id; see `appraise` for the shape."""
    figure_rows = zip(*(plain(figures[c]) for c in _FIGURES), strict=True)
    metrics = metric_rows(scores, scheme)
    table = {c: plain(scores.table[c]) for c in scores.table.columns}
    period_info: dict[str, Any] = {
        "cycle": period.code,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "tz": period.tz,
    }
    ids, levels, categories = (
        plain(figures["streamer_id"]),
        plain(figures["level"]),
        plain(figures["category"]),
    )
    incomplete, reasons = plain(figures["data_incomplete"]), plain(figures["incomplete_reasons"])
    explanations = {}
    for row, (streamer_id, values) in enumerate(zip(ids, figure_rows, strict=True)):
        shown = dict(zip(_FIGURES, values, strict=True))
        seconds = shown["on_air_seconds"]
        shown["on_air_hours"] = None if seconds is None else round(seconds / SECONDS_PER_HOUR, 2)
        explanations[streamer_id] = {
            "streamer_id": streamer_id,
            "period": dict(period_info),
            "scheme": scheme.name,
            "level": levels[row],
            "category": categories[row],
            "figures": shown,
            "data_incomplete": incomplete[row],
            "incomplete_reasons": list(reasons[row]),
            "metrics": metrics[row],
            "score": table["score"][row],
            "max_score": scheme.scoring.max_score,
            "grade": table["grade"][row],
            "grade_band": grade_band(table["grade"][row], scheme),
            "not_graded": table["not_graded"][row],
            "not_graded_reason": table["not_graded_reason"][row],
            "commission": commission_dict(statements[row]),
            "promotion": promotions[row],
        }
    return explanations
