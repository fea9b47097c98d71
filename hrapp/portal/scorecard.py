"""What a streamer's own pages read: their finalized quarters (never a draft) through the
appraisal view model, each with their response, and the guard that keeps them to their own.

Anything not theirs answers 404, exactly like something that does not exist.
"""

from __future__ import annotations

import copy
from typing import Any

from flask import abort
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import selectinload

from hrapp.appraisals.models import Appraisal, AppraisalCycle, AppraisalRevision
from hrapp.appraisals.sheet import finalized_sheet
from hrapp.appraisals.sheet_facts import SheetFacts
from hrapp.auth.models import Role, User
from hrapp.auth.permissions import is_own_streamer, require
from hrapp.extensions import db
from hrapp.portal import fingerprints, responses
from hrapp.streamers.models import Streamer


def own_streamer_id(user: User) -> int:
    """The id of the streamer the logged-in account belongs to, without reading the streamer
    (404 for an account linked to none)."""
    if not user.has_role(Role.STREAMER) or user.streamer_id is None:
        abort(404)
    return int(user.streamer_id)


def own_streamer(user: User) -> Streamer:
    """The streamer the logged-in account belongs to (404 for an account linked to none)."""
    streamer = db.session.get(Streamer, own_streamer_id(user))
    require(streamer is not None)
    assert streamer is not None
    return streamer


def for_streamer(sheet: dict[str, Any]) -> dict[str, Any]:
    """The view model as a streamer may read it: mentees are counted, never named (they are
    other streamers)."""
    promotion = sheet.get("promotion")
    if not promotion:
        return sheet
    shown = dict(sheet)
    shown["promotion"] = copy.deepcopy(promotion)
    for item in shown["promotion"].get("checklist", []):
        item.pop("mentees", None)
    return shown


def _shown_appraisals(streamer_id: int) -> list[Appraisal]:
    """The streamer's appraisals that were ever finalized (a reopened one keeps its revision),
    newest quarter first."""
    revised = exists().where(AppraisalRevision.appraisal_id == Appraisal.id)
    query = (
        select(Appraisal)
        .join(AppraisalCycle, AppraisalCycle.id == Appraisal.cycle_id)
        .where(Appraisal.streamer_id == streamer_id)
        .where(or_(Appraisal.status == "finalized", revised))
        .options(
            selectinload(Appraisal.adjustments),
            selectinload(Appraisal.cycle).selectinload(AppraisalCycle.finalized_by),
            selectinload(Appraisal.scheme_version),
        )
        .order_by(AppraisalCycle.starts_on.desc())
    )
    return list(db.session.scalars(query))


def finalized_quarters(streamer_id: int) -> list[dict[str, Any]]:
    """Each finalized quarter: {appraisal_id, sheet (last finalized result), response status,
    new (finalized and not answered yet), new_answer (HR wrote since the streamer read)}."""
    appraisals = _shown_appraisals(streamer_id)
    answers = responses.responses_by_appraisal([a.id for a in appraisals])
    shown = []
    for appraisal in appraisals:
        sheet = finalized_sheet(appraisal, SheetFacts())  # the list shows no weekly facts
        if sheet is None:
            continue
        response = answers.get(appraisal.id)
        shown.append(
            {
                "appraisal_id": appraisal.id,
                "sheet": for_streamer(sheet),
                "response": responses.status_of(response),
                "new": response is None and not sheet["under_review"],
                "new_answer": responses.has_new_answer(response),
            }
        )
    return shown


def quarters_fingerprint(streamer_id: int) -> tuple[Any, ...]:
    """What the list of finalized quarters depends on (finalize, reopen, any change of an
    appraisal bumps its lock version; responses and their threads), in one statement."""
    return fingerprints.quarters(streamer_id)


def own_appraisal(user: User, appraisal_id: int) -> tuple[Appraisal, dict[str, Any]]:
    """The user's own appraisal with its last finalized sheet; 404 for anyone else's and for
    a draft never finalized."""
    own_streamer(user)  # 404 for an account that is no streamer's
    appraisal = db.session.get(Appraisal, appraisal_id)
    require(appraisal is not None and is_own_streamer(user, appraisal.streamer_id))
    assert appraisal is not None
    sheet = finalized_sheet(appraisal)
    require(sheet is not None)
    assert sheet is not None
    return appraisal, for_streamer(sheet)
