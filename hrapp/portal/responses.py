"""Use cases of a streamer's response to a finalized quarter, and of HR's side of a dispute.

The streamer acknowledges a finalized quarter with one click, or disputes it with a text
(optionally naming the statement line); while a dispute is open both sides add to its thread.
HR answers (the streamer reads the answer), and either resolves the dispute or adjusts the
pay: a finalized appraisal never changes, so the adjustment goes to the streamer's appraisal
in the open cycle (the disputed one itself when an administrator reopened its cycle), through
`hrapp.appraisals.closing.add_pay_adjustment` like any other adjustment. Every step is
audited; services flush, views commit.

A quarter under review (its cycle reopened) shows its last finalized result and thread, but
takes no new acknowledgement or dispute until it is finalized again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from hrapp.appraisals import closing
from hrapp.appraisals.models import Appraisal, AppraisalCycle
from hrapp.auth.models import User
from hrapp.core import audit, labels
from hrapp.core.db import utcnow
from hrapp.core.errors import NotFound, ValidationFailed
from hrapp.core.messages import message, money
from hrapp.extensions import db
from hrapp.portal.models import NO_RESPONSE, AppraisalResponse, ResponseMessage

MAX_TEXT = 4000
RESPONSE_LABELS = labels.register(
    "streamer_response",
    {
        NO_RESPONSE: _l("No response yet"),
        "acknowledged": _l("Acknowledged"),
        "disputed": _l("Disputed"),
        "resolved": _l("Dispute resolved"),
    },
)
STEP_LABELS = labels.register(
    "response_step",
    {
        "acknowledge": _l("acknowledged the quarter"),
        "dispute": _l("disputed the quarter"),
        "reply": _l("wrote"),
        "answer": _l("answered"),
        "resolve": _l("answered and resolved the dispute"),
        "adjust": _l("adjusted the pay and resolved the dispute"),
    },
)


def response_of(appraisal_id: int) -> AppraisalResponse | None:
    return db.session.scalar(
        select(AppraisalResponse).where(AppraisalResponse.appraisal_id == appraisal_id)
    )


def status_of(response: AppraisalResponse | None) -> str:
    """none | acknowledged | disputed | resolved (the payroll export's words)."""
    return NO_RESPONSE if response is None else response.status


def _text(text: str | None, *, required: bool = True) -> str:
    body = (text or "").strip()
    if required and not body:
        raise ValidationFailed(_("Write what you want to say."))
    if len(body) > MAX_TEXT:
        raise ValidationFailed(_("A message is at most %(n)d characters.", n=MAX_TEXT))
    return body


def _answerable(appraisal: Appraisal) -> None:
    """Only a finalized quarter takes an acknowledgement or a new dispute."""
    if appraisal.status != "finalized":
        raise ValidationFailed(
            _(
                "This quarter is under review: its result may still change. You can respond "
                "once it is finalized again."
            )
        )


def _mirror(appraisal_id: int, **values: Any) -> None:
    """Keep the appraisal's response columns (HR's "disputed" filter) in step, without
    touching its figures or its lock version: the streamer's answer is not an edit."""
    table = Appraisal.__table__
    db.session.execute(update(table).where(table.c.id == appraisal_id).values(**values))


def _latest_revision_number(appraisal: Appraisal) -> int | None:
    from hrapp.appraisals.sheet import latest_revision

    revision = latest_revision(appraisal)
    return None if revision is None else revision.revision


def _response(appraisal: Appraisal) -> tuple[AppraisalResponse, str | None]:
    """The appraisal's response (a new one not yet in the session: the caller adds it once
    its status is set) and its status before this step."""
    revision = _latest_revision_number(appraisal)
    found = response_of(appraisal.id)
    if found is None:
        found = AppraisalResponse(appraisal_id=appraisal.id, streamer_id=appraisal.streamer_id)
    found.revision = revision
    return found, found.status


def _add(
    response: AppraisalResponse, user: User, side: str, kind: str, body: str, **extra: Any
) -> ResponseMessage:
    step = ResponseMessage(author_id=user.id, side=side, kind=kind, body=body, **extra)
    response.messages.append(step)
    return step


def acknowledge(appraisal: Appraisal, user: User) -> AppraisalResponse:
    """The streamer accepts the quarter (also after an answer: that closes the dispute)."""
    _answerable(appraisal)
    response, before = _response(appraisal)
    if before == "acknowledged":
        raise ValidationFailed(_("You have acknowledged this quarter already."))
    now = utcnow()
    response.status, response.acknowledged_at, response.streamer_read_at = "acknowledged", now, now
    db.session.add(response)
    _add(response, user, "streamer", "acknowledge", "")
    db.session.flush()
    _mirror(appraisal.id, acknowledged_at=now, disputed_at=None)
    audit.record(
        "appraisal.acknowledge",
        "appraisal",
        appraisal.id,
        changes={"streamer_response": [before, "acknowledged"]},
        summary=message("The streamer acknowledged quarter %(code)s.", code=appraisal.cycle.code),
    )
    return response


def dispute(
    appraisal: Appraisal, user: User, text: str | None, line: str | None = None
) -> AppraisalResponse:
    """The streamer disputes the quarter with a text, optionally naming the line."""
    body = _text(text)
    _answerable(appraisal)
    response, before = _response(appraisal)
    if before == "disputed":
        raise ValidationFailed(_("Your dispute is open: add to its thread instead."))
    now = utcnow()
    response.status, response.disputed_at, response.streamer_read_at = "disputed", now, now
    db.session.add(response)
    response.disputed_line = line or None
    response.resolved_at = response.resolved_by_id = None
    _add(response, user, "streamer", "dispute", body)
    db.session.flush()
    _mirror(appraisal.id, disputed_at=now, dispute_reason=body)
    audit.record(
        "appraisal.dispute",
        "appraisal",
        appraisal.id,
        changes={"streamer_response": [before, "disputed"], "line": [None, line or None]},
        summary=message("The streamer disputed quarter %(code)s.", code=appraisal.cycle.code),
    )
    return response


def reply(response: AppraisalResponse, user: User, text: str | None) -> ResponseMessage:
    """The streamer adds to their open dispute."""
    body = _text(text)
    if response.status != "disputed":
        raise ValidationFailed(_("This dispute is closed: dispute the quarter again instead."))
    step = _add(response, user, "streamer", "reply", body)
    response.streamer_read_at = utcnow()
    db.session.flush()
    audit.record(
        "dispute.reply",
        "appraisal",
        response.appraisal_id,
        summary=message(
            "The streamer added to the dispute of quarter %(code)s.",
            code=response.appraisal.cycle.code,
        ),
    )
    return step


def mark_read(response: AppraisalResponse) -> None:
    """The streamer has read HR's messages so far (no badge for them any more)."""
    response.streamer_read_at = utcnow()
    db.session.flush()


def answer(
    response: AppraisalResponse, user: User, text: str | None, *, resolve: bool
) -> ResponseMessage:
    """HR answers the dispute; `resolve` closes it with this answer."""
    body = _text(text)
    if response.status != "disputed":
        raise ValidationFailed(_("This dispute is not open."))
    kind = "resolve" if resolve else "answer"
    step = _add(response, user, "hr", kind, body)
    code = response.appraisal.cycle.code
    if resolve:
        _resolved(response, user)
        summary = message("Dispute of quarter %(code)s answered and resolved.", code=code)
    else:
        summary = message("Dispute of quarter %(code)s answered.", code=code)
    db.session.flush()
    audit.record(
        f"dispute.{kind}",
        "appraisal",
        response.appraisal_id,
        changes={"streamer_response": ["disputed", response.status]},
        summary=summary,
    )
    return step


def _resolved(response: AppraisalResponse, user: User) -> None:
    response.status, response.resolved_at, response.resolved_by_id = "resolved", utcnow(), user.id
    _mirror(response.appraisal_id, disputed_at=None)


def adjustment_target(response: AppraisalResponse) -> Appraisal:
    """Where an adjustment for this dispute goes: the disputed appraisal while its cycle is
    reopened, else the streamer's appraisal in the newest open cycle."""
    disputed = response.appraisal
    if disputed.status != "finalized" and disputed.cycle.status == "open":
        return disputed
    target = db.session.scalar(
        select(Appraisal)
        .join(AppraisalCycle, AppraisalCycle.id == Appraisal.cycle_id)
        .where(
            Appraisal.streamer_id == response.streamer_id,
            Appraisal.status == "draft",
            AppraisalCycle.status == "open",
        )
        .order_by(AppraisalCycle.starts_on.desc())
        .limit(1)
    )
    if target is None:
        raise ValidationFailed(
            _(
                "A finalized quarter never changes, and no open cycle has an appraisal of "
                "this streamer yet: run the next cycle first, then adjust from here."
            )
        )
    return target


def adjust(
    response: AppraisalResponse, user: User, amount_fen: int, reason: str | None
) -> ResponseMessage:
    """HR settles the dispute with a pay adjustment (the reason is the answer the streamer
    reads) and resolves it."""
    if response.status != "disputed":
        raise ValidationFailed(_("This dispute is not open."))
    target = adjustment_target(response)
    disputed_code = response.appraisal.cycle.code
    line = closing.add_pay_adjustment(target, amount_fen, reason or "", target.lock_version, user)
    step = _add(response, user, "hr", "adjust", line.reason, adjustment_id=line.id)
    _resolved(response, user)
    db.session.flush()
    audit.record(
        "dispute.adjust",
        "appraisal",
        response.appraisal_id,
        changes={"streamer_response": ["disputed", "resolved"]},
        summary=message(
            "Dispute of quarter %(code)s resolved with an adjustment of %(amount)s in %(target)s.",
            code=disputed_code,
            amount=money(amount_fen),
            target=target.cycle.code,
        ),
    )
    return step


def own_response(user: User, response_id: int) -> AppraisalResponse:
    """The user's own response (streamer), or NotFound — never someone else's."""
    found = db.session.get(AppraisalResponse, response_id)
    if found is None or user.streamer_id is None or found.streamer_id != user.streamer_id:
        raise NotFound(_("There is no such dispute."))
    return found


# --- reading ----------------------------------------------------------------------------------


def open_disputes_count() -> int:
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(AppraisalResponse)
            .where(AppraisalResponse.status == "disputed")
        )
        or 0
    )


def inbox(show: str = "open") -> list[AppraisalResponse]:
    """Disputes for HR: the open ones (oldest first: they have waited longest), or all that
    were ever disputed (newest first)."""
    query = select(AppraisalResponse).where(AppraisalResponse.disputed_at.is_not(None))
    if show == "open":
        query = query.where(AppraisalResponse.status == "disputed").order_by(
            AppraisalResponse.disputed_at
        )
    else:
        query = query.order_by(AppraisalResponse.disputed_at.desc())
    return list(db.session.scalars(query))


def has_new_answer(response: AppraisalResponse | None) -> bool:
    """HR wrote in the thread since the streamer last read it."""
    if response is None:
        return False
    last = max(
        (m.created_at for m in response.messages if m.side == "hr"),
        default=None,
    )
    if last is None:
        return False
    return response.streamer_read_at is None or last > response.streamer_read_at


def responses_by_appraisal(appraisal_ids: list[int]) -> dict[int, AppraisalResponse]:
    if not appraisal_ids:
        return {}
    rows = db.session.scalars(
        select(AppraisalResponse).where(AppraisalResponse.appraisal_id.in_(appraisal_ids))
    )
    return {row.appraisal_id: row for row in rows}


def thread(response: AppraisalResponse | None) -> list[dict[str, Any]]:
    """The thread as plain data both sides read: who (the streamer, or "HR" — HR's names stay
    inside), what kind of step, the text, when."""
    if response is None:
        return []
    return [
        {"side": m.side, "kind": m.kind, "body": m.body, "created_at": m.created_at}
        for m in response.messages
    ]


def last_step_at(response: AppraisalResponse) -> dt.datetime | None:
    return max((m.created_at for m in response.messages), default=None)
