"""The web flow of the roster's and training's imports, written once for both.

upload → preview (checked in the request, or by a background job for a large file) → confirm
(imported in the request, or by a job) → the batch's page in the history, where it can be
rolled back. Each blueprint keeps its endpoints, URLs and role checks as thin wrappers that
hand their `ImportKind` to the functions here; what a background job does is
`hrapp.intake.batch_jobs`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response

from hrapp.core.errors import Conflict, Locked, NotFound, ValidationFailed
from hrapp.core.params import int_arg
from hrapp.extensions import db
from hrapp.intake import batch_jobs, batches
from hrapp.intake.batch_jobs import BatchJob
from hrapp.intake.batch_model import ImportBatch
from hrapp.intake.batches import already_imported_text, group_problems
from hrapp.intake.forms import ImportConfirmForm, ImportRollbackForm
from hrapp.jobs import services as jobs
from hrapp.jobs.models import Job

HISTORY_SHOWN = 20  # batches listed under the upload form


@dataclass(frozen=True)
class ImportKind:
    """What differs between the roster's and training's import pages. The words are
    functions, so that they are worded in the reader's language when shown."""

    job: BatchJob  # the batch kind, the import, its preview data and the pages a job leads to
    job_kind: str  # the kind of its background jobs
    job_rows: int  # above this many data rows a job checks and imports (IMPORT_JOB_ROWS wins)
    count_rows: Callable[[str, bytes], int]  # data rows; ValidationFailed when unreadable
    upload_form: type[FlaskForm]
    upload_page: str  # the template of the upload page and its preview
    default_filename: str  # for an upload the browser sent without a name
    column_label: Callable[[str], str]
    has_changes: Callable[[dict[str, Any]], bool]  # whether a clean preview has a confirm
    done_endpoint: str  # where an import that had nothing to write (no batch) leads
    rollback_endpoint: str
    roll_back: Callable[[int], Any]  # the kind's rollback of a batch, by its id
    stale_text: Callable[[], str]
    refused_text: Callable[[int], str]  # by the number of problems
    imported_text: Callable[[Any], str]  # by the import's outcome
    rolled_back_text: Callable[[Any], str]  # by what `roll_back` returned
    batch_title: Callable[[int], str]  # by the batch's id
    upload_link: Callable[[], str]  # the batch page's link back to the upload page
    rollback_consent: Callable[[int], str]  # by the number of rows the batch added

    @property
    def batch_kind(self) -> str:
        return self.job.batch_kind


def job_rows(kind: ImportKind) -> int:
    return int(current_app.config.get("IMPORT_JOB_ROWS", kind.job_rows))


def is_large(kind: ImportKind, filename: str, data: bytes) -> bool:
    """Files over `job_rows` rows are checked and imported by a background job, so that no
    request runs into the server's timeout."""
    try:
        rows = kind.count_rows(filename, data)
    except ValidationFailed:
        return False  # the check says why the file cannot be read, at once
    return rows > job_rows(kind)


def upload_name(sent: str | None, default: str) -> str:
    """The name the upload is shown and kept by: its last part, whether the browser sent a
    POSIX or a Windows path."""
    return (sent or default).replace("\\", "/").rsplit("/", 1)[-1][:200]


def _start_job(
    kind: ImportKind, sha256: str, filename: str, *, dry_run: bool, fingerprint: str = ""
) -> Response:
    job = jobs.submit(
        kind.job_kind,
        batch_jobs.title(filename, dry_run=dry_run),
        batch_jobs.payload(sha256, filename, dry_run=dry_run, fingerprint=fingerprint),
        user_id=current_user.id,
    )
    db.session.commit()
    jobs.start(job)
    return redirect(url_for("jobs.show", job_id=job.id))


def _upload_page(
    kind: ImportKind, form: FlaskForm, *, status: int = 200, **context: Any
) -> tuple[str, int]:
    history = db.session.scalars(
        select(ImportBatch)
        .where(ImportBatch.kind == kind.batch_kind)
        .order_by(ImportBatch.id.desc())
        .limit(HISTORY_SHOWN)
    ).all()
    context.setdefault("check", None)
    context.setdefault("filename", "")
    context.setdefault("confirm", None)
    return render_template(
        kind.upload_page, form=form, history=history, job_rows=job_rows(kind), **context
    ), status


def _preview_page(
    kind: ImportKind, sha256: str, filename: str, check: dict[str, Any]
) -> tuple[str, int]:
    """The preview of a checked file; a refused file's upload is not kept."""
    confirm = None
    if check["problems"]:
        batches.remove_upload(kind.batch_kind, sha256)
    elif kind.has_changes(check):
        confirm = ImportConfirmForm(
            token=sha256, fingerprint=check["fingerprint"], filename=filename, formdata=None
        )
    return _upload_page(
        kind,
        kind.upload_form(formdata=None),
        status=422 if check["problems"] else 200,
        check=check,
        filename=filename,
        confirm=confirm,
        groups=group_problems(check["problems"], kind.column_label),
        warning_groups=group_problems(check.get("warnings", []), kind.column_label),
    )


def _check_now(kind: ImportKind, sha256: str, filename: str, data: bytes) -> Any:
    outcome = kind.job.run(data, filename, dry_run=True)
    db.session.rollback()  # a check writes nothing; end its transaction
    if outcome.status == "duplicate":
        return _duplicate(kind, sha256, outcome.batch_id)
    return _preview_page(kind, sha256, filename, kind.job.preview_data(outcome))


def _duplicate(kind: ImportKind, sha256: str, batch_id: int | None) -> Response:
    batches.remove_upload(kind.batch_kind, sha256)
    flash(already_imported_text(batch_id), "info")
    return _to_batch(kind, batch_id)


def _to_batch(kind: ImportKind, batch_id: int | None) -> Response:
    return redirect(url_for(kind.job.batch_endpoint, batch_id=batch_id))


def upload(kind: ImportKind) -> Any:
    """The upload page; a posted file is kept and checked (by a job when it is large)."""
    form = kind.upload_form()
    if not form.validate_on_submit():
        return _upload_page(kind, form, status=422 if form.is_submitted() else 200)
    sent = form.file.data
    data = sent.read()
    filename = upload_name(sent.filename, kind.default_filename)
    sha256 = batches.store_upload(kind.batch_kind, data)
    if is_large(kind, filename, data):
        return _start_job(kind, sha256, filename, dry_run=True)
    return _check_now(kind, sha256, filename, data)


def preview(kind: ImportKind, sha256: str) -> Any:
    """The preview a background job checked (large files)."""
    job = db.session.get(Job, int_arg("job") or 0)
    if job is None or job.kind != kind.job_kind or job.result["payload"]["sha256"] != sha256:
        abort(404)
    if job.status != "done":
        return redirect(url_for("jobs.show", job_id=job.id))
    check: dict[str, Any] = job.result["outcome"]["check"]
    if check["status"] == "duplicate":
        return _duplicate(kind, sha256, check["batch_id"])
    return _preview_page(kind, sha256, job.result["payload"]["filename"], check)


def confirm(kind: ImportKind) -> Any:
    """Import the previewed file (by a job when it is large), if it would still do what the
    preview showed; otherwise show the new preview."""
    form = ImportConfirmForm()
    sha256 = form.token.data or ""
    data = batches.read_upload(kind.batch_kind, sha256) if form.validate_on_submit() else None
    if data is None:
        flash(_("The uploaded file is no longer here; please upload it again."), "error")
        return redirect(url_for(kind.job.upload_endpoint))
    filename = form.filename.data or kind.default_filename
    fingerprint = form.fingerprint.data or ""
    if is_large(kind, filename, data):
        return _start_job(kind, sha256, filename, dry_run=False, fingerprint=fingerprint)
    outcome = kind.job.run(
        data, filename, user_id=current_user.id, expected_fingerprint=fingerprint
    )
    if outcome.status == "stale":
        db.session.rollback()
        flash(kind.stale_text(), "warning")
        return _check_now(kind, sha256, filename, data)
    db.session.commit()
    if outcome.status == "duplicate":
        return _duplicate(kind, sha256, outcome.batch_id)
    batches.remove_upload(kind.batch_kind, sha256)
    if outcome.status == "refused":
        flash(kind.refused_text(len(outcome.problems)), "error")
        return _to_batch(kind, outcome.batch_id)
    flash(kind.imported_text(outcome), "success")
    if outcome.batch_id is None:  # nothing to write, so no batch
        return redirect(url_for(kind.done_endpoint))
    return _to_batch(kind, outcome.batch_id)


def _batch(kind: ImportKind, batch_id: int) -> ImportBatch:
    try:
        return batches.batch_of(kind.batch_kind, batch_id)
    except NotFound:
        abort(404)


def batch_page(kind: ImportKind, batch_id: int) -> str:
    """A batch of the history: its summary, its report and, while it stands, its rollback."""
    batch = _batch(kind, batch_id)
    return render_template(
        "intake/import_batch.html",
        kind=kind,
        batch=batch,
        groups=group_problems(batch.report, kind.column_label),
        form=ImportRollbackForm(),
    )


def rollback(kind: ImportKind, batch_id: int) -> Response:
    """Roll a batch back once the box that says what it removes is ticked."""
    _batch(kind, batch_id)
    form = ImportRollbackForm()
    if not form.validate_on_submit() or not form.confirm.data:
        flash(
            _(
                "Nothing was rolled back: tick the box that confirms what the rollback removes, "
                "then roll back again."
            ),
            "error",
        )
        return _to_batch(kind, batch_id)
    try:
        result = kind.roll_back(batch_id)
    except (Conflict, Locked) as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _to_batch(kind, batch_id)
    db.session.commit()
    flash(kind.rolled_back_text(result), "success")
    return _to_batch(kind, batch_id)
