"""HR and admin browse the audit log, filtered by who, what, which object and when."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select

from hrapp.audit import display
from hrapp.audit.labels import ACTIONS, ENTITY_TYPES
from hrapp.auth.models import Role
from hrapp.auth.permissions import role_required
from hrapp.core.audit import AuditEntry
from hrapp.core.params import day_arg
from hrapp.core.timeutil import local_midnight_utc, org_zone
from hrapp.extensions import db

bp = Blueprint("audit", __name__, url_prefix="/audit")
PER_PAGE = 50


@bp.app_template_global("audit_changes")
def audit_changes(changes: dict[str, Any] | None, action: str | None = None) -> list[Any]:
    """The changes of an entry line by line, for the `changes` macro of any page."""
    return display.change_lines(changes, action)


@bp.get("/")
@role_required(Role.HR, Role.ADMIN)
def index() -> str:
    args = request.args
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if actor := args.get("actor", "").strip():
        query = query.where(AuditEntry.actor_name == actor)
    if action := args.get("action", "").strip():
        # A whole code, or a prefix such as "streamer." for all of a kind's actions.
        query = query.where(AuditEntry.action.startswith(action))
    if entity := args.get("entity_type", "").strip():
        query = query.where(AuditEntry.entity_type == entity)
    if entity_id := args.get("entity_id", "").strip():
        query = query.where(AuditEntry.entity_id == entity_id)
    if since := day_arg("since", _("From")):
        query = query.where(AuditEntry.at >= local_midnight_utc(since, org_zone()))
    if until := day_arg("until", _("To")):
        next_day = until + dt.timedelta(days=1)
        query = query.where(AuditEntry.at < local_midnight_utc(next_day, org_zone()))
    page = db.paginate(query, per_page=PER_PAGE, error_out=False)
    return render_template(
        "audit/index.html",
        page=page,
        args=args,
        objects=display.objects_of(page.items),
        actions=list(ACTIONS),
        entity_types=list(ENTITY_TYPES),
    )
