"""A training file as a batch of the import history: check, import, refuse, roll back.

`import_training` is the one use case behind the upload page, its background job and
``hrapp training import``: with ``dry_run`` it is the preview (nothing written); without, it
inserts the new records in one transaction and writes a batch with its report. Reading and
checking the rows is `hrapp.training.imports` (`read_rows`, then the checks against the roster
and curriculum); this module decides what is written and keeps the history. A file the
history already holds as an imported batch changes nothing and adds no batch; a file whose rows
are all recorded already adds no empty batch either. `rollback_training_batch` removes a
batch's records while nothing was built on them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from hrapp.appraisals.models import AppraisalCycle
from hrapp.appraisals.staleness import inputs_changed
from hrapp.audit import labels as audit_labels  # noqa: F401 - the "field" labels of columns
from hrapp.auth.models import User
from hrapp.core import audit, labels
from hrapp.core.audit import AuditEntry
from hrapp.core.errors import Conflict, Locked
from hrapp.core.messages import message
from hrapp.core.progress import ProgressFn, no_progress
from hrapp.extensions import db
from hrapp.intake import batches
from hrapp.intake.batch_model import ImportBatch
from hrapp.training import imports
from hrapp.training.imports import ImportRefused, ImportResult
from hrapp.training.models import TrainingRecord
from hrapp.training.services import decide_passed

KIND = "training"
PREVIEW_ROWS = 50


@dataclass
class NewRecord:
    """One row the import would insert, as the preview shows it."""

    row: int
    employee_no: str
    streamer_name: str
    module_code: str
    completed_on: str
    score: float | None
    trainer: str


@dataclass
class TrainingOutcome(batches.BatchOutcome):
    """What importing a training file did (`BatchOutcome`), with the rows it read and the
    records it would insert; its problems are the intake's."""

    total: int = 0
    unchanged: int = 0
    new: list[NewRecord] = field(default_factory=list)

    @property
    def inserted(self) -> int:
        return len(self.new)

    @property
    def fingerprint(self) -> str:
        """What the import would insert, so that a confirmed preview can be told from a stale
        one (the roster or curriculum changed in between)."""
        content = [[vars(r) for r in self.new], self.unchanged]
        encoded = json.dumps(content, default=str, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(encoded.encode()).hexdigest()


# The file's columns by the "field" label of what they hold; the others by their own words.
COLUMN_FIELDS = {
    "employee_no": "employee_no",
    "completed_on": "completed_on",
    "score": "score",
    "note": "notes",
}


def column_label(column: str) -> str:
    """A column of the training file in the reader's words (a header the import does not
    know, as written)."""
    if column in COLUMN_FIELDS:
        return labels.label("field", COLUMN_FIELDS[column])
    if column == "module_code":
        return _("Module")
    if column == "trainer":
        return _("Trainer")
    return column


def problem_record(problem: Any, severity: str = "error") -> dict[str, Any]:
    return batches.problem_record(
        problem.row, problem.column or None, problem.value or "", problem.reason, severity
    )


def import_training(
    data: bytes,
    filename: str,
    *,
    dry_run: bool = False,
    user_id: int | None = None,
    expected_fingerprint: str | None = None,
    progress: ProgressFn | None = None,
    whole_history: bool = True,
) -> TrainingOutcome:
    """Check, and unless ``dry_run`` import, one training file. Flushes; the caller commits
    (after a refusal too: the refused batch is the history of the attempt).

    ``expected_fingerprint``: what the preview showed; when the file would now do something
    else (the roster or curriculum changed in between) nothing is written and the status is
    "stale". Without ``whole_history`` a file imported before is checked row by row (its rows
    are then all recorded already) instead of being answered from the history, and a refusal
    is not kept (the caller rolls it back)."""
    report = progress or no_progress
    sha256 = batches.digest(data)
    outcome = TrainingOutcome(filename, sha256, "checked")
    earlier = batches.already_imported(KIND, sha256) if whole_history else None
    if earlier is not None:
        outcome.status, outcome.batch_id = "duplicate", earlier.id
        return outcome
    report(0, 1, message("Checking the training file…"))
    try:
        rows = imports.read_rows(filename, data)
    except ImportRefused as exc:  # the file itself cannot be used
        outcome.problems = list(exc.rows)
        return _refuse(outcome, data, user_id, dry_run=dry_run, keep=whole_history)
    outcome.total = len(rows)
    if not rows:
        outcome.problems = [imports.Problem(None, "", "", message("The file has no data rows."))]
        return _refuse(outcome, data, user_id, dry_run=dry_run, keep=whole_history)
    found = imports._lookups(rows)
    try:
        new, unchanged = imports._plan(rows, found)
    except ImportRefused as exc:
        outcome.problems = list(exc.rows)
        return _refuse(outcome, data, user_id, dry_run=dry_run, keep=whole_history)
    outcome.unchanged = unchanged
    outcome.new = [_shown(item) for item in new]
    if expected_fingerprint is not None and outcome.fingerprint != expected_fingerprint:
        outcome.status = "stale"
        return outcome
    if dry_run or not new:
        return outcome  # a preview, or nothing to insert: no empty batch
    report(0, len(new), message("Writing training records…"))
    batch = batches.open_batch(KIND, filename, data, user_id=user_id)
    _insert(new, found.trainers, batch)
    batches.close_batch(
        batch, "imported", total_rows=len(rows), inserted=len(new), unchanged=unchanged
    )
    audit.record(
        "training.import",
        "import_batch",
        batch.id,
        summary=message(
            "%(file)s: %(inserted)d inserted, %(unchanged)d unchanged.",
            file=filename,
            inserted=len(new),
            unchanged=unchanged,
        ),
    )
    db.session.flush()
    outcome.status, outcome.batch_id = "imported", batch.id
    report(len(new), len(new), message("Writing training records…"))
    return outcome


def import_training_file(filename: str, content: bytes, *, by: User | None = None) -> ImportResult:
    """Check the whole file, then insert its new records in one go (flushes; caller commits).

    Raises `ImportRefused` listing every problem; the caller rolls back, so nothing is written.
    A file imported before is checked row by row (its rows are all recorded already): when
    every row is recorded nothing is written at all, not even an import batch.
    """
    outcome = import_training(
        content, filename, user_id=by.id if by is not None else None, whole_history=False
    )
    if outcome.problems:
        raise ImportRefused(outcome.problems)
    return ImportResult(outcome.total, outcome.inserted, outcome.unchanged, outcome.batch_id)


def _shown(item: Any) -> NewRecord:
    return NewRecord(
        row=item.row,
        employee_no=item.streamer.employee_no,
        streamer_name=item.streamer.display_name,
        module_code=item.module.code,
        completed_on=item.completed_on.isoformat(),
        score=item.score,
        trainer=item.trainer_name,
    )


def _insert(new: list[Any], trainers: dict[str, Any], batch: ImportBatch) -> None:
    db.session.add_all(
        TrainingRecord(
            streamer_id=item.streamer.id,
            module_id=item.module.id,
            completed_on=item.completed_on,
            score=item.score,
            rubric_scores={},
            passed=decide_passed(item.module, item.score),
            trainer_id=trainers[item.trainer_name].id if item.trainer_name in trainers else None,
            trainer_name=item.trainer_name,
            notes=item.note,
            import_batch_id=batch.id,
            created_by_id=batch.created_by_id,
        )
        for item in new
    )
    inputs_changed("training_changed", first_day=min(item.completed_on for item in new))
    db.session.flush()


def _refuse(
    outcome: TrainingOutcome, data: bytes, user_id: int | None, *, dry_run: bool, keep: bool
) -> TrainingOutcome:
    """A refused import is kept in the history with its report (unless not ``keep``); a
    refused preview is not."""
    outcome.status = "checked" if dry_run else "refused"
    if dry_run or not keep:
        return outcome
    batches.keep_refused(
        KIND,
        outcome,
        data,
        user_id=user_id,
        total_rows=outcome.total,
        report=[problem_record(p) for p in outcome.problems],
    )
    return outcome


def preview_data(outcome: TrainingOutcome) -> dict[str, Any]:
    """The preview as plain JSON, the same whether the page checked the file itself or a
    background job did (and stored it)."""
    return {
        "status": outcome.status,
        "batch_id": outcome.batch_id,
        "total": outcome.total,
        "inserted": outcome.inserted,
        "unchanged": outcome.unchanged,
        "fingerprint": outcome.fingerprint,
        "new": [vars(r) for r in outcome.new[:PREVIEW_ROWS]],
        "problems": [problem_record(p) for p in outcome.problems],
    }


# --- rollback -----------------------------------------------------------------------------


def rollback_training_batch(batch_id: int) -> int:
    """Undo a training import: remove the records it inserted; how many were removed.

    Records are otherwise never deleted (a mistake is corrected or voided with a reason); a
    rollback removes an import as if it had not happened, so it is refused once anything was
    built on the records: one was corrected or voided since, or a finalized appraisal cycle
    reaches the day of one (pay was computed from it; training counts from its day on).
    """
    batch = batches.to_roll_back(KIND, batch_id)
    ids = list(
        db.session.scalars(
            select(TrainingRecord.id).where(TrainingRecord.import_batch_id == batch.id)
        )
    )
    _refuse_if_built_upon(ids)
    first_day = db.session.scalar(
        select(func.min(TrainingRecord.completed_on)).where(TrainingRecord.id.in_(ids))
    )
    removed = db.session.execute(
        delete(TrainingRecord).where(TrainingRecord.id.in_(ids)),
        execution_options={"synchronize_session": False},
    ).rowcount
    if first_day is not None:
        inputs_changed("training_changed", first_day=first_day)
    batches.mark_rolled_back(
        batch,
        message(
            "%(file)s rolled back: %(n)d training records removed.",
            file=batch.filename,
            n=removed,
        ),
    )
    return int(removed)


def _refuse_if_built_upon(ids: list[int]) -> None:
    if not ids:
        return
    touched = db.session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(
            AuditEntry.entity_type == "training_record",
            AuditEntry.entity_id.in_([str(i) for i in ids]),
        )
    )
    voided = db.session.scalar(
        select(func.count())
        .select_from(TrainingRecord)
        .where(TrainingRecord.id.in_(ids), TrainingRecord.voided_at.is_not(None))
    )
    if touched or voided:
        raise Conflict(
            _(
                "Records of this import were corrected or voided since; the import can no "
                "longer be rolled back."
            )
        )
    first_day = db.session.scalar(
        select(func.min(TrainingRecord.completed_on)).where(TrainingRecord.id.in_(ids))
    )
    cycle = db.session.scalar(
        select(AppraisalCycle)
        .where(AppraisalCycle.status == "finalized", AppraisalCycle.ends_on >= first_day)
        .order_by(AppraisalCycle.starts_on)
        .limit(1)
    )
    if cycle is not None:
        raise Locked(
            _(
                "Appraisal cycle %(cycle)s is finalized and depends on these records; it must "
                "be reopened before this import can be rolled back.",
                cycle=cycle.code,
            )
        )
