"""The front door: send each user to the page their roles start on; HR's dashboard; health."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from hrapp.auth.models import Role
from hrapp.auth.permissions import role_required
from hrapp.auth.views import home_for
from hrapp.extensions import db
from hrapp.intake.batches import batch_url
from hrapp.jobs.queue import job_queue
from hrapp.main import dashboard as panels

log = logging.getLogger(__name__)
bp = Blueprint("main", __name__)


@bp.get("/")
def index() -> Response:
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(home_for(current_user))


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """For load balancers and monitors: 200 when the database and the job queue answer, 503
    naming the one that does not (the reason goes to the log, not to the anonymous caller)."""
    checks = {"database": _database_answers(), "queue": _queue_answers()}
    body = {name: "ok" if fine else "failed" for name, fine in checks.items()}
    return jsonify(body), 200 if all(checks.values()) else 503


def _database_answers() -> bool:
    try:
        db.session.execute(select(1))
    except Exception:
        log.exception("health check: the database does not answer")
        db.session.rollback()
        return False
    return True


def _queue_answers() -> bool:
    try:
        job_queue().huey.storage.queue_size()
    except Exception:
        log.exception("health check: the job queue does not answer")
        return False
    return True


@bp.get("/dashboard")
@role_required(Role.HR, Role.ADMIN)
def dashboard() -> str:
    return render_template("main/dashboard.html", batch_url=batch_url, **panels.overview())
