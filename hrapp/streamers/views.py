"""The roster pages: list, detail, create and edit, level, leaving, mentor, accounts, login, import.

HR and administrators change the roster; trainers may look at the list and the detail pages but
never see HR notes, ID or bank numbers; streamers have their own portal and get 403 on the list
and 404 on every detail page, their own included.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    abort,
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
from hrapp.core.errors import ValidationFailed
from hrapp.extensions import db
from hrapp.intake import flow
from hrapp.streamers import forms, rules, services
from hrapp.streamers import jobs as roster_jobs
from hrapp.streamers.models import PlatformAccount, Streamer
from hrapp.streamers.roster_batches import RosterOutcome, RosterRollback, rollback_roster_batch
from hrapp.streamers.roster_import import column_label, read_rows, refusal_message

bp = Blueprint("streamers", __name__, url_prefix="/streamers")
PER_PAGE = 25
# Above this many rows a file is checked and imported by a background job. Lower than the
# other imports' 2,000: every streamer goes through the roster's services one by one (checked,
# audited; some 20-40 ms each) and the preview rehearses the whole import, so a few hundred
# rows already approach the web server's 30-second timeout.
JOB_ROWS = 200


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
# upload → preview → confirm → the batch's page in the history → rollback, written once in
# `hrapp.intake.flow`: here are what the roster import is to that flow, and its endpoints.


def _data_rows(_filename: str, data: bytes) -> int:
    return len(read_rows(data)) - 1  # the header is a row of the file


def _imported_text(outcome: RosterOutcome) -> str:
    return _("The roster was imported. %(summary)s", summary=str(outcome.summary))


def _rolled_back_text(result: RosterRollback) -> str:
    return ngettext(
        "Roster import rolled back: %(num)d streamer removed, %(restored)d restored.",
        "Roster import rolled back: %(num)d streamers removed, %(restored)d restored.",
        result.removed,
        restored=result.restored,
    )


def _rollback_consent(created: int) -> str:
    return ngettext(
        "I understand that the %(num)d streamer this import created is removed and the "
        "streamers it changed are put back as they were.",
        "I understand that the %(num)d streamers this import created are removed and the "
        "streamers it changed are put back as they were.",
        created,
    )


IMPORT = flow.ImportKind(
    job=roster_jobs.ROSTER,
    job_kind=roster_jobs.KIND,
    job_rows=JOB_ROWS,
    count_rows=_data_rows,
    upload_form=forms.ImportUploadForm,
    upload_page="streamers/import.html",
    default_filename="roster",
    column_label=column_label,
    has_changes=lambda check: bool(check["changed"]),
    done_endpoint="streamers.index",
    rollback_endpoint="streamers.import_rollback",
    roll_back=rollback_roster_batch,
    stale_text=lambda: _("The roster changed since the preview. Check the new preview."),
    refused_text=refusal_message,
    imported_text=_imported_text,
    rolled_back_text=_rolled_back_text,
    batch_title=lambda batch_id: _("Roster import %(id)d", id=batch_id),
    upload_link=lambda: _("Import a roster file"),
    rollback_consent=_rollback_consent,
)


@bp.route("/import", methods=["GET", "POST"])
@role_required(*STAFF)
def import_upload() -> Any:
    return flow.upload(IMPORT)


@bp.get("/import/preview/<sha256>")
@role_required(*STAFF)
def import_preview(sha256: str) -> Any:
    return flow.preview(IMPORT, sha256)


@bp.post("/import/confirm")
@role_required(*STAFF)
def import_confirm() -> Any:
    return flow.confirm(IMPORT)


@bp.get("/import/batches/<int:batch_id>")
@role_required(*STAFF)
def import_batch(batch_id: int) -> str:
    return flow.batch_page(IMPORT, batch_id)


@bp.post("/import/batches/<int:batch_id>/rollback")
@role_required(*STAFF)
def import_rollback(batch_id: int) -> Response:
    return flow.rollback(IMPORT, batch_id)
