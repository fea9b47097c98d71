"""Downloading appraisal sheets: one sheet (HR any, a streamer only their own finalized one),
and the bulk print of a cycle as a background job whose file stays downloadable.

Every download is audited: a sheet carries pay and personal data leaving the system.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, request, send_file, url_for
from flask_login import current_user

from hrapp.appraisals import review, services
from hrapp.appraisals.export import content_disposition
from hrapp.appraisals.models import Appraisal
from hrapp.auth.models import Role
from hrapp.auth.permissions import can_download_sheet, require, role_required
from hrapp.core import audit
from hrapp.core.messages import message
from hrapp.extensions import db
from hrapp.jobs import services as jobs
from hrapp.jobs.models import Job
from hrapp.reports import bulk
from hrapp.reports.charts import weekly_trend_chart
from hrapp.reports.jobs import KIND, bundle_path, payload, title
from hrapp.reports.sheets import appraisal_pdf, sheet_language

bp = Blueprint("sheets", __name__)
bp.add_app_template_global(weekly_trend_chart, "weekly_trend_chart")
staff_only = role_required(Role.HR, Role.ADMIN)


@bp.get("/appraisals/<int:appraisal_id>/sheet.pdf")
@role_required(Role.HR, Role.ADMIN, Role.STREAMER)
def sheet(appraisal_id: int) -> Response:
    """One sheet as a PDF: `lang` zh (default) or en. Anything the user may not see is 404."""
    found = db.session.get(Appraisal, appraisal_id)
    require(found is not None and can_download_sheet(current_user, found))
    assert found is not None
    lang = sheet_language(request.args.get("lang"))
    filename, pdf = appraisal_pdf(found, lang)
    audit.record(
        "appraisal.sheet",
        "appraisal",
        found.id,
        summary=message(
            "Appraisal sheet of %(employee_no)s for %(code)s downloaded.",
            employee_no=found.streamer.employee_no,
            code=found.cycle.code,
        ),
    )
    db.session.commit()
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": content_disposition(filename)},
    )


@bp.post("/appraisals/cycles/<code>/sheets")
@staff_only
def print_sheets(code: str) -> Response:
    """Start printing the cycle's sheets (the review's filters, when the form carries them):
    `format` zip (default) or pdf, `lang` zh (default) or en. Goes to the job's page."""
    cycle = services.cycle_by_code(code)
    file_format = request.form.get("format") or "zip"
    if file_format not in bulk.FORMATS:
        abort(400)
    lang = sheet_language(request.form.get("lang"))
    wanted = review.read_filter(request.form, review.filter_choices(cycle))
    job = jobs.submit(
        KIND,
        title(cycle, wanted),
        payload(cycle, wanted, file_format, lang),
        user_id=current_user.id,
    )
    db.session.commit()
    jobs.start(job)
    return redirect(url_for("jobs.show", job_id=job.id))  # type: ignore[return-value]


@bp.get("/sheets/<int:job_id>")
@staff_only
def bundle(job_id: int) -> Response:
    """The file a finished print job made."""
    job = db.session.get(Job, job_id)
    if job is None or job.kind != KIND or job.status != "done":
        abort(404)
    path = bundle_path(job)
    if not path.is_file():
        abort(404)
    outcome = job.result.get("outcome", {})
    options = job.result["payload"]
    audit.record(
        "cycle.sheets_download",
        "appraisal_cycle",
        options["cycle_id"],
        summary=message(
            "Appraisal sheets of cycle %(code)s downloaded (%(n)d sheets).",
            code=options["code"],
            n=outcome.get("count", 0),
        ),
    )
    db.session.commit()
    return send_file(
        path,
        mimetype=bulk.MIME_TYPES[options["format"]],
        as_attachment=True,
        download_name=outcome.get("filename") or path.name,
    )
