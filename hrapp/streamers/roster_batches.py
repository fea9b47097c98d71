"""A roster file as a batch of the import history: check, import, refuse, roll back.

`import_roster` is the one use case behind the upload page, its background job and
``hrapp roster import``: with ``dry_run`` it is the preview (nothing written, the plan
rehearsed so that the confirm meets no surprise); without, it applies the plan in one
transaction and writes a batch with its report. A file that the history already holds as an
imported batch changes nothing and adds no batch. `rollback_roster_batch` undoes a batch while
nothing has been built on it since.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select

from hrapp.appraisals.models import AppraisalCycle
from hrapp.appraisals.staleness import inputs_changed
from hrapp.core import audit
from hrapp.core.errors import Conflict, Locked, ValidationFailed
from hrapp.core.messages import message
from hrapp.core.progress import ProgressFn, no_progress
from hrapp.extensions import db
from hrapp.intake import batches
from hrapp.intake.batch_model import ImportBatch
from hrapp.live_sessions.models import LiveSession, SessionHost
from hrapp.streamers.models import LevelChange, PlatformAccount, RosterRevision, Streamer
from hrapp.streamers.roster_import import (
    ImportRefused,
    Problem,
    RosterPlan,
    Summary,
    apply_plan,
    plan_import,
    roster_state,
)

KIND = "roster"


@dataclass
class RosterOutcome(batches.BatchOutcome):
    """What importing a roster file did (`BatchOutcome`), with the plan it made; its
    problems are the roster's `Problem`s."""

    plan: RosterPlan | None = None

    @property
    def summary(self) -> Summary:
        return self.plan.summary if self.plan is not None else Summary()


def problem_record(problem: Problem, severity: str = "error") -> dict[str, Any]:
    return batches.problem_record(
        problem.row, problem.column, problem.value, problem.reason, severity
    )


def import_roster(
    data: bytes,
    filename: str,
    *,
    dry_run: bool = False,
    user_id: int | None = None,
    expected_fingerprint: str | None = None,
    progress: ProgressFn | None = None,
) -> RosterOutcome:
    """Check, and unless ``dry_run`` import, one roster file. Flushes; the caller commits
    (after a refusal too: the refused batch is the history of the attempt).

    ``expected_fingerprint``: the plan the preview showed; when the plan is now another one
    (the roster changed in between) nothing is written and the status is "stale".
    """
    report = progress or no_progress
    sha256 = batches.digest(data)
    outcome = RosterOutcome(filename, sha256, "checked")
    earlier = batches.already_imported(KIND, sha256)
    if earlier is not None:
        outcome.status, outcome.batch_id = "duplicate", earlier.id
        return outcome
    report(0, 1, message("Checking the roster file…"))
    try:
        plan = plan_import(data, rehearse=dry_run, progress=report)
    except ValidationFailed as exc:  # the file itself cannot be read
        reason = getattr(exc, "reason", None) or exc.message
        outcome.problems = [Problem(None, None, "", reason)]
        return _refuse(outcome, data, dry_run, user_id)
    outcome.plan = plan
    outcome.problems = list(plan.problems)
    if plan.problems:
        return _refuse(outcome, data, dry_run, user_id)
    if expected_fingerprint is not None and plan.fingerprint != expected_fingerprint:
        outcome.status = "stale"
        return outcome
    if dry_run or not plan.changed:
        return outcome  # nothing changes: no empty batch
    report(0, len(plan.changed), message("Writing the roster…"))
    batch = batches.open_batch(KIND, filename, data, user_id=user_id)
    savepoint = db.session.begin_nested()
    try:
        summary = apply_plan(plan, filename, batch.id, progress=report)
    except ImportRefused as exc:
        # The plan was checked against this very roster; a refusal here is a rule the check
        # does not know yet. Nothing of the plan stays; the batch keeps the report.
        savepoint.rollback()
        outcome.problems = exc.details
        return _refuse(outcome, data, dry_run, user_id, batch)
    savepoint.commit()
    batches.close_batch(
        batch,
        "imported",
        total_rows=_rows(plan),
        inserted=summary.created,
        updated=summary.updated,
        unchanged=summary.unchanged,
        report=[problem_record(w, "warning") for w in plan.warnings],
    )
    outcome.status, outcome.batch_id = "imported", batch.id
    report(len(plan.changed), len(plan.changed), message("Writing the roster…"))
    return outcome


def _rows(plan: RosterPlan) -> int:
    return sum(max(1, len(item.entry.accounts)) for item in plan.items)


def _refuse(
    outcome: RosterOutcome,
    data: bytes,
    dry_run: bool,
    user_id: int | None,
    batch: ImportBatch | None = None,
) -> RosterOutcome:
    """A refused import is kept in the history with its report; a refused preview is not."""
    outcome.status = "checked" if dry_run else "refused"
    if dry_run:
        return outcome
    warnings = outcome.plan.warnings if outcome.plan is not None else []
    batches.keep_refused(
        KIND,
        outcome,
        data,
        user_id=user_id,
        total_rows=_rows(outcome.plan) if outcome.plan is not None else 0,
        report=[problem_record(p) for p in outcome.problems]
        + [problem_record(w, "warning") for w in warnings],
        batch=batch,
    )
    return outcome


def preview_data(outcome: RosterOutcome) -> dict[str, Any]:
    """The preview as plain JSON, the same whether the page checked the file itself or a
    background job did (and stored it)."""
    plan = outcome.plan
    summary = outcome.summary
    return {
        "status": outcome.status,
        "batch_id": outcome.batch_id,
        "summary": dataclasses.asdict(summary),
        "fingerprint": plan.fingerprint if plan is not None else "",
        "changed": [_item_data(item) for item in plan.changed] if plan is not None else [],
        "problems": [problem_record(p) for p in outcome.problems],
        "warnings": [problem_record(w, "warning") for w in plan.warnings] if plan else [],
    }


def _item_data(item: Any) -> dict[str, Any]:
    profile = item.profile
    return {
        "employee_no": item.entry.employee_no,
        "name": profile.legal_name,
        "action": item.action,
        "level": item.level,
        "category": profile.category,
        "team": profile.team,
        "hire_date": profile.hire_date.isoformat() if profile.hire_date else None,
        "changes": item.changes,
        "level_since": item.level_since.isoformat() if item.level_since else None,
        "accounts": [
            {
                "platform": a.platform,
                "account_id": a.account_id,
                "action": a.action,
                "nickname": a.nickname,
                "old_nickname": a.old_nickname,
            }
            for a in item.accounts
            if a.action != "unchanged"
        ],
    }


# --- rollback -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterRollback:
    removed: int  # streamers the batch created
    restored: int  # streamers it changed


def rollback_roster_batch(batch_id: int) -> RosterRollback:
    """Undo a roster import: remove the streamers and accounts it created, put back the
    profiles, levels and nicknames it changed.

    Refused while anything was built on it since: a later change to one of its streamers or
    accounts (by hand or by a later import: roll that back first), sessions, training records,
    appraisals or a login of a streamer it created, or a finalized appraisal cycle whose
    quarter its level or hire-date changes reach (pay was computed from them).
    """
    batch = batches.to_roll_back(KIND, batch_id)
    revisions = list(
        db.session.scalars(select(RosterRevision).where(RosterRevision.batch_id == batch.id))
    )
    _refuse_if_built_upon(batch, revisions)
    removed = restored = 0
    for revision in revisions:
        streamer = db.session.get(Streamer, revision.streamer_id)
        assert streamer is not None
        if revision.did.get("created"):
            _remove_created(streamer, revision)
            removed += 1
        else:
            _restore(streamer, revision)
            restored += 1
    batches.mark_rolled_back(
        batch,
        message(
            "%(file)s rolled back: %(removed)d streamers removed, %(restored)d restored.",
            file=batch.filename,
            removed=removed,
            restored=restored,
        ),
    )
    return RosterRollback(removed=removed, restored=restored)


def _changed_since(revision: RosterRevision) -> bool:
    """Whether the streamer, its level history or the accounts the import touched differ from
    what the import left (a change by hand, or a later import not rolled back)."""
    streamer = db.session.get(Streamer, revision.streamer_id)
    did = revision.did
    if streamer is None or roster_state(streamer) != did.get("after"):
        return True
    if max((c.id for c in streamer.level_changes), default=0) != did.get("last_level_change"):
        return True
    for account_id, left in did.get("accounts", {}).items():
        account = db.session.get(PlatformAccount, int(account_id))
        if account is None or [account.streamer_id, account.nickname] != left:
            return True
    return False


def _refuse_if_built_upon(batch: ImportBatch, revisions: list[RosterRevision]) -> None:
    changed = [r for r in revisions if _changed_since(r)]
    if changed:
        numbers = sorted(
            s.employee_no
            for s in db.session.scalars(
                select(Streamer).where(Streamer.id.in_([r.streamer_id for r in changed]))
            )
        )
        raise Conflict(
            _(
                "These streamers were changed after this import (by hand or by a later "
                "import): %(numbers)s. Undo or roll back those changes first.",
                numbers=", ".join(numbers[:10]) + (" …" if len(numbers) > 10 else ""),
            )
        )
    created = [r.streamer_id for r in revisions if r.did.get("created")]
    if created and _built_on_created(created):
        raise Conflict(
            _(
                "Streamers this import created already have sessions, training records, "
                "appraisals or a login; the import can no longer be rolled back."
            )
        )
    cycle = _finalized_cycle_reached(revisions)
    if cycle is not None:
        raise Locked(
            _(
                "Appraisal cycle %(cycle)s is finalized and depends on these changes; it must "
                "be reopened before this import can be rolled back.",
                cycle=cycle.code,
            )
        )


def _built_on_created(streamer_ids: list[int]) -> bool:
    from hrapp.appraisals.models import Appraisal
    from hrapp.auth.models import User
    from hrapp.training.models import TrainingRecord

    hosted = select(SessionHost.session_id).where(SessionHost.streamer_id.in_(streamer_ids))
    broadcast = (
        select(LiveSession.id)
        .join(PlatformAccount, LiveSession.platform_account_id == PlatformAccount.id)
        .where(PlatformAccount.streamer_id.in_(streamer_ids))
    )
    trained = select(TrainingRecord.id).where(TrainingRecord.streamer_id.in_(streamer_ids))
    appraised = select(Appraisal.id).where(Appraisal.streamer_id.in_(streamer_ids))
    login = select(User.id).where(User.streamer_id.in_(streamer_ids))
    return any(
        db.session.execute(query.limit(1)).first() is not None
        for query in (hosted, broadcast, trained, appraised, login)
    )


def _days_reached(revision: RosterRevision) -> list[dt.date]:
    """The days from which the batch's change of this streamer counts for appraisals. A
    streamer the batch created reaches none: a finalized cycle can only hold it through an
    appraisal, and a created streamer with any appraisal is refused as built upon."""
    if revision.did.get("created"):
        return []
    days = [
        change.effective_on
        for change in db.session.scalars(
            select(LevelChange).where(LevelChange.id.in_(revision.did.get("level_changes", [])))
        )
    ]
    streamer = db.session.get(Streamer, revision.streamer_id)
    old_hire = revision.before.get("hire_date")
    hire = None if streamer is None else streamer.hire_date
    if hire is not None and old_hire and old_hire != hire.isoformat():
        days += [hire, dt.date.fromisoformat(old_hire)]
    return days


def _finalized_cycle_reached(revisions: list[RosterRevision]) -> AppraisalCycle | None:
    days = [day for revision in revisions for day in _days_reached(revision)]
    if not days:
        return None
    return db.session.scalar(
        select(AppraisalCycle)
        .where(AppraisalCycle.status == "finalized", AppraisalCycle.ends_on >= min(days))
        .order_by(AppraisalCycle.starts_on)
        .limit(1)
    )


def _remove_created(streamer: Streamer, revision: RosterRevision) -> None:
    audit.record(
        "streamer.rollback",
        "streamer",
        streamer.id,
        changes={"employee_no": [streamer.employee_no, None]},
        summary=message("Removed by rolling back import %(batch)s.", batch=revision.batch_id),
    )
    if streamer.hire_date is not None:
        inputs_changed("roster_changed", first_day=streamer.hire_date, who=streamer.employee_no)
    db.session.execute(
        delete(PlatformAccount).where(PlatformAccount.streamer_id == streamer.id),
        execution_options={"synchronize_session": False},
    )
    db.session.delete(streamer)
    db.session.flush()


def _restore(streamer: Streamer, revision: RosterRevision) -> None:
    before = revision.before
    now = {
        name: value.isoformat() if isinstance(value, dt.date) else value
        for name, value in (
            (name, getattr(streamer, name)) for name in before if hasattr(streamer, name)
        )
    }
    level_changes = revision.did.get("level_changes", [])
    if level_changes:
        db.session.execute(
            delete(LevelChange).where(LevelChange.id.in_(level_changes)),
            execution_options={"synchronize_session": False},
        )
    for name, value in before.items():
        if name in ("hire_date", "date_of_birth", "level_since") and value:
            value = dt.date.fromisoformat(value)
        setattr(streamer, name, value)
    for account_id, (action, nickname) in revision.did.get("nicknames", {}).items():
        account = db.session.get(PlatformAccount, int(account_id))
        if account is None:
            continue
        account.nickname = nickname
        if action == "link":
            account.streamer_id = None
    created = revision.did.get("accounts_created", [])
    if created:
        db.session.execute(
            delete(PlatformAccount).where(PlatformAccount.id.in_(created)),
            execution_options={"synchronize_session": False},
        )
    audit.record(
        "streamer.rollback",
        "streamer",
        streamer.id,
        changes=audit.diff(now, before),
        summary=message("Restored by rolling back import %(batch)s.", batch=revision.batch_id),
    )
    days = [dt.date.fromisoformat(d) for d in (before.get("hire_date"), now.get("hire_date")) if d]
    inputs_changed("roster_changed", first_day=min(days, default=None), who=streamer.employee_no)
    db.session.flush()
    db.session.expire(streamer)
