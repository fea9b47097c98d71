"""A streamer's standing on a module as the training pages show it: the module's titles and
rule beside the status (passed, failed, expired or missing) and the attempt it is about.

The rule itself — what counts as a pass, how long it stays valid — is the scoring library's
(`scoring.training`), which the promotion checklist asks too, with the same curriculum data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from scoring.training import (
    EXPIRED,
    FAILED,
    MISSING,
    PASSED,
    STATUSES,
    Attempt,
    ModuleRule,
    standing,
)

__all__ = ["EXPIRED", "FAILED", "MISSING", "PASSED", "STATUSES", "ModuleStatus", "status_of"]


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


def status_of(
    rule: ModuleRule, titles: tuple[str, str], attempts: Iterable[Attempt], as_of: dt.date
) -> ModuleStatus:
    """The status of the module `rule` (titled `titles`, Chinese and English) from one
    streamer's attempts at it."""
    found = standing(rule, attempts, as_of)
    shown = found.shown
    return ModuleStatus(
        code=rule.code,
        title_zh=titles[0],
        title_en=titles[1],
        status=found.status,
        pass_mark=rule.pass_mark,
        validity_months=rule.validity_months,
        record_id=None if shown is None else shown.record_id,
        completed_on=None if shown is None else shown.completed_on,
        score=None if shown is None else shown.score,
        expires_on=found.expires_on if shown is not None and shown is found.latest_pass else None,
    )
