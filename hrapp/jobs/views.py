"""A job's progress page, the JSON the progress bar polls, and the retry of a failed job."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from hrapp.auth.permissions import can_view_job
from hrapp.core.errors import Conflict
from hrapp.extensions import db
from hrapp.jobs import services
from hrapp.jobs.models import Job

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


def _visible_job(job_id: int) -> Job:
    """The job, if the user may see it (staff, or whoever submitted it); a running job whose
    worker died is marked failed on the way, so that nobody waits on it."""
    job = db.session.get(Job, job_id)
    if job is None or not can_view_job(current_user, job):
        abort(404)
    if services.expire_if_lost(job):
        db.session.commit()
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


@bp.post("/<int:job_id>/retry")
@login_required
def retry(job_id: int) -> Response:
    """Submit a failed job's payload again, as whoever retries it."""
    job = _visible_job(job_id)
    try:
        again = services.retry(job, user_id=current_user.id)
    except Conflict as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".show", job_id=job.id))
    db.session.commit()
    services.start(again)
    flash(_("The job was submitted again."), "success")
    return redirect(url_for(".show", job_id=again.id))
