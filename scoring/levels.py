"""The level in force: which level a streamer held on each day of a quarter, and the scheme's
per-level parameters blended by those days.

A quarter is appraised at the level(s) actually held in it, never at today's level. The level
held on a day is the `to_level` of the last change effective on or before it (changes on one
day keep their order); before the first change it is that change's `from_level` when known.
Each level's weight is the days it was held out of the days the streamer was employed in the
quarter, so a mid-quarter hire's targets are not pro-rated down: only the mix is weighted.
Blended targets are rounded half up to the fen (money) or to 0.01 (counts, seconds, ratios,
hours). The level printed for the quarter is the one held on its last employed day, and
`level_since` is the first day of the run of that level that reaches it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from scoring.period import Period
from scoring.scheme import METRIC_UNITS, Level, Scheme

HISTORY_COLUMNS = ("streamer_id", "effective_on", "from_level", "to_level")
MONEY_UNITS = ("fen", "fen_per_hour")
_ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Segment:
    """Days `first`..`last` (inclusive) of the quarter at `level`."""

    level: str
    first: dt.date
    last: dt.date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "from": self.first.isoformat(),
            "to": self.last.isoformat(),
            "days": self.days,
        }


@dataclass(frozen=True)
class QuarterLevels:
    """Per streamer row (in the streamers frame's order): the level at the quarter's end, since
    when it was held (None when unknown), the segments, and the key of the parameters to apply
    (the level itself, or a blend's key in `scheme`, which carries the blended levels)."""

    level: list[str]
    level_since: list[dt.date | None]
    segments: list[tuple[Segment, ...]]
    parameter_level: list[str]
    scheme: Scheme


def history_problems(history: pd.DataFrame, level_keys: Sequence[str]) -> list[str]:
    """Every problem of a level-history frame, said at once."""
    missing = [c for c in HISTORY_COLUMNS if c not in history.columns]
    if missing:
        return [f"level_history: missing columns {', '.join(missing)}"]
    problems = []
    known = set(level_keys)
    for column, nullable in (("to_level", False), ("from_level", True)):
        values = history[column]
        bad = ~values.isin(list(known)) & ~(values.isna() if nullable else False)
        if bad.any():
            rows = ", ".join(str(i) for i in np.flatnonzero(bad.to_numpy())[:10])
            problems.append(f"level_history.{column}: not a level of the scheme (rows {rows})")
    if pd.to_datetime(history["effective_on"], errors="coerce").isna().any():
        problems.append("level_history.effective_on: every change needs a date")
    return problems


def quarter_levels(
    streamers: pd.DataFrame, history: pd.DataFrame | None, scheme: Scheme, period: Period
) -> QuarterLevels:
    """The level in force for every row of `streamers` (streamer_id, level, level_since, and
    optionally hire_date and left_on). A streamer without history keeps its `level` and
    `level_since` for the whole quarter (the common case, taken without a per-row loop)."""
    changes = _changes_by_streamer(history)
    levels = streamers["level"].tolist()
    since: list[dt.date | None] = (
        _dates(streamers["level_since"]) if "level_since" in streamers else [None] * len(levels)
    )
    keys = list(levels)
    segments: list[tuple[Segment, ...]] = [
        (Segment(level, period.start, period.end),) for level in levels
    ]
    blends: dict[str, tuple[Segment, ...]] = {}
    ids = streamers["streamer_id"].tolist()
    rows = [row for row, streamer_id in enumerate(ids) if int(streamer_id) in changes]
    employed = _employment(streamers.iloc[rows], period)
    for row, (first, last) in zip(rows, employed, strict=True):
        own = changes[int(ids[row])]
        parts = _segments(own, first, last, levels[row])
        levels[row], since[row], segments[row] = parts[-1].level, _since(own, last), parts
        keys[row] = _blend_key(parts)
        if keys[row] != parts[-1].level:
            blends.setdefault(keys[row], parts)
    return QuarterLevels(levels, since, segments, keys, with_blends(scheme, blends))


def _dates(series: pd.Series) -> list[dt.date | None]:
    values = pd.to_datetime(series, format="ISO8601")
    return [None if pd.isna(v) else v.date() for v in values]


def _changes_by_streamer(
    history: pd.DataFrame | None,
) -> dict[int, list[tuple[dt.date, str | None, str]]]:
    if history is None or history.empty:
        return {}
    effective = pd.to_datetime(history["effective_on"], format="ISO8601")
    ordered = history.assign(_on=effective).reset_index(drop=True)
    ordered = ordered.sort_values(["streamer_id", "_on"], kind="stable")
    changes: dict[int, list[tuple[dt.date, str | None, str]]] = {}
    for streamer_id, on, before, after in zip(
        ordered["streamer_id"].tolist(),
        ordered["_on"].tolist(),
        ordered["from_level"].tolist(),
        ordered["to_level"].tolist(),
        strict=True,
    ):
        before = (
            None if before is None or (isinstance(before, float) and np.isnan(before)) else before
        )
        changes.setdefault(int(streamer_id), []).append((on.date(), before, after))
    return changes


def _employment(streamers: pd.DataFrame, period: Period) -> list[tuple[dt.date, dt.date]]:
    """Per row, the first and last day of the quarter the streamer was employed; the whole
    quarter when the dates leave no day (e.g. sessions hosted outside the employment)."""
    hired = _dates(streamers["hire_date"]) if "hire_date" in streamers else None
    left = _dates(streamers["left_on"]) if "left_on" in streamers else None
    spans = []
    for row in range(len(streamers)):
        first, last = period.start, period.end
        hire = hired[row] if hired is not None else None
        leave = left[row] if left is not None else None
        if hire is not None:
            first = max(first, hire)
        if leave is not None:
            last = min(last, leave)
        spans.append((first, last) if first <= last else (period.start, period.end))
    return spans


def _level_on(changes: list[tuple[dt.date, str | None, str]], day: dt.date, default: str) -> str:
    held = changes[0][1] or changes[0][2] if changes[0][0] > day else None
    for on, _, after in changes:
        if on > day:
            break
        held = after
    return held or default


def _segments(
    changes: list[tuple[dt.date, str | None, str]], first: dt.date, last: dt.date, default: str
) -> tuple[Segment, ...]:
    """Runs of equal level over [first, last]: a new run can start only on a change's day."""
    starts = [first, *sorted({on for on, _, _ in changes if first < on <= last})]
    parts: list[Segment] = []
    for index, start in enumerate(starts):
        end = starts[index + 1] - _ONE_DAY if index + 1 < len(starts) else last
        level = _level_on(changes, start, default)
        if parts and parts[-1].level == level:
            parts[-1] = Segment(level, parts[-1].first, end)
        else:
            parts.append(Segment(level, start, end))
    return tuple(parts)


def _since(changes: list[tuple[dt.date, str | None, str]], day: dt.date) -> dt.date | None:
    """The first day of the run of the level held on `day` that reaches `day`."""
    held = [(on, after) for on, _, after in changes if on <= day]
    if not held:
        return None
    level = held[-1][1]
    since = held[-1][0]
    for on, after in reversed(held):
        if after != level:
            break
        since = on
    return since


def _blend_key(parts: tuple[Segment, ...]) -> str:
    """The level's own key when one level was held, else a key naming the days per level."""
    days: dict[str, int] = {}
    for part in parts:
        days[part.level] = days.get(part.level, 0) + part.days
    if len(days) == 1:
        return parts[0].level
    return "+".join(f"{level}:{count}" for level, count in sorted(days.items()))


def with_blends(scheme: Scheme, blends: dict[str, tuple[Segment, ...]]) -> Scheme:
    """`scheme` plus one synthetic level per blend key: its minimum on-air hours and every
    metric's target are the day-weighted means of the levels held, rounded as the module says.
    The scheme's own levels, order and promotion path are unchanged."""
    if not blends:
        return scheme
    extra_levels = []
    extra_targets: dict[str, dict[str, float]] = {m.key: {} for m in scheme.metrics}
    for key, parts in blends.items():
        weights = _weights(parts)
        hours = _blend(weights, {lv.key: lv.min_on_air_hours for lv in scheme.levels}, "hours")
        names = [(scheme.level(level), days) for level, days in weights.items()]
        extra_levels.append(
            Level(
                key=key,
                name_zh=" + ".join(f"{lv.name_zh} {days} 天" for lv, days in names),
                name_en=" + ".join(f"{lv.name_en} {days} d" for lv, days in names),
                min_on_air_hours=hours,
            )
        )
        for metric in scheme.metrics:
            extra_targets[metric.key][key] = _blend(
                weights, dict(metric.targets), METRIC_UNITS[metric.key]
            )
    metrics = tuple(
        replace(m, targets={**m.targets, **extra_targets[m.key]}) for m in scheme.metrics
    )
    return replace(scheme, levels=(*scheme.levels, *extra_levels), metrics=metrics)


def _weights(parts: tuple[Segment, ...]) -> dict[str, int]:
    days: dict[str, int] = {}
    for part in parts:
        days[part.level] = days.get(part.level, 0) + part.days
    return days


def _blend(weights: dict[str, int], values: dict[str, Any], unit: str) -> float:
    """Σ days × value ÷ Σ days, exact, then half up to a whole fen (money) or to 0.01."""
    total = sum(weights.values())
    mean = sum((Fraction(values[level]) * days for level, days in weights.items()), Fraction(0))
    mean /= total
    step = Decimal(1) if unit in MONEY_UNITS else Decimal("0.01")
    exact = Decimal(mean.numerator) / Decimal(mean.denominator)
    rounded = exact.quantize(step, rounding=ROUND_HALF_UP)
    return int(rounded) if rounded == rounded.to_integral_value() else float(rounded)
