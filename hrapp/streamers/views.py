"""The roster pages: list, detail, create and edit, level, leaving, mentor, accounts, login, import.

HR and administrators change the roster; trainers may look at the list and the detail pages but
never see HR notes, ID or bank numbers; streamers have their own portal and get 403 on the list
and 404 on every detail page, their own included.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response

from hrapp.appraisals.review import streamer_appraisals
from hrapp.auth.permissions import (
    STAFF,
    TRAINING_STAFF,
    can_view_streamer,
    is_staff,
    require,
    role_required,
)
from hrapp.core.errors import Conflict, Locked, NotFound, ValidationFailed
from hrapp.core.params import int_arg
from hrapp.extensions import db
from hrapp.intake import batches
from hrapp.intake.batch_model import ImportBatch
from hrapp.intake.batches import group_problems
from hrapp.jobs import services as jobs
from hrapp.jobs.models import Job
from hrapp.streamers import forms, rules, services
from hrapp.streamers import jobs as roster_jobs
from hrapp.streamers.models import PlatformAccount, Streamer
from hrapp.streamers.roster_batches import (
    already_imported_text,
    import_roster,
    preview_data,
    rollback_roster_batch,
    roster_batch,
)
from hrapp.streamers.roster_import import column_label, read_rows, refusal_message

bp = Blueprint("streamers", __name__, url_prefix="/streamers")
PER_PAGE = 25
ROSTER = "roster"  # the kind of the roster's import batches and uploads
# Above this many rows a file is checked and imported by a background job. Lower than the
# other imports' 2,000: every streamer goes through the roster's services one by one (checked,
# audited; some 20-40 ms each) and the preview rehearses the whole import, so a few hundred
# rows already approach the web server's 30-second timeout.
JOB_ROWS = 200
HISTORY_SHOWN = 20


def _streamer(streamer_id: int) -> Streamer:
    return db.get_or_404(Streamer, streamer_id)


def _account(streamer: Streamer, account_pk: int) -> PlatformAccount:
    account = db.get_or_404(PlatformAccount, account_pk)
    if account.streamer_id != streamer.id:
        abort(404)
    return account


def _flash_form_errors(form: FlaskForm) -> None:
    for name, errors in form.errors.items():
        for error in errors:
            flash(f"{form[name].label.text}: {error}", "error")


def _act(streamer: Streamer, form: FlaskForm, change: Callable[[], object], done: str) -> Response:
    """Run one change posted from the detail page, commit or roll back, then go back there."""
    if not form.validate_on_submit():
        _flash_form_errors(form)
    else:
        try:
            change()
        except ValidationFailed as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(done, "success")
    return redirect(url_for(".show", streamer_id=streamer.id))


# --- list and detail -------------------------------------------------------------------------


@bp.get("/")
@role_required(*TRAINING_STAFF)
def index() -> str:
    form = forms.RosterFilterForm(formdata=request.args)
    wanted = form.filter(services.teams())
    page = db.paginate(services.roster_query(wanted), per_page=PER_PAGE, error_out=False)
    return render_template(
        "streamers/index.html", page=page, form=form, can_edit=is_staff(current_user)
    )


def _detail(streamer: Streamer, *, hr_view: bool) -> dict[str, Any]:
    """What the detail page shows; HR-only details are left out, not hidden, for others."""
    data: dict[str, Any] = {
        "id": streamer.id,
        "employee_no": streamer.employee_no,
        "display_name": streamer.display_name,
        "stage_name": streamer.stage_name,
        "level": streamer.level,
        "level_since": streamer.level_since,
        "category": streamer.category,
        "team": streamer.team,
        "persona": streamer.persona,
        "hire_date": streamer.hire_date,
        "active": streamer.is_active,
        "left_on": streamer.left_on,
        "mentor": streamer.mentor,
        "mentor_since": (
            streamer.current_mentorship.started_on if streamer.current_mentorship else None
        ),
        "former_mentors": [m for m in reversed(streamer.mentorships) if m.ended_on is not None],
        "mentees": sorted(streamer.mentees, key=lambda s: s.employee_no),
        "accounts": streamer.accounts,
        "level_changes": list(reversed(streamer.level_changes)),
        # Confirmed for a later day (a promotion from next quarter): not today's level yet.
        "scheduled_levels": services.scheduled_level_changes(streamer),
    }
    if hr_view:
        data |= {
            "date_of_birth": streamer.date_of_birth,
            "id_number": rules.mask(streamer.id_number),
            "bank_account": rules.mask(streamer.bank_account),
            "hr_notes": streamer.hr_notes,
            "login": streamer.user.username if streamer.user else None,
        }
    return data


@bp.get("/<int:streamer_id>")
@login_required
def show(streamer_id: int) -> str:
    # Streamers see themselves in their portal; here every detail page is a 404 to them.
    require(can_view_streamer(current_user, streamer_id))
    streamer = _streamer(streamer_id)
    hr_view = is_staff(current_user)
    context: dict[str, Any] = {"s": _detail(streamer, hr_view=hr_view), "hr_view": hr_view}
    if hr_view:
        # Pay is HR's: trainers see the profile without the appraisals.
        context["appraisals"] = streamer_appraisals(streamer.id)
        mentor_form = forms.MentorForm(mentor_id=str(streamer.mentor_id or ""))
        mentor_form.set_candidates(services.mentor_candidates(streamer))
        context |= {
            "level_form": forms.LevelForm(),
            "leave_form": forms.LeaveForm(),
            "mentor_form": mentor_form,
            "account_form": forms.AccountForm(),
        }
    return render_template("streamers/show.html", **context)


# --- create and edit ---------------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@role_required(*STAFF)
def new() -> Response | tuple[str, int]:
    form = forms.NewStreamerForm()
    if form.validate_on_submit():
        try:
            streamer = services.create_streamer(form.profile(), form.level.data, form.details())
        except ValidationFailed as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(_("%(name)s was added to the roster.", name=streamer.display_name), "success")
            return redirect(url_for(".show", streamer_id=streamer.id))
    return _form_page(form, None)


@bp.route("/<int:streamer_id>/edit", methods=["GET", "POST"])
@role_required(*STAFF)
def edit(streamer_id: int) -> Response | tuple[str, int]:
    streamer = _streamer(streamer_id)
    # The form starts from the profile and notes only: stored ID and bank numbers never
    # travel back to the browser.
    stored = dataclasses.asdict(services.profile_of(streamer)) | {"hr_notes": streamer.hr_notes}
    form = forms.StreamerForm(data=stored)
    if form.validate_on_submit():
        try:
            changed = services.update_streamer(streamer, form.profile(), form.details())
        except ValidationFailed as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(_("Saved.") if changed else _("Nothing was changed."), "success")
            return redirect(url_for(".show", streamer_id=streamer.id))
    return _form_page(form, streamer)


def _form_page(form: forms.StreamerForm, streamer: Streamer | None) -> tuple[str, int]:
    """The create or edit page; a submitted form shown again means it was refused (422)."""
    masked = {
        "id_number": rules.mask(streamer.id_number) if streamer else "",
        "bank_account": rules.mask(streamer.bank_account) if streamer else "",
    }
    page = render_template(
        "streamers/form.html",
        form=form,
        streamer=streamer,
        masked=masked,
        teams=services.teams(),
    )
    return page, 422 if form.is_submitted() else 200


# --- level, leaving, mentor --------------------------------------------------------------------


@bp.post("/<int:streamer_id>/level")
@role_required(*STAFF)
def change_level(streamer_id: int) -> Response:
    streamer, form = _streamer(streamer_id), forms.LevelForm()
    return _act(
        streamer,
        form,
        lambda: services.change_level(
            streamer, form.level.data, form.effective_on.data, form.reason.data
        ),
        _("The level was changed and recorded in the level history."),
    )


@bp.post("/<int:streamer_id>/leave")
@role_required(*STAFF)
def leave(streamer_id: int) -> Response:
    streamer, form = _streamer(streamer_id), forms.LeaveForm()
    return _act(
        streamer,
        form,
        lambda: services.mark_left(streamer, form.left_on.data, form.reason.data or ""),
        _("The streamer is marked as left."),
    )


@bp.post("/<int:streamer_id>/reactivate")
@role_required(*STAFF)
def reactivate(streamer_id: int) -> Response:
    streamer = _streamer(streamer_id)
    return _act(
        streamer,
        FlaskForm(),
        lambda: services.reactivate(streamer),
        _("The streamer is active again."),
    )


@bp.post("/<int:streamer_id>/mentor")
@role_required(*STAFF)
def set_mentor(streamer_id: int) -> Response:
    streamer, form = _streamer(streamer_id), forms.MentorForm()
    form.set_candidates(services.mentor_candidates(streamer))
    return _act(
        streamer,
        form,
        lambda: services.set_mentor(
            streamer,
            _streamer(int(form.mentor_id.data)) if form.mentor_id.data else None,
            form.since.data,
        ),
        _("The mentor was saved."),
    )


# --- platform accounts -------------------------------------------------------------------------


@bp.post("/<int:streamer_id>/accounts")
@role_required(*STAFF)
def add_account(streamer_id: int) -> Response:
    streamer, form = _streamer(streamer_id), forms.AccountForm()
    return _act(
        streamer,
        form,
        lambda: services.add_account(
            streamer, form.platform.data, form.account_id.data, form.nickname.data or ""
        ),
        _("The account was linked."),
    )


@bp.post("/<int:streamer_id>/accounts/<int:account_pk>/nickname")
@role_required(*STAFF)
def rename_account(streamer_id: int, account_pk: int) -> Response:
    streamer, form = _streamer(streamer_id), forms.NicknameForm()
    account = _account(streamer, account_pk)
    return _act(
        streamer,
        form,
        lambda: services.rename_account(account, form.nickname.data or ""),
        _("The nickname was saved."),
    )


@bp.post("/<int:streamer_id>/accounts/<int:account_pk>/move")
@role_required(*STAFF)
def move_account(streamer_id: int, account_pk: int) -> Response:
    streamer, form = _streamer(streamer_id), forms.MoveAccountForm()
    account = _account(streamer, account_pk)
    return _act(
        streamer,
        form,
        lambda: services.move_account(
            account, services.require_by_employee_no(form.employee_no.data)
        ),
        _("The account was moved."),
    )


@bp.post("/<int:streamer_id>/accounts/<int:account_pk>/unlink")
@role_required(*STAFF)
def unlink_account(streamer_id: int, account_pk: int) -> Response:
    streamer = _streamer(streamer_id)
    account = _account(streamer, account_pk)
    return _act(
        streamer,
        FlaskForm(),
        lambda: services.unlink_account(account),
        _("The account no longer belongs to this streamer."),
    )


# --- login -------------------------------------------------------------------------------------


def _login_page(
    streamer: Streamer,
    create_form: forms.CreateLoginForm | None = None,
    link_form: forms.LinkLoginForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    create_form = create_form or forms.CreateLoginForm(
        username=services.default_username(streamer), formdata=None
    )
    return render_template(
        "streamers/login.html",
        s=_detail(streamer, hr_view=True),
        create_form=create_form,
        link_form=link_form or forms.LinkLoginForm(formdata=None),
    ), status


@bp.get("/<int:streamer_id>/login")
@role_required(*STAFF)
def login(streamer_id: int) -> tuple[str, int]:
    return _login_page(_streamer(streamer_id))


@bp.post("/<int:streamer_id>/login/create")
@role_required(*STAFF)
def create_login(streamer_id: int) -> tuple[str, int]:
    streamer, form = _streamer(streamer_id), forms.CreateLoginForm()
    if not form.validate_on_submit():
        return _login_page(streamer, create_form=form, status=422)
    try:
        user, generated = services.create_login(
            streamer, form.username.data, form.password.data or ""
        )
    except ValidationFailed as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _login_page(streamer, create_form=form, status=422)
    db.session.commit()
    # Shown in this response only, never stored in the session or sent again (no redirect).
    return render_template(
        "streamers/login_created.html",
        s=_detail(streamer, hr_view=True),
        user=user,
        password=generated,
    ), 200


@bp.post("/<int:streamer_id>/login/link")
@role_required(*STAFF)
def link_login(streamer_id: int) -> Response | tuple[str, int]:
    streamer, form = _streamer(streamer_id), forms.LinkLoginForm()
    if form.validate_on_submit():
        try:
            user = services.link_login(
                streamer, form.username.data, by=current_user._get_current_object()
            )
        except ValidationFailed as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(_("The login %(name)s is linked.", name=user.username), "success")
            return redirect(url_for(".show", streamer_id=streamer.id))
    return _login_page(streamer, link_form=form, status=422)


# --- import ------------------------------------------------------------------------------------
#
# upload → preview (checked here, or by a background job for a large file) → confirm (imported
# here, or by a job) → the batch's page in the history, where it can be rolled back.


def _large(data: bytes) -> bool:
    """Files over IMPORT_JOB_ROWS rows are checked and imported by a background job, so that no
    request runs into the server's timeout."""
    try:
        rows = len(read_rows(data)) - 1
    except ValidationFailed:
        return False  # the check says why the file cannot be read, at once
    return rows > _job_rows()


def _job_rows() -> int:
    return int(current_app.config.get("IMPORT_JOB_ROWS", JOB_ROWS))


def _start_job(sha256: str, filename: str, *, dry_run: bool, fingerprint: str = "") -> Response:
    options = roster_jobs.payload(sha256, filename, dry_run=dry_run, fingerprint=fingerprint)
    job = jobs.submit(
        roster_jobs.KIND,
        roster_jobs.title(filename, dry_run=dry_run),
        options,
        user_id=current_user.id,
    )
    db.session.commit()
    jobs.start(job)
    return redirect(url_for("jobs.show", job_id=job.id))


def _import_page(
    form: forms.ImportUploadForm, *, status: int = 200, **context: Any
) -> tuple[str, int]:
    history = db.session.scalars(
        select(ImportBatch)
        .where(ImportBatch.kind == ROSTER)
        .order_by(ImportBatch.id.desc())
        .limit(HISTORY_SHOWN)
    ).all()
    context.setdefault("check", None)
    context.setdefault("filename", "")
    context.setdefault("confirm", None)
    return render_template(
        "streamers/import.html",
        form=form,
        history=history,
        column_label=column_label,
        job_rows=_job_rows(),
        **context,
    ), status


def _preview_page(sha256: str, filename: str, check: dict[str, Any]) -> tuple[str, int]:
    """The preview of a checked file; a refused file's upload is not kept."""
    confirm = None
    if check["problems"]:
        batches.remove_upload(ROSTER, sha256)
    elif check["changed"]:
        confirm = forms.ImportConfirmForm(
            token=sha256, fingerprint=check["fingerprint"], filename=filename, formdata=None
        )
    return _import_page(
        forms.ImportUploadForm(formdata=None),
        status=422 if check["problems"] else 200,
        check=check,
        filename=filename,
        confirm=confirm,
        groups=group_problems(check["problems"], column_label),
        warning_groups=group_problems(check["warnings"], column_label),
    )


def _check_now(sha256: str, filename: str, data: bytes) -> tuple[str, int]:
    outcome = import_roster(data, filename, dry_run=True)
    db.session.rollback()  # a check writes nothing; end its transaction
    if outcome.status == "duplicate":
        return _duplicate(sha256, outcome.batch_id)
    return _preview_page(sha256, filename, preview_data(outcome))


def _duplicate(sha256: str, batch_id: int | None) -> Any:
    batches.remove_upload(ROSTER, sha256)
    flash(already_imported_text(batch_id), "info")
    return redirect(url_for(".import_batch", batch_id=batch_id))


@bp.route("/import", methods=["GET", "POST"])
@role_required(*STAFF)
def import_upload() -> Any:
    form = forms.ImportUploadForm()
    if not form.validate_on_submit():
        return _import_page(form, status=422 if form.is_submitted() else 200)
    data = form.file.data.read()
    filename = Path(form.file.data.filename or "roster").name[:200]
    sha256 = batches.store_upload(ROSTER, data)
    if _large(data):
        return _start_job(sha256, filename, dry_run=True)
    return _check_now(sha256, filename, data)


@bp.get("/import/preview/<sha256>")
@role_required(*STAFF)
def import_preview(sha256: str) -> Any:
    """The preview a background job checked (large files)."""
    job = db.session.get(Job, int_arg("job") or 0)
    if job is None or job.kind != roster_jobs.KIND or job.result["payload"]["sha256"] != sha256:
        abort(404)
    if job.status != "done":
        return redirect(url_for("jobs.show", job_id=job.id))
    check: dict[str, Any] = job.result["outcome"]["check"]
    if check["status"] == "duplicate":
        return _duplicate(sha256, check["batch_id"])
    return _preview_page(sha256, job.result["payload"]["filename"], check)


@bp.post("/import/confirm")
@role_required(*STAFF)
def import_confirm() -> Any:
    form = forms.ImportConfirmForm()
    sha256 = form.token.data or ""
    data = batches.read_upload(ROSTER, sha256) if form.validate_on_submit() else None
    if data is None:
        flash(_("The uploaded file is no longer here; please upload it again."), "error")
        return redirect(url_for(".import_upload"))
    filename = form.filename.data or "roster"
    if _large(data):
        return _start_job(sha256, filename, dry_run=False, fingerprint=form.fingerprint.data or "")
    outcome = import_roster(
        data,
        filename,
        user_id=current_user.id,
        expected_fingerprint=form.fingerprint.data or "",
    )
    if outcome.status == "stale":
        db.session.rollback()
        flash(_("The roster changed since the preview. Check the new preview."), "warning")
        return _check_now(sha256, filename, data)
    db.session.commit()
    if outcome.status == "duplicate":
        return _duplicate(sha256, outcome.batch_id)
    batches.remove_upload(ROSTER, sha256)
    if outcome.status == "refused":
        flash(refusal_message(len(outcome.problems)), "error")
        return redirect(url_for(".import_batch", batch_id=outcome.batch_id))
    flash(_("The roster was imported. %(summary)s", summary=str(outcome.summary)), "success")
    if outcome.batch_id is None:  # nothing changed, so no batch
        return redirect(url_for(".index"))
    return redirect(url_for(".import_batch", batch_id=outcome.batch_id))


def _roster_batch(batch_id: int) -> ImportBatch:
    try:
        return roster_batch(batch_id)
    except NotFound:
        abort(404)


@bp.get("/import/batches/<int:batch_id>")
@role_required(*STAFF)
def import_batch(batch_id: int) -> str:
    batch = _roster_batch(batch_id)
    return render_template(
        "streamers/import_batch.html",
        batch=batch,
        groups=group_problems(batch.report, column_label),
        form=forms.ImportRollbackForm(),
    )


@bp.post("/import/batches/<int:batch_id>/rollback")
@role_required(*STAFF)
def import_rollback(batch_id: int) -> Response:
    _roster_batch(batch_id)
    form = forms.ImportRollbackForm()
    if not form.validate_on_submit() or not form.confirm.data:
        flash(
            _(
                "Nothing was rolled back: tick the box that confirms what the rollback removes, "
                "then roll back again."
            ),
            "error",
        )
        return redirect(url_for(".import_batch", batch_id=batch_id))
    try:
        result = rollback_roster_batch(batch_id)
    except (Conflict, Locked) as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".import_batch", batch_id=batch_id))
    db.session.commit()
    flash(
        ngettext(
            "Roster import rolled back: %(num)d streamer removed, %(restored)d restored.",
            "Roster import rolled back: %(num)d streamers removed, %(restored)d restored.",
            result.removed,
            restored=result.restored,
        ),
        "success",
    )
    return redirect(url_for(".import_batch", batch_id=batch_id))
