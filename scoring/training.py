"""Whether a training module is passed and still valid: the one rule that the training pages and
the promotion checklist both ask.

The rule's data is the curriculum's: each module's pass mark and validity (`ModuleRule`). The
appraisal scheme only says which modules a promotion step requires. Applied on an as-of date
to one streamer's records of one module that were not voided and are dated on or before it:

- An attempt counts as a pass when it was recorded as passed *and*, if the module has a pass
  mark, its score reaches the module's current pass mark (raising a pass mark applies from then
  on, to records kept from before too).
- A pass with a validity of N months is valid while ``as_of < completed_on + N months`` (month
  arithmetic clamps to the month's last day: 2025-08-31 + 6 months = 2026-02-28). That first day
  on which it no longer counts is its ``expires_on``; the day before is its last valid day.
- passed: some pass is valid on the as-of date (the latest pass is shown);
  expired: no valid pass and the latest attempt was a pass that lapsed;
  failed: no valid pass and the latest attempt was not a pass;
  missing: no attempt at all.

Every pass of a module is valid for the same number of months, so a valid pass exists exactly
when the latest pass is valid.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

PASSED, FAILED, EXPIRED, MISSING = "passed", "failed", "expired", "missing"
STATUSES = (PASSED, FAILED, EXPIRED, MISSING)


@dataclass(frozen=True)
class ModuleRule:
    """What of a curriculum module decides whether it is passed: its pass mark (None: recorded
    as passed is enough) and its validity in months (None: a pass never lapses)."""

    code: str
    pass_mark: float | None = None
    validity_months: int | None = None


@dataclass(frozen=True)
class Attempt:
    """One training record that was not voided, as plain data. `record_id` orders attempts of
    the same day (the one recorded later is the later attempt)."""

    completed_on: dt.date
    score: float | None
    passed: bool
    record_id: int = 0


@dataclass(frozen=True)
class Standing:
    """Where one streamer stands on one module on a date.

    status: passed / failed / expired / missing (see the module docstring).
    shown: the attempt the status is about: the latest pass when there is a valid one, else the
        latest attempt (None when missing).
    latest_pass: the latest attempt that counts as a pass, valid or not.
    expires_on: the first day `latest_pass` no longer counts (None: it never lapses, or there
        is no pass).
    attempts: how many attempts there were; best_score: their best score (None: none scored).
    """

    status: str
    shown: Attempt | None
    latest_pass: Attempt | None
    expires_on: dt.date | None
    attempts: int
    best_score: float | None

    @property
    def valid_until(self) -> dt.date | None:
        """The last day the latest pass counts."""
        return None if self.expires_on is None else self.expires_on - dt.timedelta(days=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole months, clamped to the month's end (Jan 31 + 1 month = Feb 28/29)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def counts_as_pass(rule: ModuleRule, passed: bool, score: float | None) -> bool:
    """Recorded as passed, and with a score that reaches the pass mark when the module has one
    (a missing score, None or NaN, reaches none)."""
    if not passed:
        return False
    if rule.pass_mark is None:
        return True
    return score is not None and not math.isnan(score) and score >= rule.pass_mark


def expires_on(rule: ModuleRule, completed_on: dt.date) -> dt.date | None:
    """The first day a pass completed on `completed_on` no longer counts (None: never)."""
    if rule.validity_months is None:
        return None
    return add_months(completed_on, rule.validity_months)


def is_valid_on(rule: ModuleRule, completed_on: dt.date, as_of: dt.date) -> bool:
    """Whether a pass completed on `completed_on` still counts on `as_of`."""
    lapses = expires_on(rule, completed_on)
    return lapses is None or as_of < lapses


def standing(rule: ModuleRule, attempts: Iterable[Attempt], as_of: dt.date) -> Standing:
    """The standing of one streamer on the module `rule` from their attempts at it."""
    dated = sorted(
        (a for a in attempts if a.completed_on <= as_of),
        key=lambda a: (a.completed_on, a.record_id),
    )
    if not dated:
        return Standing(MISSING, None, None, None, 0, None)
    scores = [a.score for a in dated if a.score is not None and not math.isnan(a.score)]
    best = max(scores) if scores else None
    passes = [a for a in dated if counts_as_pass(rule, a.passed, a.score)]
    latest_pass = passes[-1] if passes else None
    lapses = None if latest_pass is None else expires_on(rule, latest_pass.completed_on)
    if latest_pass is not None and is_valid_on(rule, latest_pass.completed_on, as_of):
        return Standing(PASSED, latest_pass, latest_pass, lapses, len(dated), best)
    latest = dated[-1]
    status = EXPIRED if latest is latest_pass else FAILED
    return Standing(status, latest, latest_pass, lapses, len(dated), best)
