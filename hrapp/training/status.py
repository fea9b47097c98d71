"""Where a streamer stands on a module: passed, failed, expired or missing (pure, no database).

Rules, applied on an as-of date to the streamer's non-voided records dated on or before it:

- An attempt counts as a pass when it was recorded as passed *and*, if the module has a pass
  mark, its score reaches the module's current pass mark (raising a pass mark applies to
  promotion checks from then on, as the scheme's minimum scores do).
- A pass with a validity of N months is valid while ``as_of < completed_on + N months``
  (month arithmetic clamps to the month's last day: 2025-08-31 + 6 months = 2026-02-28).
  That first day on which it no longer counts is its ``expires_on``.
- passed: some pass is valid on the as-of date (the latest such pass is shown);
  expired: no valid pass and the latest attempt was a pass that lapsed;
  failed: no valid pass and the latest attempt was not a pass;
  missing: no attempt at all.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

PASSED, FAILED, EXPIRED, MISSING = "passed", "failed", "expired", "missing"
STATUSES = (PASSED, FAILED, EXPIRED, MISSING)


@dataclass(frozen=True)
class ModuleRule:
    """What of a module decides a status."""

    code: str
    title_zh: str
    title_en: str
    pass_mark: float | None
    validity_months: int | None


@dataclass(frozen=True)
class Attempt:
    """One non-voided training record, as plain data."""

    record_id: int
    completed_on: dt.date
    score: float | None
    passed: bool


@dataclass(frozen=True)
class ModuleStatus:
    """A streamer's standing on one module; `record_id` etc. describe the attempt shown, and
    `expires_on` is set for a pass that can lapse (the first day it no longer counts)."""

    code: str
    title_zh: str
    title_en: str
    status: str
    pass_mark: float | None
    validity_months: int | None
    record_id: int | None = None
    completed_on: dt.date | None = None
    score: float | None = None
    expires_on: dt.date | None = None


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole months, clamped to the last day of the target month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def counts_as_pass(rule: ModuleRule, attempt: Attempt) -> bool:
    if not attempt.passed:
        return False
    if rule.pass_mark is None:
        return True
    return attempt.score is not None and attempt.score >= rule.pass_mark


def expires_on(rule: ModuleRule, completed_on: dt.date) -> dt.date | None:
    if rule.validity_months is None:
        return None
    return add_months(completed_on, rule.validity_months)


def status_of(rule: ModuleRule, attempts: Iterable[Attempt], as_of: dt.date) -> ModuleStatus:
    """The status of one module from one streamer's attempts at it (see the module docstring)."""
    dated = sorted(
        (a for a in attempts if a.completed_on <= as_of),
        key=lambda a: (a.completed_on, a.record_id),
    )
    if not dated:
        return _status(rule, MISSING, None)
    valid_passes = [
        a
        for a in dated
        if counts_as_pass(rule, a) and (expires_on(rule, a.completed_on) or dt.date.max) > as_of
    ]
    if valid_passes:
        return _status(rule, PASSED, valid_passes[-1])
    latest = dated[-1]
    return _status(rule, EXPIRED if counts_as_pass(rule, latest) else FAILED, latest)


def _status(rule: ModuleRule, status: str, attempt: Attempt | None) -> ModuleStatus:
    shown = {}
    if attempt is not None:
        shown = {
            "record_id": attempt.record_id,
            "completed_on": attempt.completed_on,
            "score": attempt.score,
            "expires_on": (
                expires_on(rule, attempt.completed_on) if counts_as_pass(rule, attempt) else None
            ),
        }
    return ModuleStatus(
        code=rule.code,
        title_zh=rule.title_zh,
        title_en=rule.title_en,
        status=status,
        pass_mark=rule.pass_mark,
        validity_months=rule.validity_months,
        **shown,
    )
