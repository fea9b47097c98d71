"""The trainer's workspace, a streamer's own training page and a mentor's view of mentees.

Trainers, HR and admin use every staff page; only HR and admin assign mentors. A streamer sees
their own training (`/training/me`) and, as a mentor, their mentees' progress — never pay.
"""

from __future__ import annotations

import datetime as dt
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
from flask_login import current_user
from sqlalchemy import case, func, select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from hrapp.auth.models import Role, User
from hrapp.auth.permissions import (
    TRAINING_STAFF,
    can_change_training_record,
    can_view_training,
    is_staff,
    require,
    role_required,
)
from hrapp.core.audit import AuditEntry
from hrapp.core.errors import DomainError, ValidationFailed
from hrapp.core.params import day_arg, int_arg
from hrapp.core.timeutil import org_today
from hrapp.extensions import db
from hrapp.i18n import localized
from hrapp.intake import flow
from hrapp.streamers import services as roster_services
from hrapp.streamers.models import Level, Streamer
from hrapp.training import charts, services
from hrapp.training import jobs as training_jobs
from hrapp.training.batches import TrainingOutcome, column_label, rollback_training_batch
from hrapp.training.curriculum import STEP_LABELS
from hrapp.training.forms import (
    ClassForm,
    CorrectForm,
    ImportForm,
    MentorForm,
    ModuleForm,
    RecordForm,
    VoidForm,
    rubric_from,
    rubric_text,
    scores_from,
)
from hrapp.training.imports import read_rows
from hrapp.training.models import Module, TrainingClass, TrainingRecord
from hrapp.training.status import ModuleStatus

bp = Blueprint("training", __name__, url_prefix="/training")
staff_only = role_required(*TRAINING_STAFF)
PER_PAGE = 50
RECENT_DAYS = 30


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "status_labels": charts.status_labels(),
        "step_labels": STEP_LABELS,
    }


def _refused(exc: DomainError) -> list[str]:
    """Undo the failed change and say why; returns the problems to list on the page."""
    db.session.rollback()
    flash(exc.message, "error")
    return list(getattr(exc, "problems", []))


def _current_user() -> User:
    return current_user._get_current_object()


# --- overview -----------------------------------------------------------------------------------


def _module_labels() -> dict[str, str]:
    return {
        m.code: f"{m.code} {localized(m.title_zh, m.title_en)}" for m in services.list_modules()
    }


@bp.get("/")
@staff_only
def index() -> str:
    today = org_today()
    labels = _module_labels()
    by_module = {labels[code]: row for code, row in services.completion_by_module(today).items()}
    recent = db.session.scalars(
        select(TrainingClass)
        .order_by(TrainingClass.held_on.desc(), TrainingClass.id.desc())
        .limit(5)
    ).all()
    return render_template(
        "training/index.html",
        expiring=services.expiring_certifications(today),
        records_recent=services.count_records_since(today - dt.timedelta(days=RECENT_DAYS)),
        module_count=len(services.list_modules(active_only=True)),
        module_chart=charts.stacked_status_chart(_("Completion per module"), by_module),
        team_chart=charts.stacked_status_chart(
            _("Modules required for the next step, per team"), services.completion_by_team(today)
        ),
        recent_classes=recent,
        today=today,
    )


# --- curriculum ---------------------------------------------------------------------------------


@bp.get("/modules")
@staff_only
def modules() -> str:
    return render_template(
        "training/modules.html",
        modules=services.list_modules(),
        required_by=services.steps_requiring(),
    )


def _module_form_page(form: ModuleForm, module: Module | None, status: int = 200) -> Any:
    return render_template("training/module_form.html", form=form, module=module), status


@bp.route("/modules/new", methods=["GET", "POST"])
@staff_only
def new_module() -> Any:
    return _save_module_page(None)


@bp.route("/modules/<int:module_id>", methods=["GET", "POST"])
@staff_only
def edit_module(module_id: int) -> Any:
    return _save_module_page(db.get_or_404(Module, module_id))


def _save_module_page(module: Module | None) -> Any:
    form = ModuleForm(obj=module, rubric_lines=rubric_text(module.rubric) if module else "")
    if not form.validate_on_submit():
        return _module_form_page(form, module, 422 if request.method == "POST" else 200)
    try:
        saved = services.save_module(module, form.values())
    except DomainError as exc:
        _refused(exc)
        return _module_form_page(form, module, exc.status_code)
    db.session.commit()
    flash(_("Module %(code)s saved.", code=saved.code), "success")
    return redirect(url_for(".modules"))


# --- logging ------------------------------------------------------------------------------------


def _streamer_choices() -> list[SelectChoice]:
    # No streamer is preselected: a record logged for the wrong person is worse than a click.
    return [SelectChoice(0, _("— choose —"))] + [
        SelectChoice(s.id, f"{s.employee_no} · {s.display_name}")
        for s in services.active_streamers()
    ]


def _trainer_choices() -> list[SelectChoice]:
    me = _current_user()
    others = [u for u in services.trainer_accounts() if u.id != me.id]
    return [SelectChoice(u.id, u.display_name or u.username) for u in [me, *others]]


def _chosen_module() -> Module | None:
    module_id = int_arg("module")
    module = db.session.get(Module, module_id) if module_id else None
    return module if module is not None and module.active else None


def _trainer(form: RecordForm | ClassForm) -> User | None:
    return db.session.get(User, form.trainer_id.data)


@bp.route("/records/new", methods=["GET", "POST"])
@staff_only
def new_record() -> Any:
    module = _chosen_module()
    form = RecordForm()
    form.streamer_id.choices = _streamer_choices()
    form.trainer_id.choices = _trainer_choices()
    if request.method == "GET":
        form.streamer_id.data = int_arg("streamer")
        form.completed_on.data = day_arg("day", form.completed_on.label.text) or org_today()
        form.trainer_id.data = current_user.id
    problems: list[str] = []
    status = 422 if request.method == "POST" else 200
    if module is not None and form.validate_on_submit():
        streamer = db.session.get(Streamer, form.streamer_id.data)
        try:
            entered = services.ScoreInput(form.score.data, rubric_from(request.form, module.rubric))
            record = services.log_record(
                streamer,
                module,
                form.completed_on.data,
                entered,
                notes=form.notes.data or "",
                trainer=_trainer(form),
                by=_current_user(),
            )
        except DomainError as exc:
            problems, status = _refused(exc), exc.status_code
        else:
            db.session.commit()
            flash(
                _(
                    "Saved: %(name)s, %(code)s, %(result)s.",
                    name=record.streamer.display_name,
                    code=module.code,
                    result=_("passed") if record.passed else _("not passed"),
                ),
                "success",
            )
            day = record.completed_on.isoformat()
            return redirect(url_for(".new_record", module=module.id, day=day))
    return render_template(
        "training/record_form.html",
        form=form,
        module=module,
        modules=services.list_modules(active_only=True),
        problems=problems,
    ), status


@bp.route("/classes/new", methods=["GET", "POST"])
@staff_only
def new_class() -> Any:
    module = _chosen_module()
    team = request.args.get("team", "")
    roster = [s for s in services.active_streamers() if not team or s.team == team]
    form = ClassForm()
    form.trainer_id.choices = _trainer_choices()
    if request.method == "GET":
        form.held_on.data = org_today()
        form.trainer_id.data = current_user.id
    problems: list[str] = []
    status = 422 if request.method == "POST" else 200
    if module is not None and form.validate_on_submit():
        try:
            training_class = services.log_class(
                module,
                form.held_on.data,
                _attendees(),
                trainer=_trainer(form),
                notes=form.notes.data or "",
                by=_current_user(),
            )
        except DomainError as exc:
            problems, status = _refused(exc), exc.status_code
        else:
            db.session.commit()
            flash(_("Class saved with %(n)d attendees.", n=len(training_class.records)), "success")
            return redirect(url_for(".show_class", class_id=training_class.id))
    return render_template(
        "training/class_form.html",
        form=form,
        module=module,
        modules=services.list_modules(active_only=True),
        roster=roster,
        teams=roster_services.teams(active_only=True),
        team=team,
        chosen={int(v) for v in request.form.getlist("attendee") if v.isdigit()},
        problems=problems,
    ), status


def _attendees() -> list[services.Attendee]:
    """The ticked attendees with their scores.

    Ids that are not active streamers are refused, and so is a score typed for someone not
    ticked: dropping it silently would lose what the trainer entered.
    """
    ids = sorted({int(v) for v in request.form.getlist("attendee") if v.isdigit()})
    found = {
        s.id: s
        for s in db.session.scalars(
            select(Streamer).where(Streamer.id.in_(ids), Streamer.status == "active")
        )
    }
    if len(found) != len(ids):
        raise DomainError(_("Some attendees are not on the active roster."))
    ticked = {str(i) for i in ids}
    unticked = [
        int(key)
        for name, value in request.form.items()
        if name.startswith("score-") and value.strip()
        for key in [name.removeprefix("score-")]
        if key.isdigit() and key not in ticked
    ]
    if unticked:
        names = db.session.scalars(select(Streamer.legal_name).where(Streamer.id.in_(unticked)))
        problems = [
            _("%(name)s has a score but is not ticked as attending.", name=n) for n in names
        ]
        raise ValidationFailed(" ".join(problems), problems)
    scores = scores_from(request.form, ids, {sid: s.display_name for sid, s in found.items()})
    return [services.Attendee(found[sid], scores[sid]) for sid in ids]


@bp.get("/classes")
@staff_only
def classes() -> str:
    query = select(TrainingClass).order_by(TrainingClass.held_on.desc(), TrainingClass.id.desc())
    if module := _chosen_module():
        query = query.where(TrainingClass.module_id == module.id)
    page = db.paginate(query, per_page=PER_PAGE, error_out=False)
    return render_template(
        "training/classes.html",
        page=page,
        counts=_class_counts([c.id for c in page.items]),
        modules=services.list_modules(),
        module=module,
    )


def _class_counts(class_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(attendees, passed) per class, voided records left out."""
    rows = db.session.execute(
        select(
            TrainingRecord.class_id,
            func.count(),
            func.sum(case((TrainingRecord.passed.is_(True), 1), else_=0)),
        )
        .where(TrainingRecord.class_id.in_(class_ids), TrainingRecord.voided_at.is_(None))
        .group_by(TrainingRecord.class_id)
    )
    return {class_id: (count, int(passed or 0)) for class_id, count, passed in rows}


@bp.get("/classes/<int:class_id>")
@staff_only
def show_class(class_id: int) -> str:
    training_class = db.get_or_404(TrainingClass, class_id)
    return render_template("training/class.html", training_class=training_class)


# --- one record: detail, correction, void ------------------------------------------------------


def _record_page(
    record: TrainingRecord,
    correct_form: CorrectForm | None = None,
    void_form: VoidForm | None = None,
) -> str:
    if correct_form is None:
        correct_form = CorrectForm(
            data={
                "completed_on": record.completed_on,
                "score": record.score,
                "notes": record.notes,
                "version": services.record_version(record),
            }
        )
    history = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity_type == "training_record", AuditEntry.entity_id == str(record.id))
        .order_by(AuditEntry.at, AuditEntry.id)
    ).all()
    return render_template(
        "training/record.html",
        record=record,
        correct_form=correct_form,
        void_form=void_form or VoidForm(formdata=None),
        history=history,
        can_change=can_change_training_record(_current_user(), record),
    )


def _changeable_record(record_id: int) -> TrainingRecord:
    """The record, if the user may correct or void it: a trainer's own, or any for HR."""
    record = db.get_or_404(TrainingRecord, record_id)
    if not can_change_training_record(_current_user(), record):
        abort(403)
    return record


@bp.get("/records/<int:record_id>")
@staff_only
def show_record(record_id: int) -> str:
    return _record_page(db.get_or_404(TrainingRecord, record_id))


@bp.post("/records/<int:record_id>/correct")
@staff_only
def correct_record(record_id: int) -> Any:
    record = _changeable_record(record_id)
    form = CorrectForm()
    if not form.validate():
        return _record_page(record, form), 422
    try:
        services.correct_record(
            record,
            completed_on=form.completed_on.data,
            entered=services.ScoreInput(
                form.score.data, rubric_from(request.form, record.module.rubric)
            ),
            notes=form.notes.data or "",
            reason=form.reason.data or "",
            version=form.version.data or None,
        )
    except DomainError as exc:
        _refused(exc)
        return _record_page(record, form), exc.status_code
    db.session.commit()
    flash(_("The record was corrected."), "success")
    return redirect(url_for(".show_record", record_id=record.id))


@bp.post("/records/<int:record_id>/void")
@staff_only
def void_record(record_id: int) -> Any:
    record = _changeable_record(record_id)
    form = VoidForm()
    if not form.validate():
        return _record_page(record, void_form=form), 422
    try:
        services.void_record(record, form.reason.data or "", by=_current_user())
    except DomainError as exc:
        _refused(exc)
        return _record_page(record, void_form=form), exc.status_code
    db.session.commit()
    flash(_("The record was voided. It stays visible but no longer counts."), "success")
    return redirect(url_for(".show_record", record_id=record.id))


# --- streamers, mentors -------------------------------------------------------------------------


@bp.get("/streamers")
@staff_only
def streamers() -> str:
    args = request.args
    query = select(Streamer).where(Streamer.status == "active").order_by(Streamer.employee_no)
    if team := args.get("team", ""):
        query = query.where(Streamer.team == team)
    if (level := args.get("level", "")) in {lv.value for lv in Level}:
        query = query.where(Streamer.level == level)
    if text := args.get("q", "").strip():
        like = f"%{text}%"
        query = query.where(
            Streamer.employee_no.ilike(like)
            | Streamer.legal_name.ilike(like)
            | Streamer.stage_name.ilike(like)
        )
    page = db.paginate(query, per_page=PER_PAGE, error_out=False)
    matrix = services.status_matrix(page.items, services.required_for_streamer(), org_today())
    rows = [(s, services.next_step(s), matrix[s.id]) for s in page.items]
    return render_template(
        "training/streamers.html",
        page=page,
        rows=rows,
        teams=roster_services.teams(active_only=True),
        args=args,
    )


def _transcript(streamer: Streamer) -> dict[str, Any]:
    """What a streamer's training page shows: next step, its modules, every record."""
    today = org_today()
    records = db.session.scalars(
        select(TrainingRecord)
        .where(TrainingRecord.streamer_id == streamer.id)
        .order_by(TrainingRecord.completed_on.desc(), TrainingRecord.id.desc())
    ).all()
    return {
        "streamer": streamer,
        "step": services.next_step(streamer),
        "required": services.module_status(streamer, today),
        "records": records,
        "mentee_rows": _mentee_rows(streamer, today),
        "today": today,
    }


def _mentee_rows(mentor: Streamer, today: dt.date) -> list[tuple[Streamer, list[ModuleStatus]]]:
    mentees = services.mentees(mentor)
    matrix = services.status_matrix(mentees, services.required_for_streamer(), today)
    return [(m, matrix[m.id]) for m in mentees]


@bp.get("/streamers/<int:streamer_id>")
@staff_only
def streamer(streamer_id: int) -> str:
    streamer = db.get_or_404(Streamer, streamer_id)
    form = MentorForm(formdata=None, mentor_id=streamer.mentor_id or 0)
    form.mentor_id.choices = _mentor_choices(streamer)
    return render_template(
        "training/streamer.html",
        mentor_form=form,
        can_assign_mentor=is_staff(current_user),
        mentee_passes=services.mentee_passes(streamer.id),
        mentee_module=services.mentee_module(),
        **_transcript(streamer),
    )


def _mentor_choices(mentee: Streamer) -> list[SelectChoice]:
    return [SelectChoice(0, _("— no mentor —"))] + [
        SelectChoice(s.id, f"{s.employee_no} · {s.display_name}")
        for s in roster_services.mentor_candidates(mentee)
    ]


@bp.post("/streamers/<int:streamer_id>/mentor")
@role_required(Role.HR, Role.ADMIN)
def assign_mentor(streamer_id: int) -> Response:
    mentee = db.get_or_404(Streamer, streamer_id)
    form = MentorForm()
    form.mentor_id.choices = _mentor_choices(mentee)
    try:
        if not form.validate():
            raise DomainError(_("Choose a mentor from the list."))
        mentor = db.session.get(Streamer, form.mentor_id.data) if form.mentor_id.data else None
        roster_services.set_mentor(mentee, mentor)
    except DomainError as exc:
        _refused(exc)
    else:
        db.session.commit()
        flash(_("Mentor saved."), "success")
    return redirect(url_for(".streamer", streamer_id=mentee.id))


# --- a streamer's own page ---------------------------------------------------------------------


def _own_streamer() -> Streamer:
    streamer = current_user.streamer
    require(streamer is not None)
    return streamer


@bp.get("/me")
@role_required(Role.STREAMER)
def me() -> str:
    return render_template("training/me.html", **_transcript(_own_streamer()))


@bp.get("/me/mentees/<int:streamer_id>")
@role_required(Role.STREAMER)
def mentee(streamer_id: int) -> str:
    _own_streamer()
    mentee = db.session.get(Streamer, streamer_id)
    require(mentee is not None and can_view_training(current_user, mentee))
    return render_template("training/mentee.html", **_transcript(mentee))


# --- import ---------------------------------------------------------------------------------
#
# upload → preview → confirm → the batch's page in the history → rollback, written once in
# `hrapp.intake.flow`: here are what the training import is to that flow, and its endpoints.

JOB_ROWS = 2_000  # above this many rows a file is checked and imported by a background job


def _data_rows(filename: str, data: bytes) -> int:
    return len(read_rows(filename, data))


def _refused_text(problems: int) -> str:
    return ngettext(
        "The training file was refused: %(num)d problem. Nothing was imported.",
        "The training file was refused: %(num)d problems. Nothing was imported.",
        problems,
    )


def _imported_text(outcome: TrainingOutcome) -> str:
    return _(
        "%(total)d rows read: %(inserted)d new records, %(unchanged)d already recorded.",
        total=outcome.total,
        inserted=outcome.inserted,
        unchanged=outcome.unchanged,
    )


def _rollback_consent(added: int) -> str:
    return ngettext(
        "I understand that the %(num)d training record this import added is removed.",
        "I understand that the %(num)d training records this import added are removed.",
        added,
    )


IMPORT = flow.ImportKind(
    job=training_jobs.TRAINING,
    job_kind=training_jobs.KIND,
    job_rows=JOB_ROWS,
    count_rows=_data_rows,
    upload_form=ImportForm,
    upload_page="training/import.html",
    default_filename="upload.csv",
    column_label=column_label,
    has_changes=lambda check: bool(check["inserted"]),
    done_endpoint="training.import_file",
    rollback_endpoint="training.import_rollback",
    roll_back=rollback_training_batch,
    stale_text=lambda: _("The records changed since the preview. Check the new preview."),
    refused_text=_refused_text,
    imported_text=_imported_text,
    rolled_back_text=lambda removed: _(
        "Training import rolled back: %(n)d records removed.", n=removed
    ),
    batch_title=lambda batch_id: _("Training import %(id)d", id=batch_id),
    upload_link=lambda: _("Import training records"),
    rollback_consent=_rollback_consent,
)


@bp.route("/import", methods=["GET", "POST"])
@staff_only
def import_file() -> Any:
    return flow.upload(IMPORT)


@bp.get("/import/preview/<sha256>")
@staff_only
def import_preview(sha256: str) -> Any:
    return flow.preview(IMPORT, sha256)


@bp.post("/import/confirm")
@staff_only
def import_confirm() -> Any:
    return flow.confirm(IMPORT)


@bp.get("/import/batches/<int:batch_id>")
@staff_only
def import_batch(batch_id: int) -> str:
    return flow.batch_page(IMPORT, batch_id)


@bp.post("/import/batches/<int:batch_id>/rollback")
@staff_only
def import_rollback(batch_id: int) -> Response:
    return flow.rollback(IMPORT, batch_id)
