"""The front door: send each user to the page their roles start on; HR's dashboard; health."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from hrapp.auth.models import Role
from hrapp.auth.permissions import role_required
from hrapp.auth.views import home_for
from hrapp.extensions import db
from hrapp.main import dashboard as panels

bp = Blueprint("main", __name__)


@bp.get("/")
def index() -> Response:
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(home_for(current_user))


@bp.get("/healthz")
def healthz() -> tuple[str, int]:
    db.session.execute(select(1))
    return "ok", 200


@bp.get("/dashboard")
@role_required(Role.HR, Role.ADMIN)
def dashboard() -> str:
    return render_template("main/dashboard.html", **panels.overview())
