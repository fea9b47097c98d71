"""A job's progress page and the JSON the progress bar polls."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from hrapp.auth.permissions import can_view_job
from hrapp.extensions import db
from hrapp.jobs import services
from hrapp.jobs.models import Job

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


def _visible_job(job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    if job is None or not can_view_job(current_user, job):
        abort(404)
    return job


@bp.get("/<int:job_id>")
@login_required
def show(job_id: int) -> str:
    job = _visible_job(job_id)
    return render_template("jobs/show.html", job=job, state=services.status(job))


@bp.get("/<int:job_id>.json")
@login_required
def progress(job_id: int) -> Response:
    return jsonify(services.status(_visible_job(job_id)))
