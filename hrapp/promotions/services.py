"""Use cases of promotions: the eligible streamers of a quarter, and confirming a promotion.

Eligibility is computed by the appraisal run (the checklist in the appraisal's explanation);
HR confirms. A confirmed promotion is a row of the level history written by
`hrapp.streamers.services.change_level` (the one way levels change), dated by default on the
first day of the quarter after the one it was earned in. A date in the future is scheduled:
the streamer's level (`Streamer.level`, today's level) follows on that day
(`apply_due_level_changes`). Refused: a step that is not the next one on the path; a streamer
the quarter did not find eligible, unless HR explicitly overrides (`force`), which the audit
log records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from hrapp.appraisals.models import Appraisal, AppraisalCycle
from hrapp.core import audit, messages
from hrapp.core.errors import ValidationFailed
from hrapp.core.labels import label
from hrapp.core.timeutil import org_today
from hrapp.extensions import db
from hrapp.streamers import services as streamers
from hrapp.streamers.models import Level, LevelChange, Streamer

PATH = tuple(level.value for level in Level)  # the promotion path, in order


def next_level(level: str) -> str | None:
    """The next step of the promotion path; None at its top (or for an unknown level)."""
    if level not in PATH or level == PATH[-1]:
        return None
    return PATH[PATH.index(level) + 1]


def next_quarter_start(cycle: AppraisalCycle) -> dt.date:
    """The default effective date of a promotion earned in `cycle`."""
    return cycle.ends_on + dt.timedelta(days=1)


def run_cycles() -> list[AppraisalCycle]:
    """The cycles that have been run (their appraisals carry checklists), newest first."""
    query = (
        select(AppraisalCycle)
        .where(AppraisalCycle.last_run_at.is_not(None))
        .order_by(AppraisalCycle.ends_on.desc())
    )
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class Candidate:
    """A streamer eligible at the end of a quarter, with the checklist that says why."""

    appraisal_id: int
    streamer_id: int
    employee_no: str
    name: str
    team: str
    from_level: str
    to_level: str
    checklist: list[dict[str, Any]]
    default_effective_on: dt.date
    # What the level history already says after the quarter: a change that is confirmed
    # (or scheduled) makes confirming again pointless.
    confirmed: LevelChange | None


def eligible_streamers(cycle: AppraisalCycle) -> list[Candidate]:
    """The streamers the cycle's run found eligible for their next step, by employee number."""
    query = (
        select(Appraisal)
        .join(Appraisal.streamer)
        .options(contains_eager(Appraisal.streamer))
        .where(Appraisal.cycle_id == cycle.id, Appraisal.promotion_eligible.is_(True))
        .order_by(Streamer.employee_no)
    )
    candidates = []
    for appraisal in db.session.scalars(query):
        promotion = (appraisal.explanation or {}).get("promotion") or {}
        to_level = promotion.get("to_level")
        if not to_level:
            continue
        streamer = appraisal.streamer
        candidates.append(
            Candidate(
                appraisal_id=appraisal.id,
                streamer_id=streamer.id,
                employee_no=streamer.employee_no,
                name=streamer.display_name,
                team=appraisal.team,
                from_level=promotion.get("from_level") or appraisal.level,
                to_level=to_level,
                checklist=list(promotion.get("checklist") or []),
                default_effective_on=next_quarter_start(cycle),
                confirmed=_change_after(streamer, cycle, to_level),
            )
        )
    return candidates


def _change_after(streamer: Streamer, cycle: AppraisalCycle, to_level: str) -> LevelChange | None:
    return next(
        (
            c
            for c in reversed(streamer.level_changes)
            if c.to_level == to_level and c.effective_on > cycle.starts_on
        ),
        None,
    )


def _latest_appraisal(streamer: Streamer, cycle: AppraisalCycle | None) -> Appraisal | None:
    """The appraisal that decides eligibility: of `cycle`, or of the latest cycle run."""
    query = (
        select(Appraisal)
        .join(Appraisal.cycle)
        .where(Appraisal.streamer_id == streamer.id, AppraisalCycle.last_run_at.is_not(None))
        .order_by(AppraisalCycle.ends_on.desc())
        .limit(1)
    )
    if cycle is not None:
        query = query.where(Appraisal.cycle_id == cycle.id)
    return db.session.scalar(query)


def _eligible_for(appraisal: Appraisal | None, to_level: str) -> bool:
    if appraisal is None or not appraisal.promotion_eligible:
        return False
    promotion = (appraisal.explanation or {}).get("promotion") or {}
    return promotion.get("to_level") == to_level


def confirm_promotion(
    streamer: Streamer,
    to_level: str,
    reason: messages.Message | str,
    *,
    effective_on: dt.date | None = None,
    cycle: AppraisalCycle | None = None,
    force: bool = False,
) -> LevelChange:
    """HR confirms `streamer`'s promotion to `to_level`: a level change, audited.

    `cycle`: the quarter the promotion was earned in (default: the latest cycle run in which
    the streamer was appraised); its appraisal must have found the streamer eligible for
    `to_level`, unless `force` (HR overrides the computed eligibility; recorded).
    `effective_on` defaults to the first day of the quarter after that cycle (after today's
    quarter when there is no appraisal). Raises ValidationFailed with every reason.
    """
    held = streamers.latest_level(streamer)
    step = next_level(held)
    if step != to_level:
        if step is None:
            message = _(
                "%(name)s is a %(level)s already: the top of the promotion path.",
                name=streamer.display_name,
                level=label("level", held),
            )
        else:
            message = _(
                "The next step for %(name)s (%(held)s) is %(next)s, not %(wanted)s.",
                name=streamer.display_name,
                held=label("level", held),
                next=label("level", step),
                wanted=label("level", to_level),
            )
        raise ValidationFailed(message)
    appraisal = _latest_appraisal(streamer, cycle)
    eligible = _eligible_for(appraisal, to_level)
    if not eligible and not force:
        where = appraisal.cycle.code if appraisal is not None else "—"
        raise ValidationFailed(
            _(
                "%(name)s is not eligible for %(level)s in %(cycle)s; "
                "only an explicit override confirms it.",
                name=streamer.display_name,
                level=label("level", to_level),
                cycle=where,
            )
        )
    if effective_on is None:
        effective_on = (
            next_quarter_start(appraisal.cycle) if appraisal is not None else _next_quarter()
        )
    change = streamers.change_level(streamer, to_level, effective_on, reason, allow_future=True)
    audit.record(
        "promotion.confirm",
        "streamer",
        streamer.id,
        changes={
            "level": [held, to_level],
            "effective_on": [None, effective_on.isoformat()],
            "cycle": [None, appraisal.cycle.code if appraisal is not None else None],
            "eligible": [None, eligible],
            "forced": [None, force and not eligible],
        },
        summary=messages.message(
            "Reason: %(reason)s", reason=reason.strip() if isinstance(reason, str) else reason
        ),
    )
    db.session.flush()
    return change


def _next_quarter() -> dt.date:
    today = org_today()
    first_month = (today.month - 1) // 3 * 3 + 1
    if first_month == 10:
        return dt.date(today.year + 1, 1, 1)
    return dt.date(today.year, first_month + 3, 1)
