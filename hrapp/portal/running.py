"""The running quarter of one streamer: computed on the fly from their sessions so far with the
scheme in force, never stored as an appraisal.

The figures come from `hrapp.appraisals.quarter.appraise_streamer` (the run's loading and the
scoring library's `appraise`, for one streamer) and are shown through the appraisal view model
(`hrapp.appraisals.sheet.provisional_sheet`), so every number means what it means on HR's page.
On top: the pace each target still needs per remaining day, and the net GMV per week of the
quarter (the sheet's weekly trend) against the target pace.

Scoring one streamer with the library costs a few hundred milliseconds (it is built for a
whole agency at once), so each worker process keeps the result (`hrapp.portal.cache`) under a key
that holds a fingerprint of every input: the streamer's sessions, hosts and shares, level
history, finalized quarters, mentorships, their and their mentees' training records, the
curriculum (pass marks and validity), the scheme version, the day and the reader's language
(`hrapp.portal.fingerprints`).
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from flask import current_app
from flask_babel import get_locale

import scoring
from hrapp.appraisals.models import AppraisalCycle
from hrapp.appraisals.quarter import appraise_streamer
from hrapp.appraisals.schemes import active_scheme
from hrapp.appraisals.sheet import provisional_sheet
from hrapp.core.db import utcnow
from hrapp.core.timeutil import org_today
from hrapp.portal import fingerprints
from hrapp.portal.cache import cached
from hrapp.portal.charts import weekly_chart
from hrapp.streamers.models import Streamer

SECONDS_PER_HOUR = 3600
DAYS_PER_WEEK = 7
# Metrics whose quarter figure is a sum, so a remaining amount can be spread over the days left
# (a ratio such as the average watch time has no "per day").
SUMMED_METRICS = ("net_gmv", "net_followers", "on_air_hours")


def quarter_of(day: dt.date, zone: str) -> AppraisalCycle:
    """The calendar quarter containing `day` as an unsaved cycle (never added to the session)."""
    period = scoring.Period.quarter(day.year, (day.month - 1) // 3 + 1, zone)
    return AppraisalCycle(
        code=period.code, starts_on=period.start, ends_on=period.end, timezone=zone, status="open"
    )


def running_key(
    streamer_id: int, today: dt.date | None = None, fingerprint: tuple[Any, ...] | None = None
) -> tuple[Any, ...]:
    """What the running quarter of the streamer depends on, as a cache key (see `cache`);
    `fingerprint`, when the caller fetched it with more (`fingerprints.index_page`)."""
    day = today or org_today()
    if fingerprint is None:
        fingerprint = fingerprints.running(streamer_id, *quarter_bounds(day))
    return ("running", streamer_id, day, str(get_locale()), fingerprint)


def quarter_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The UTC bounds [since, until) of the quarter containing `day`."""
    return _zone_bounds(day, current_app.config["ORG_TIMEZONE"])


@functools.lru_cache(maxsize=16)
def _zone_bounds(day: dt.date, zone: str) -> tuple[dt.datetime, dt.datetime]:
    return _bounds(quarter_of(day, zone))  # asked on every view; the same all day


def running_quarter(
    streamer: Streamer, today: dt.date | None = None, key: tuple[Any, ...] | None = None
) -> dict[str, Any]:
    """The streamer's quarter to date: {sheet (the appraisal view model, `provisional`),
    today, days {total, elapsed, left}, pace [...], weeks [...], chart (SVG)}. `key`, when the
    caller has it already (`running_key` of the same streamer and day)."""
    key = key or running_key(streamer.id, today)
    day = key[2]
    cycle = quarter_of(day, current_app.config["ORG_TIMEZONE"])
    return cached(key, lambda: _compute(streamer, cycle, day))


def _bounds(cycle: AppraisalCycle) -> tuple[dt.datetime, dt.datetime]:
    low, high = scoring.Period(cycle.starts_on, cycle.ends_on, cycle.timezone).utc_bounds()
    return low.to_pydatetime(), high.to_pydatetime()


def _compute(streamer: Streamer, cycle: AppraisalCycle, today: dt.date) -> dict[str, Any]:
    version, scheme = active_scheme()
    result = appraise_streamer(cycle, scheme, streamer.id)
    figures = result.table.iloc[0].to_dict()
    explanation = result.explanations[streamer.id]
    explanation["scheme_version"] = version.version
    sheet = provisional_sheet(
        cycle, version, streamer, _plain_row(figures), explanation, computed_at=utcnow()
    )
    days = _days(cycle, today)
    target = _target(sheet["metrics"], "net_gmv")
    weeks = weekly_pace(sheet.get("weekly") or [], cycle, today, target)
    return {
        "sheet": sheet,
        "today": today,
        "days": days,
        "pace": pace(sheet, sheet.get("min_on_air_hours"), days["left"]),
        "weeks": weeks,
        "chart": weekly_chart(weeks) if weeks else None,
    }


def _plain_row(row: dict[str, Any]) -> dict[str, Any]:
    """The table row with Python scalars and None for missing values."""
    plain: dict[str, Any] = {}
    for name, value in row.items():
        if value is None or (not isinstance(value, str | tuple | list) and value != value):
            plain[name] = None  # NaN and NA
        elif hasattr(value, "item"):
            plain[name] = value.item()
        else:
            plain[name] = value
    for name in ("sessions", "on_air_seconds", "gmv_fen", "refunds_fen", "net_gmv_fen"):
        if plain.get(name) is not None:
            plain[name] = int(plain[name])
    plain["promotion_eligible"] = bool(plain.get("promotion_eligible") or False)
    return plain


def _days(cycle: AppraisalCycle, today: dt.date) -> dict[str, int]:
    """Days of the quarter: all, those gone by before today, and those left counting today
    (today's sessions may still come)."""
    total = (cycle.ends_on - cycle.starts_on).days + 1
    left = max(0, (cycle.ends_on - today).days + 1)
    return {"total": total, "elapsed": total - left, "left": left}


def _target(metrics: list[dict[str, Any]], key: str) -> float | None:
    row = next((m for m in metrics if m["metric"] == key), None)
    return None if row is None else row.get("target")


def pace(
    sheet: dict[str, Any], minimum_hours: float | None, days_left: int
) -> list[dict[str, Any]]:
    """Per target: {metric, unit, target, actual, remaining (None when reached or unknown),
    per_day (the remaining amount per day left; None for a ratio), summed, reached}; last, the
    on-air hours against `minimum_hours` of the level (the commission's hours gate)."""
    rows = []
    for metric in sheet["metrics"]:
        if metric.get("method") != "target" or metric.get("target") is None:
            continue
        rows.append(
            _pace_row(
                metric["metric"], metric["unit"], metric["target"], metric["actual"], days_left
            )
        )
    if minimum_hours is not None:
        hours = (sheet["figures"] or {}).get("on_air_hours")
        rows.append(_pace_row("minimum_hours", "hours", minimum_hours, hours, days_left))
    return rows


def _pace_row(
    metric: str, unit: str, target: float, actual: float | None, days_left: int
) -> dict[str, Any]:
    reached = actual is not None and actual >= target
    summed = metric in SUMMED_METRICS or metric == "minimum_hours"
    remaining = None if reached or actual is None else target - actual
    per_day = None
    if summed and remaining is not None and days_left > 0:
        per_day = remaining / days_left
    return {
        "metric": metric,
        "unit": unit,
        "target": target,
        "actual": actual,
        "remaining": remaining,
        "per_day": per_day,
        "summed": summed,
        "reached": reached,
    }


def weekly_pace(
    weeks: list[dict[str, Any]], cycle: AppraisalCycle, today: dt.date, target_fen: float | None
) -> list[dict[str, Any]]:
    """The sheet's weeks (Monday first, `hrapp.appraisals.sheet_facts.weekly_trend`) with the
    running total of net GMV (weeks begun by today) and the target pace: the quarter's target
    spread evenly over its days, as due by the end of each week."""
    total_days = (cycle.ends_on - cycle.starts_on).days + 1
    shown, running = [], 0
    for number, week in enumerate(weeks, start=1):
        monday = week["monday"]
        ends = min(monday + dt.timedelta(days=DAYS_PER_WEEK - 1), cycle.ends_on)
        begun = max(monday, cycle.starts_on) <= today
        running += week["net_gmv_fen"]
        due = ((ends - cycle.starts_on).days + 1) / total_days
        shown.append(
            {
                "week": number,
                "monday": monday,
                "ends_on": ends,
                "net_gmv_fen": week["net_gmv_fen"] if begun else None,
                "cumulative_fen": running if begun else None,
                "pace_fen": None if target_fen is None else round(target_fen * due),
            }
        )
    return shown
