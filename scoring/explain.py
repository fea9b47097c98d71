"""Explanations: one JSON-ready dict per streamer, the single source for sheet, portal and CLI.

Everything is a plain `int`, `float`, `str`, `bool`, `None`, list or dict (rates and multipliers
as exact decimal strings), so `json.dumps(..., allow_nan=False)` always works.

`appraise` only computes the table; `Explanations` builds a streamer's dict when it is first
asked for, from the appraisal's own columns (turned into Python lists once, at the first
request), so scoring a quarter does not pay for ten thousand dicts nobody may read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from functools import cached_property
from typing import Any

import pandas as pd

from scoring.aggregate import FIGURE_COLUMNS
from scoring.commission import Statement, Statements
from scoring.frames import plain
from scoring.levels import Segment
from scoring.period import Period
from scoring.promotion import Quarter, Records, checklist, evidence
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
        "multipliers": [{"kind": f.kind, "factor": str(f.factor), **f.facts} for f in item.factors],
        "multiplier": str(item.multiplier),
        "after_multiplier_fen": item.after_multiplier_fen,
        "cap_fen": item.cap_fen,
        "capped": item.commission_fen < item.after_multiplier_fen,
        "commission_fen": item.commission_fen,
    }


class MetricRows:
    """Per streamer, per metric: {metric, unit, weight, method, lower_is_better, actual, target,
    attainment, points, cohort, cohort_size} (target None for percentile, cohort None for
    target). Each metric's columns become Python lists once; a row only assembles dicts."""

    def __init__(self, scores: Scores, scheme: Scheme) -> None:
        self._method = scheme.scoring.method
        self._per_metric = []
        for metric in scheme.metrics:
            frame = scores.metrics[metric.key]
            sizes = [None if size is None else int(size) for size in plain(frame["cohort_size"])]
            columns = [plain(frame[f]) for f in _METRIC_FIELDS[:-1]] + [sizes]
            self._per_metric.append((metric, list(zip(*columns, strict=True))))

    def row(self, row: int) -> list[dict[str, Any]]:
        items = []
        for metric, values in self._per_metric:
            actual, target, attainment, points, cohort, cohort_size = values[row]
            items.append(
                {
                    "metric": metric.key,
                    "unit": METRIC_UNITS[metric.key],
                    "weight": metric.weight,
                    "method": self._method,
                    "lower_is_better": metric.lower_is_better,
                    "actual": actual,
                    "target": target,
                    "attainment": attainment,
                    "points": points,
                    "cohort": cohort,
                    "cohort_size": cohort_size,
                }
            )
        return items


def grade_band(grade: str | None, scheme: Scheme) -> dict[str, Any] | None:
    """{grade, min_score, below}: the band's score range [min_score, below)."""
    keys = [band.key for band in scheme.grades]
    if grade not in keys:
        return None
    index = keys.index(grade)
    below = scheme.grades[index - 1].min_score if index else None
    return {"grade": grade, "min_score": scheme.grades[index].min_score, "below": below}


class Explainer:
    """Builds the explanation of any row of an appraisal from its columns (see `appraise` for
    the shape). Holds only the appraisal's own data, never the caller's frames."""

    def __init__(
        self,
        figures: pd.DataFrame,
        scores: Scores,
        statements: Statements,
        records: Records | None,
        level_since: pd.Series,
        scheme: Scheme,
        period: Period,
        segments: Sequence[tuple[Segment, ...]],
        min_on_air_hours: Sequence[float],
    ) -> None:
        self._figures = figures
        self._segments = segments
        self._min_on_air_hours = min_on_air_hours
        self._scores = scores
        self._statements = statements
        self._records = records
        self._level_since = level_since
        self._scheme = scheme
        self._period = period

    @cached_property
    def _columns(self) -> dict[str, Any]:
        """Every column an explanation shows, as Python values, converted once."""
        figures, scheme = self._figures, self._scheme
        return {
            "figures": list(zip(*(plain(figures[c]) for c in _FIGURES), strict=True)),
            **{c: plain(figures[c]) for c in FIGURE_COLUMNS if c not in _FIGURES},
            **{c: plain(figures[c]) for c in ("level", "category")},
            **{c: plain(self._scores.table[c]) for c in self._scores.table.columns},
            "metrics": MetricRows(self._scores, scheme),
            "bands": {band.key: grade_band(band.key, scheme) for band in scheme.grades},
            "steps": {
                lv.key: (scheme.promotion_from(lv.key), scheme.next_level(lv.key))
                for lv in scheme.levels
            },
            "period": {
                "cycle": self._period.code,
                "start": self._period.start.isoformat(),
                "end": self._period.end.isoformat(),
                "tz": self._period.tz,
            },
        }

    @cached_property
    def _promotion_columns(self) -> dict[str, Any]:
        """What the checklists read: the indexed promotion records and the quarter's columns."""
        assert self._records is not None
        return {
            "evidence": evidence(self._records, self._scheme),
            "since": plain(self._level_since.dt.date),
            **{c: plain(self._figures[c]) for c in ("on_air_seconds", "gmv_fen", "refunds_fen")},
        }

    def explanation(self, row: int) -> Explanation:
        """Row `row`'s explanation, a new dict."""
        columns, scheme = self._columns, self._scheme
        shown = dict(zip(_FIGURES, columns["figures"][row], strict=True))
        seconds = shown["on_air_seconds"]
        shown["on_air_hours"] = None if seconds is None else round(seconds / SECONDS_PER_HOUR, 2)
        grade = columns["grade"][row]
        return {
            "streamer_id": columns["streamer_id"][row],
            "period": dict(columns["period"]),
            "scheme": scheme.name,
            "level": columns["level"][row],
            "level_segments": [part.as_dict() for part in self._segments[row]],
            # The hours gate's minimum for the quarter (day-weighted when the level changed).
            "min_on_air_hours": self._min_on_air_hours[row],
            "category": columns["category"][row],
            "figures": shown,
            "data_incomplete": columns["data_incomplete"][row],
            "incomplete_reasons": [_reason(r) for r in columns["incomplete_reasons"][row]],
            "metrics": columns["metrics"].row(row),
            "score": columns["score"][row],
            "max_score": scheme.scoring.max_score,
            "grade": grade,
            "grade_band": _copy(columns["bands"].get(grade)),
            "not_graded": columns["not_graded"][row],
            "not_graded_reason": _reason(columns["not_graded_reason"][row]),
            "commission": commission_dict(self._statements.statement(row)),
            "promotion": None if self._records is None else self._promotion(row),
        }

    def _promotion(self, row: int) -> dict[str, Any]:
        """{from_level, to_level, eligible, checklist} for the next step of the path."""
        columns, scheme = self._columns, self._scheme
        level = columns["level"][row]
        rule, next_level = columns["steps"][level]
        items = []
        if rule is not None:
            facts = self._promotion_columns
            seconds = facts["on_air_seconds"][row]
            current = Quarter(
                self._period.code,
                columns["grade"][row],
                seconds or 0,
                facts["gmv_fen"][row],
                facts["refunds_fen"][row],
            )
            streamer_id = columns["streamer_id"][row]
            since = facts["since"][row]
            items = checklist(rule, streamer_id, since, current, facts["evidence"], scheme)
        return {
            "from_level": level,
            "to_level": next_level,
            "eligible": rule is not None and all(item["met"] for item in items),
            "checklist": items,
        }


def _copy(band: dict[str, Any] | None) -> dict[str, Any] | None:
    """Each explanation owns its dicts: a caller may change one without touching another."""
    return None if band is None else dict(band)


def _reason(reason: dict[str, Any] | None) -> dict[str, Any] | None:
    """A reason of the table (a code with its facts, a fact may be a list), as the
    explanation's own dict."""
    if reason is None:
        return None
    return {key: list(value) if isinstance(value, list) else value for key, value in reason.items()}


class Explanations(Mapping[int, Explanation]):
    """Explanation per streamer id, in the table's order.

    A streamer's dict is built on first access and then kept: asking again returns the same
    dict, so additions a caller makes to it (the app adds the scheme version) stay.
    """

    def __init__(self, streamer_ids: list[int], explainer: Explainer) -> None:
        self._rows = {streamer_id: row for row, streamer_id in enumerate(streamer_ids)}
        self._explainer = explainer
        self._built: dict[int, Explanation] = {}

    def __getitem__(self, streamer_id: int) -> Explanation:
        built = self._built.get(streamer_id)
        if built is None:
            built = self._explainer.explanation(self._rows[streamer_id])
            self._built[streamer_id] = built
        return built

    def __contains__(self, streamer_id: object) -> bool:
        return streamer_id in self._rows

    def __iter__(self) -> Iterator[int]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)
