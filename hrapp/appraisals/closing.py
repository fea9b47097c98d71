"""Closing a quarter: HR's adjustments, score overrides and comments on an appraisal, then
finalize, reopen (administrators) and the numbered revisions a reopen leaves behind.

Services validate, change, audit and flush; the view or command commits. An appraisal is
changed only when the caller read its current `lock_version` (two people saving the same
appraisal: the second gets Conflict and nothing of theirs is written), and never once it or
its cycle is finalized (Locked).

Finalize and reopen touch every appraisal of a cycle, so they use Core bulk statements (one
UPDATE, one executemany INSERT of revisions) and write one audit row for the cycle.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import JSON, Text, bindparam, cast, func, insert, select, update
from sqlalchemy.orm.exc import StaleDataError

from hrapp.appraisals import staleness
from hrapp.appraisals.models import (
    Appraisal,
    AppraisalAdjustment,
    AppraisalCycle,
    AppraisalRevision,
)
from hrapp.appraisals.overrides import hours_graded, refresh_payable, regrade, scheme_of
from hrapp.appraisals.runner import FIGURE_COLUMNS
from hrapp.auth.models import User
from hrapp.auth.permissions import can_reopen_cycle
from hrapp.core import audit
from hrapp.core.db import utcnow
from hrapp.core.errors import Conflict, DomainError, Locked, NotFound, ValidationFailed
from hrapp.core.messages import message, money
from hrapp.core.money import yuan_text
from hrapp.extensions import db

MAX_REASON = 500  # AppraisalAdjustment.reason and AppraisalRevision.reason
MAX_COMMENT = 4000
# No single adjustment moves more than ¥10,000,000: a larger figure is a typing mistake.
MAX_ADJUSTMENT_FEN = 1_000_000_000
FINALIZE_REASON = "finalize"  # revision.reason: the revision was taken when finalizing
INSERT_CHUNK = 2_000
# The figures a revision keeps and the page compares (revision N against the current ones).
COMPARED = ("score", "grade", "multiplier", "commission_fen", "adjustment_fen", "payable_fen")
# A revision keeps every figure the run writes, and what HR decided on top of it.
SNAPSHOT_COLUMNS = (
    "id",
    "streamer_id",
    "scheme_version_id",
    "team",
    *FIGURE_COLUMNS,
    "score_override",
    "adjustment_fen",
    "payable_fen",
    "shared_comment",
    "computed_at",
    "explanation",
)


# --- one appraisal ----------------------------------------------------------------------------


def _editable(appraisal: Appraisal, lock_version: int | None) -> None:
    """Refuse a finalized appraisal, and a change based on an outdated read of it."""
    if appraisal.status == "finalized" or appraisal.cycle.status == "finalized":
        raise Locked(
            _(
                "This appraisal is finalized and can no longer change. An administrator can "
                "reopen its cycle."
            )
        )
    if lock_version != appraisal.lock_version:
        raise Conflict(_conflict_message())


def _conflict_message() -> str:
    return _(
        "Someone else saved this appraisal in the meantime. Nothing of yours was saved: the "
        "page now shows their changes and keeps your input, so you can check it and save again."
    )


def _flush() -> None:
    """Flush; a concurrent save that slipped in since the check is a conflict too."""
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict(_conflict_message()) from None


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationFailed(_("Give a reason: the streamer reads it."))
    if len(text) > MAX_REASON:
        raise ValidationFailed(_("The reason is at most %(n)d characters.", n=MAX_REASON))
    return text


def _pay_state(appraisal: Appraisal) -> dict[str, Any]:
    """What an audit row compares: the figures a change of score or pay can move."""
    return {
        "score": appraisal.score,
        "grade": appraisal.grade,
        "multiplier": appraisal.multiplier,
        "commission_fen": appraisal.commission_fen,
        "adjustment_fen": appraisal.adjustment_fen,
        "payable_fen": appraisal.payable_fen,
    }


def add_pay_adjustment(
    appraisal: Appraisal, amount_fen: int, reason: str, lock_version: int | None, user: User | None
) -> AppraisalAdjustment:
    """A pay adjustment of ± amount_fen with the reason the streamer reads; payable follows."""
    text = _reason(reason)
    if amount_fen == 0:
        raise ValidationFailed(_("An adjustment of ¥0.00 changes nothing: give an amount."))
    if abs(amount_fen) > MAX_ADJUSTMENT_FEN:
        raise ValidationFailed(
            _("An adjustment is at most ¥%(max)s either way.", max=yuan_text(MAX_ADJUSTMENT_FEN))
        )
    _editable(appraisal, lock_version)
    before = _pay_state(appraisal)
    line = AppraisalAdjustment(
        kind="pay", amount_fen=amount_fen, reason=text, created_by_id=_id(user)
    )
    appraisal.adjustments.append(line)
    refresh_payable(appraisal)
    _flush()
    audit.record(
        "appraisal.adjust",
        "appraisal",
        appraisal.id,
        changes=audit.diff(before, _pay_state(appraisal)),
        summary=message(
            "Pay adjustment of %(amount)s: %(reason)s", amount=money(amount_fen), reason=text
        ),
        actor=user,
    )
    return line


def delete_adjustment(
    appraisal: Appraisal, adjustment_id: int, lock_version: int | None, user: User | None
) -> None:
    """Remove one of HR's pay adjustments (a mistake); settlement and score lines stay."""
    line = next((a for a in appraisal.adjustments if a.id == adjustment_id), None)
    if line is None:
        raise NotFound(_("There is no such adjustment on this appraisal."))
    if line.kind != "pay":
        raise ValidationFailed(
            _("Only pay adjustments can be removed; a score override is cleared instead.")
        )
    _editable(appraisal, lock_version)
    before = _pay_state(appraisal)
    appraisal.adjustments.remove(line)
    refresh_payable(appraisal)
    _flush()
    audit.record(
        "appraisal.adjustment_delete",
        "appraisal",
        appraisal.id,
        changes=audit.diff(before, _pay_state(appraisal)),
        summary=message(
            "Pay adjustment of %(amount)s removed (it said: %(reason)s)",
            amount=money(line.amount_fen),
            reason=line.reason,
        ),
        actor=user,
    )


def override_score(
    appraisal: Appraisal, score: float, reason: str, lock_version: int | None, user: User | None
) -> AppraisalAdjustment:
    """Replace the computed score; grade, multiplier, commission and payable follow."""
    text = _reason(reason)
    scheme = scheme_of(appraisal.scheme_version.toml)
    maximum = scheme.scoring.max_score
    if not math.isfinite(score) or not 0 <= score <= maximum:
        raise ValidationFailed(
            _("A score is between 0 and %(max)s.", max=f"{maximum:g}"),
        )
    if not hours_graded(appraisal, scheme):
        raise ValidationFailed(
            _(
                "This appraisal is not graded because it has fewer than %(hours)d on-air hours; "
                "a score override cannot grade it. Adjust the pay instead.",
                hours=scheme.scoring.not_graded_below_hours,
            )
        )
    _editable(appraisal, lock_version)
    return _set_override(appraisal, round(score, 2), text, user)


def clear_score_override(
    appraisal: Appraisal, reason: str, lock_version: int | None, user: User | None
) -> AppraisalAdjustment:
    """Go back to the computed score (recorded as a score line without a score)."""
    text = _reason(reason)
    _editable(appraisal, lock_version)
    if appraisal.score_override is None:
        raise ValidationFailed(_("The score is not overridden."))
    return _set_override(appraisal, None, text, user)


def _set_override(
    appraisal: Appraisal, score: float | None, reason: str, user: User | None
) -> AppraisalAdjustment:
    before = _pay_state(appraisal)
    line = AppraisalAdjustment(
        kind="score", amount_fen=0, score=score, reason=reason, created_by_id=_id(user)
    )
    appraisal.adjustments.append(line)
    appraisal.score_override = score
    _flush()  # the line's id orders it among the score lines regrade reads the reason from
    regrade(appraisal)
    _flush()
    if score is None:
        summary = message("Score override cleared: %(reason)s", reason=reason)
    else:
        summary = message(
            "Score overridden to %(score)s: %(reason)s", score=format(score, "g"), reason=reason
        )
    audit.record(
        "appraisal.score_override",
        "appraisal",
        appraisal.id,
        changes=audit.diff(before, _pay_state(appraisal)),
        summary=summary,
        actor=user,
    )
    return line


def save_comments(
    appraisal: Appraisal,
    hr_notes: str | None,
    shared_comment: str | None,
    lock_version: int | None,
    user: User | None,
) -> bool:
    """Store the HR-private notes and the comment the streamer sees; False when unchanged."""
    new = {"hr_notes": (hr_notes or "").strip(), "shared_comment": (shared_comment or "").strip()}
    if any(len(text) > MAX_COMMENT for text in new.values()):
        raise ValidationFailed(_("A comment is at most %(n)d characters.", n=MAX_COMMENT))
    _editable(appraisal, lock_version)
    old = {"hr_notes": appraisal.hr_notes or "", "shared_comment": appraisal.shared_comment or ""}
    if old == new:
        return False
    appraisal.hr_notes = new["hr_notes"]
    appraisal.shared_comment = new["shared_comment"]
    _flush()
    audit.record(
        "appraisal.comments",
        "appraisal",
        appraisal.id,
        changes=audit.diff(old, new),
        summary=message("Comments saved."),
        actor=user,
    )
    return True


def _id(user: User | None) -> int | None:
    return None if user is None else user.id


# --- a whole cycle ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Closed:
    """What finalize or reopen did, for the flash message, the command and the audit row."""

    code: str
    appraisals: int
    revision: int | None  # the highest revision number written (finalize) or kept (reopen)

    def message_values(self) -> dict[str, Any]:
        return {"code": self.code, "n": self.appraisals, "revision": self.revision or 0}


def _locked_cycle(cycle: AppraisalCycle) -> AppraisalCycle:
    """The cycle re-read under a row lock, so a run or a second finalize cannot interleave."""
    return db.session.scalars(
        select(AppraisalCycle)
        .where(AppraisalCycle.id == cycle.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def finalize_refusal(cycle: AppraisalCycle) -> DomainError | None:
    """Why the cycle cannot be finalized now (the error finalize raises), or None."""
    if cycle.status == "finalized":
        return Locked(_("Cycle %(code)s is already finalized.", code=cycle.code))
    if cycle.last_run_at is None:
        return ValidationFailed(
            _("Cycle %(code)s has never been run: run it before finalizing.", code=cycle.code)
        )
    if cycle.stale_since is not None:
        return ValidationFailed(
            _(
                "Cycle %(code)s is out of date: its data changed after the last run. Run it "
                "again, check the results, then finalize.",
                code=cycle.code,
            )
        )
    return None


def finalize_cycle(cycle: AppraisalCycle, user: User | None) -> Closed:
    """Lock the cycle and its appraisals for good and keep each as the next revision.

    Refused before the first run, when the results are out of date (re-run first) and when
    the cycle is already finalized. The scheme version stays the one of the last run.
    """
    cycle = _locked_cycle(cycle)
    refusal = finalize_refusal(cycle)
    if refusal is not None:
        raise refusal
    now = utcnow()
    db.session.flush()  # pending ORM changes first: the snapshots read the database
    revisions = _write_revisions(cycle, now, user)
    table = Appraisal.__table__
    count = db.session.execute(
        update(table)
        .where(table.c.cycle_id == cycle.id)
        .values(status="finalized", finalized_at=now, lock_version=table.c.lock_version + 1)
    ).rowcount
    cycle.status, cycle.finalized_at, cycle.finalized_by_id = "finalized", now, _id(user)
    # This cycle's last run settled the late data of the finalized quarters before it.
    staleness.settled_by(cycle)
    db.session.flush()
    db.session.expire_all()  # appraisals were written with Core: loaded objects are stale
    closed = Closed(cycle.code, count, max(revisions, default=None))
    audit.record(
        "cycle.finalize",
        "appraisal_cycle",
        cycle.id,
        changes={"status": ["open", "finalized"], "revision": [None, closed.revision]},
        summary=message(
            "Cycle %(code)s finalized: %(n)d appraisals locked and kept as revision %(revision)d.",
            **closed.message_values(),
        ),
        actor=user,
    )
    return closed


def reopen_cycle(cycle: AppraisalCycle, reason: str, user: User | None) -> Closed:
    """Open a finalized cycle again (administrators, with a reason); its appraisals become
    drafts and their revisions stay. `user` None is the command line's operator."""
    if user is not None and not can_reopen_cycle(user):
        raise ValidationFailed(_("Only an administrator can reopen a finalized cycle."))
    text = _reason(reason)
    cycle = _locked_cycle(cycle)
    if cycle.status != "finalized":
        raise ValidationFailed(_("Cycle %(code)s is not finalized.", code=cycle.code))
    table = Appraisal.__table__
    count = db.session.execute(
        update(table)
        .where(table.c.cycle_id == cycle.id)
        .values(status="draft", finalized_at=None, lock_version=table.c.lock_version + 1)
    ).rowcount
    before = {"status": cycle.status, "finalized_at": cycle.finalized_at}
    cycle.status, cycle.finalized_at, cycle.finalized_by_id = "open", None, None
    db.session.flush()
    db.session.expire_all()
    closed = Closed(cycle.code, count, _latest_revision_number(cycle))
    audit.record(
        "cycle.reopen",
        "appraisal_cycle",
        cycle.id,
        changes={**audit.diff(before, {"status": "open", "finalized_at": None}), "reason": text},
        summary=message(
            "Cycle %(code)s reopened (%(n)d appraisals back to draft; revision %(revision)d "
            "kept): %(reason)s",
            reason=text,
            **closed.message_values(),
        ),
        actor=user,
    )
    return closed


def _latest_revision_number(cycle: AppraisalCycle) -> int | None:
    return db.session.scalar(
        select(func.max(AppraisalRevision.revision))
        .join(Appraisal, Appraisal.id == AppraisalRevision.appraisal_id)
        .where(Appraisal.cycle_id == cycle.id)
    )


def _write_revisions(cycle: AppraisalCycle, now: Any, user: User | None) -> list[int]:
    """One revision per appraisal (previous number + 1), inserted in bulk; their numbers.

    The explanation (most of a snapshot's size) is copied as the JSON text it is stored as:
    decoding and encoding 10,000 of them would take most of the time finalizing has.
    """
    table = Appraisal.__table__
    columns = [table.c[name] for name in SNAPSHOT_COLUMNS if name != "explanation"]
    query = select(*columns, cast(table.c.explanation, Text).label("explanation_text"))
    rows = db.session.execute(query.where(table.c.cycle_id == cycle.id)).mappings()
    lines = _adjustment_lines(cycle)
    previous = _previous_revisions(cycle)
    stamp = now.isoformat()
    values = []
    for row in rows:
        snapshot = {
            name: row[name] for name in SNAPSHOT_COLUMNS if name not in ("id", "explanation")
        }
        snapshot["computed_at"] = _iso(row["computed_at"])
        snapshot["finalized_at"] = stamp
        snapshot["adjustments"] = lines.get(row["id"], [])
        values.append(
            {
                "appraisal_id": row["id"],
                "revision": previous.get(row["id"], 0) + 1,
                "snapshot_text": _with_explanation(snapshot, row["explanation_text"]),
                "reason": FINALIZE_REASON,
                "created_by_id": _id(user),
                "created_at": now,
            }
        )
    statement = insert(AppraisalRevision.__table__).values(snapshot=_json_text("snapshot_text"))
    for start in range(0, len(values), INSERT_CHUNK):
        db.session.execute(statement, values[start : start + INSERT_CHUNK])
    return [value["revision"] for value in values]


def _with_explanation(snapshot: dict[str, Any], explanation_text: str | None) -> str:
    """The snapshot as JSON text, with the stored explanation text as its `explanation`."""
    head = json.dumps(snapshot, ensure_ascii=False, allow_nan=False)
    return f'{head[:-1]}, "explanation": {explanation_text or "null"}}}'


def _json_text(name: str) -> Any:
    """A bound parameter of JSON text for a JSON column (PostgreSQL wants it cast; SQLite
    stores JSON as that text already, and its CAST AS JSON would make it a number)."""
    value = bindparam(name, type_=Text)
    return cast(value, JSON) if db.engine.dialect.name == "postgresql" else value


def _adjustment_lines(cycle: AppraisalCycle) -> dict[int, list[dict[str, Any]]]:
    """Every adjustment of the cycle's appraisals, by appraisal id, oldest first."""
    lines: dict[int, list[dict[str, Any]]] = {}
    query = (
        select(AppraisalAdjustment.__table__)
        .join(Appraisal, Appraisal.id == AppraisalAdjustment.appraisal_id)
        .where(Appraisal.cycle_id == cycle.id)
        .order_by(AppraisalAdjustment.id)
    )
    for row in db.session.execute(query).mappings():
        line = {key: row[key] for key in row if key != "appraisal_id"}
        line["created_at"] = _iso(line["created_at"])
        lines.setdefault(row["appraisal_id"], []).append(line)
    return lines


def _previous_revisions(cycle: AppraisalCycle) -> dict[int, int]:
    query = (
        select(AppraisalRevision.appraisal_id, func.max(AppraisalRevision.revision))
        .join(Appraisal, Appraisal.id == AppraisalRevision.appraisal_id)
        .where(Appraisal.cycle_id == cycle.id)
        .group_by(AppraisalRevision.appraisal_id)
    )
    return {appraisal_id: number for appraisal_id, number in db.session.execute(query)}


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


# --- revisions --------------------------------------------------------------------------------


def latest_revision(appraisal: Appraisal) -> AppraisalRevision | None:
    return db.session.scalar(
        select(AppraisalRevision)
        .where(AppraisalRevision.appraisal_id == appraisal.id)
        .order_by(AppraisalRevision.revision.desc())
        .limit(1)
    )


def revision_comparison(appraisal: Appraisal) -> dict[str, Any] | None:
    """The latest revision against the current figures: {revision, finalized_at, rows
    [{field, revision, current, changed}], changed, adjustments (the revision's lines)};
    None before the first finalize."""
    revision = latest_revision(appraisal)
    if revision is None:
        return None
    kept = revision.snapshot
    rows = [
        {
            "field": name,
            "revision": kept.get(name),
            "current": getattr(appraisal, name),
            "changed": kept.get(name) != getattr(appraisal, name),
        }
        for name in COMPARED
    ]
    return {
        "revision": revision.revision,
        "finalized_at": revision.created_at,
        "rows": rows,
        "changed": any(row["changed"] for row in rows),
        "adjustments": kept.get("adjustments", []),
    }
