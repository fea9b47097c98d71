"""HR's appraisal pages: cycles (create, run as a background job, export), a cycle's table of
appraisals, one appraisal with its explanation, scheme versions (edit, upload, compare) and the
what-if calculator. HR and admin only; everything else answers 403, unknown objects 404.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

import scoring
from hrapp.appraisals import review, schemes, services
from hrapp.appraisals.charts import attainment_chart, grade_chart
from hrapp.appraisals.closing_forms import closing_context
from hrapp.appraisals.export import FORMATS as EXPORT_FORMATS
from hrapp.appraisals.export import LANGUAGES as EXPORT_LANGUAGES
from hrapp.appraisals.export import MIME_TYPES as EXPORT_MIME_TYPES
from hrapp.appraisals.export import content_disposition, export, export_filename
from hrapp.appraisals.forms import CycleForm, SchemeEditForm, SchemeUploadForm, WhatIfForm
from hrapp.appraisals.jobs import KIND, PREVIEW_KIND, payload, preview_title, title
from hrapp.appraisals.models import Appraisal, AppraisalCycle
from hrapp.appraisals.reasons import multiplier_text, not_graded_text
from hrapp.appraisals.scheme_form import (
    SECTIONS,
    SchemeProblem,
    apply_form,
    problems_by_field,
    scheme_fields,
    scheme_problems,
    shown_changes,
)
from hrapp.appraisals.scheme_view import level_name, scheme_name, scheme_view
from hrapp.appraisals.sheet import CRITERION_LABELS, appraisal_sheet, metric_labels
from hrapp.auth.models import Role
from hrapp.auth.permissions import role_required
from hrapp.core.errors import Conflict, NotFound, ValidationFailed
from hrapp.core.params import int_arg
from hrapp.extensions import db
from hrapp.jobs import services as jobs
from hrapp.jobs.models import Job
from hrapp.streamers.models import Streamer
from hrapp.training.services import module_rules
from scoring import to_toml

bp = Blueprint("appraisals", __name__, url_prefix="/appraisals")
# The commission statement macro words each multiplier as every other reader does.
bp.add_app_template_global(multiplier_text)
bp.add_app_template_filter(scheme_name, "scheme_name")
staff_only = role_required(Role.HR, Role.ADMIN)
PER_PAGE = 100
PREVIEW_ROWS_SHOWN = 1_000  # a re-run after a big import may change every appraisal
SORTS = {
    "employee_no": Streamer.employee_no,
    "name": Streamer.legal_name,
    "team": Appraisal.team,
    "level": Appraisal.level,
    "score": Appraisal.score,
    "grade": Appraisal.grade,
    "net_gmv": Appraisal.net_gmv_fen,
    "commission": Appraisal.commission_fen,
    "payable": Appraisal.payable_fen,
    "eligible": Appraisal.promotion_eligible,
}
MAX_SCHEME_BYTES = 256 * 1024


# --- cycles -----------------------------------------------------------------------------------


def _index_page(form: CycleForm, status: int = 200) -> tuple[str, int]:
    version = schemes.active_version()
    return (
        render_template(
            "appraisals/index.html", form=form, cycles=services.list_cycles(), scheme=version
        ),
        status,
    )


@bp.get("/")
@staff_only
def index() -> tuple[str, int]:
    return _index_page(CycleForm())


@bp.post("/cycles")
@staff_only
def create_cycle() -> Response | tuple[str, int]:
    form = CycleForm()
    if not form.validate_on_submit():
        return _index_page(form, 422)
    try:
        cycle = services.create_cycle(form.code.data or "")
    except (ValidationFailed, Conflict) as exc:
        db.session.rollback()
        form.code.errors = [exc.message]
        return _index_page(form, 422)
    db.session.commit()
    flash(
        _("Cycle %(code)s created. Run it to compute the appraisals.", code=cycle.code), "success"
    )
    return redirect(url_for(".cycle", code=cycle.code))


def _sorted(query: Select[Any]) -> tuple[Select[Any], str, str]:
    sort = request.args.get("sort", "employee_no")
    direction = request.args.get("dir", "asc")
    if sort not in SORTS:
        sort = "employee_no"
    if direction not in ("asc", "desc"):
        direction = "asc"
    column = SORTS[sort]
    ordered = column.desc() if direction == "desc" else column.asc()
    # Unknown amounts and not-graded rows come last either way, not first when descending.
    return query.order_by(ordered.nulls_last(), Streamer.employee_no), sort, direction


def _summary(cycle: AppraisalCycle, grades: list[tuple[str | None, int]]) -> dict[str, Any]:
    """Tiles of the cycle page: counts, grade distribution and totals."""
    return {**services.cycle_totals(cycle.id), "grades": grades}


def _row(appraisal: Appraisal, cycle: AppraisalCycle) -> dict[str, Any]:
    return {
        "id": appraisal.id,
        "streamer_id": appraisal.streamer_id,
        "employee_no": appraisal.streamer.employee_no,
        "name": appraisal.streamer.display_name,
        "team": appraisal.team,
        "level": appraisal.level,
        "category": appraisal.category,
        "score": appraisal.score,
        "grade": appraisal.grade,
        "net_gmv_fen": appraisal.net_gmv_fen,
        "commission_fen": appraisal.commission_fen,
        "payable_fen": appraisal.payable_fen,
        "eligible": appraisal.promotion_eligible,
        "not_graded": appraisal.not_graded,
        "data_incomplete": appraisal.data_incomplete,
        "disputed": appraisal.disputed_at is not None,
        "status": appraisal.status,
        "sessions_args": review.sessions_args(
            appraisal.streamer.employee_no, cycle.starts_on, cycle.ends_on
        ),
    }


@bp.get("/cycles/<code>")
@staff_only
def cycle(code: str) -> str:
    """The review table: filters and search from the query string, sorted and paged by the
    database, with the totals per team and the grade distribution against the scheme's limits."""
    found = services.cycle_by_code(code)
    choices = review.filter_choices(found)
    wanted = review.read_filter(request.args, choices)
    query, sort, direction = _sorted(review.review_query(found.id, wanted))
    page = db.paginate(query, per_page=PER_PAGE, error_out=False)
    distribution = review.grade_distribution(found)
    return render_template(
        "appraisals/cycle.html",
        cycle=found,
        summary=_summary(found, distribution["counts"]),
        rows=[_row(a, found) for a in page.items],
        page=page,
        sort=sort,
        direction=direction,
        choices=choices,
        wanted=wanted,
        totals=review.totals(found.id, wanted),
        distribution=distribution,
        grade_chart=grade_chart(distribution["counts"], distribution["over"])
        if distribution["counts"]
        else None,
        stale=review.stale_notice(found),
    )


@bp.post("/cycles/<code>/run")
@staff_only
def run_cycle(code: str) -> Response:
    """A first run runs at once. A re-run first computes what it would change (a preview
    job whose page asks to apply it); applying posts the preview's fingerprint, and the run
    refuses if the changes are no longer those."""
    found = services.cycle_by_code(code)
    if found.status == "finalized":
        flash(
            _(
                "Cycle %(code)s is finalized: its appraisals can no longer be recomputed.",
                code=code,
            ),
            "error",
        )
        return redirect(url_for(".cycle", code=found.code))
    expected = request.form.get("fingerprint") or None
    if found.last_run_at is not None and expected is None:
        job = jobs.submit(
            PREVIEW_KIND, preview_title(found), payload(found), user_id=current_user.id
        )
    else:
        job = jobs.submit(KIND, title(found), payload(found, expected), user_id=current_user.id)
    db.session.commit()
    jobs.start(job)
    return redirect(url_for("jobs.show", job_id=job.id))


@bp.get("/cycles/<code>/changes/<int:job_id>")
@staff_only
def run_preview(code: str, job_id: int) -> str:
    """What a re-run would change, from its preview job, with the button that applies it."""
    found = services.cycle_by_code(code)
    job = db.session.get(Job, job_id)
    outcome = (job.result or {}).get("outcome") if job is not None else None
    if job is None or job.kind != PREVIEW_KIND or not outcome or "preview" not in outcome:
        abort(404)
    preview = outcome["preview"]
    if preview["cycle"] != found.code:
        abort(404)
    return render_template(
        "appraisals/run_preview.html",
        cycle=found,
        preview=preview,
        shown=preview["changes"][:PREVIEW_ROWS_SHOWN],
        job=job,
    )


@bp.post("/cycles/<code>/export")
@staff_only
def export_cycle(code: str) -> Response:
    """Download the payroll export: `format` csv (default) or xlsx, `lang` zh (default) or en
    for the XLSX header; a draft's file name says 草稿 / draft."""
    found = services.cycle_by_code(code)
    file_format = request.form.get("format") or "csv"
    lang = request.form.get("lang") or "zh"
    if file_format not in EXPORT_FORMATS or lang not in EXPORT_LANGUAGES:
        abort(400)
    data = export(found, file_format, lang)
    db.session.commit()
    return Response(
        data,
        mimetype=EXPORT_MIME_TYPES[file_format],
        headers={
            "Content-Disposition": content_disposition(export_filename(found, file_format, lang))
        },
    )


@bp.get("/<int:appraisal_id>")
@staff_only
def appraisal(appraisal_id: int) -> tuple[str, int]:
    return appraisal_page(appraisal_or_404(appraisal_id))


def appraisal_or_404(appraisal_id: int) -> Appraisal:
    found = db.session.scalar(
        select(Appraisal)
        .where(Appraisal.id == appraisal_id)
        .options(selectinload(Appraisal.adjustments))
        .execution_options(populate_existing=True)
    )
    if found is None:
        raise NotFound(_("There is no such appraisal."))
    return found


def appraisal_page(
    found: Appraisal,
    forms: dict[str, FlaskForm] | None = None,
    status: int = 200,
    conflict: bool = False,
) -> tuple[str, int]:
    """The appraisal page; `forms` are closing forms a user submitted and must see again."""
    sheet = appraisal_sheet(found)
    labels = metric_labels()
    return render_template(
        "appraisals/appraisal.html",
        sheet=sheet,
        metric_labels=labels,
        criterion_labels=CRITERION_LABELS,
        chart=attainment_chart(sheet["metrics"], labels) if sheet["metrics"] else None,
        **closing_context(found, forms, conflict),
    ), status


# --- schemes ----------------------------------------------------------------------------------


def _schemes_page(
    form: SchemeUploadForm, problems: list[SchemeProblem], status: int = 200
) -> tuple[str, int]:
    versions = schemes.list_versions()
    return (
        render_template(
            "appraisals/schemes.html",
            versions=versions,
            source_labels=schemes.SOURCE_LABELS,
            stored=versions[0].id is not None,
            form=form,
            problems=problems,
        ),
        status,
    )


@bp.get("/schemes")
@staff_only
def schemes_index() -> tuple[str, int]:
    return _schemes_page(SchemeUploadForm(), [])


@bp.get("/schemes/<int:version>")
@staff_only
def scheme(version: int) -> str:
    found = schemes.get_version(version)
    return render_template(
        "appraisals/scheme.html",
        version=found,
        rules=scheme_view(scoring.load_scheme(found.toml), module_rules()),
        source_labels=schemes.SOURCE_LABELS,
        active=schemes.active_version().version == found.version,
        metric_labels=metric_labels(),
        criterion_labels=CRITERION_LABELS,
    )


@bp.get("/schemes/<int:version>.toml")
@staff_only
def scheme_toml(version: int) -> Response:
    found = schemes.get_version(version)
    filename = f"scheme-v{found.version}.toml"
    return Response(
        found.toml,
        mimetype="application/toml",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _uploaded_text(form: SchemeUploadForm) -> str:
    """The document from the file, else from the text box; ValidationFailed when unreadable."""
    upload = form.file.data
    if upload and getattr(upload, "filename", ""):
        data = upload.read(MAX_SCHEME_BYTES + 1)
        if len(data) > MAX_SCHEME_BYTES:
            raise ValidationFailed(_("A scheme document is at most 256 KB."))
        try:
            return str(data.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise ValidationFailed(_("The file is not UTF-8 text.")) from None
    text = (form.toml.data or "").strip()
    if not text:
        raise ValidationFailed(_("Choose a TOML file or paste the document."))
    return text


@bp.post("/schemes/upload")
@staff_only
def upload_scheme() -> Response | tuple[str, int]:
    form = SchemeUploadForm()
    if not form.validate_on_submit():
        return _schemes_page(form, [], 422)
    try:
        version = schemes.save_scheme(
            _uploaded_text(form),
            note=form.note.data or "",
            source="upload",
            user_id=current_user.id,
        )
    except ValidationFailed as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _schemes_page(form, scheme_problems(exc.problems), 422)
    db.session.commit()
    flash(
        _("Scheme version %(n)d saved; it is now the active scheme.", n=version.version), "success"
    )
    return redirect(url_for(".scheme", version=version.version))


def _edit_page(
    form: SchemeEditForm,
    data: dict[str, Any],
    start: int,
    problems: list[SchemeProblem],
    status: int = 200,
) -> tuple[str, int]:
    return (
        render_template(
            "appraisals/scheme_form.html",
            form=form,
            fields=scheme_fields(data),
            # After a refused save, the inputs show what was typed, not the stored values.
            submitted=request.form if request.method == "POST" else {},
            sections=SECTIONS,
            start=start,
            problems=problems,
            field_problems=problems_by_field(problems),
        ),
        status,
    )


@bp.route("/schemes/edit", methods=["GET", "POST"])
@staff_only
def edit_scheme() -> Response | tuple[str, int]:
    latest = schemes.active_version()
    start = schemes.get_version(int_arg("from", latest.version))
    data = schemes.scheme_data(start.toml)
    form = SchemeEditForm(based_on=str(latest.version))
    if request.method == "GET":
        return _edit_page(form, data, start.version, [])
    if not form.validate_on_submit():
        return _edit_page(form, data, start.version, [], 422)
    edited, problems = apply_form(data, request.form)
    try:
        text = to_toml(edited)
        if problems:
            # Report the unreadable inputs together with everything the scheme check finds.
            schemes.parse_scheme(text)
            raise ValidationFailed(_("Some values could not be read; nothing was saved."))
        version = schemes.save_scheme(
            text,
            note=form.note.data or "",
            source="form",
            based_on=int(form.based_on.data or 0),
            user_id=current_user.id,
        )
    except ValidationFailed as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _edit_page(form, data, start.version, problems + scheme_problems(exc.problems), 422)
    except Conflict as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _edit_page(form, data, start.version, [], 409)
    db.session.commit()
    flash(
        _("Scheme version %(n)d saved; it is now the active scheme.", n=version.version), "success"
    )
    return redirect(url_for(".scheme", version=version.version))


@bp.get("/schemes/compare")
@staff_only
def compare_schemes() -> str:
    latest = schemes.active_version().version
    new_number = int_arg("new", latest)
    old_number = int_arg("old", max(new_number - 1, 1))
    old, new = schemes.get_version(old_number), schemes.get_version(new_number)
    return render_template(
        "appraisals/compare.html",
        old=old,
        new=new,
        changes=shown_changes(schemes.compare_versions(old, new)),
        versions=[v.version for v in schemes.list_versions()],
    )


# --- what-if ----------------------------------------------------------------------------------


@bp.get("/what-if")
@staff_only
def what_if() -> tuple[str, int]:
    version, scheme_rules = schemes.active_scheme()
    form = WhatIfForm(request.args)
    form.set_levels([(lv.key, level_name(lv)) for lv in scheme_rules.levels])
    result, problems = None, []
    if request.args and form.validate():
        try:
            result = services.what_if_result(
                form.level.data or "",
                int(form.net_gmv.number * 100),
                float(form.watch_seconds.number),
                float(form.net_followers.number),
                float(form.hours.number),
            )
        except ValidationFailed as exc:
            problems = exc.problems or [exc.message]
    status = 422 if request.args and result is None else 200
    return (
        render_template(
            "appraisals/what_if.html",
            form=form,
            result=result,
            not_graded_reason=not_graded_text(result["not_graded_reason"]) if result else None,
            problems=problems,
            version=version,
            metric_labels=metric_labels(),
        ),
        status,
    )
