"""HR's pages for live sessions: upload → preview → confirm (a background job) → batch; batch
history and rollback; exchange rates; the sessions list, a session's page and its hosts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import selectinload

from hrapp.auth.models import Role, User
from hrapp.auth.permissions import role_required
from hrapp.auth.views import safe_next
from hrapp.core import labels
from hrapp.core.audit import AuditEntry
from hrapp.core.errors import Conflict, DomainError, Locked, ValidationFailed
from hrapp.core.messages import Message
from hrapp.core.params import day_arg, int_arg
from hrapp.core.timeutil import local_midnight_utc, org_today, org_zone
from hrapp.extensions import db
from hrapp.intake.batch_model import ImportBatch
from hrapp.intake.batches import already_imported_text, group_problems
from hrapp.jobs import services as jobs
from hrapp.jobs.models import Job
from hrapp.live_sessions import care, charts, services
from hrapp.live_sessions.details import session_details
from hrapp.live_sessions.forms import (
    EXTRA_HOST_ROWS,
    PLATFORMS,
    ConfirmForm,
    HostsForm,
    MapAccountForm,
    MapAccountsForm,
    RateForm,
    RollbackForm,
    UploadForm,
)
from hrapp.live_sessions.importer import batch_name, import_sessions
from hrapp.live_sessions.jobs import KIND, payload, title
from hrapp.live_sessions.models import ExchangeRate, LiveSession, SessionHost
from hrapp.live_sessions.parsing import template_csv
from hrapp.live_sessions.parsing.files import bundle
from hrapp.streamers.models import PlatformAccount, Streamer

bp = Blueprint("live_sessions", __name__)
staff_only = role_required(Role.HR, Role.ADMIN)

# Above this size the preview's check runs as a background job with a progress bar.
PREVIEW_SYNC_BYTES = 8 * 1024 * 1024
PER_PAGE = 50
CARE_WEEKS = 13  # the long-weeks page looks back a quarter unless told otherwise
CARE_MAX_WEEKS = 104  # one query per page: each week is a select of a UNION ALL


def _display_name(filename: str | None) -> str:
    """The uploaded file's own name, without any path the browser sent."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[:255] or "upload"


# --- upload, preview, confirm ---------------------------------------------------------------


def _index_page(form: UploadForm, status: int = 200) -> tuple[str, int]:
    query = (
        select(ImportBatch).where(ImportBatch.kind == "sessions").order_by(ImportBatch.id.desc())
    )
    page = db.paginate(query, per_page=PER_PAGE, error_out=False)
    return (
        render_template(
            "live_sessions/index.html", form=form, page=page, users=_usernames(page.items)
        ),
        status,
    )


def _usernames(batches: list[ImportBatch]) -> dict[int, str]:
    ids = {b.created_by_id for b in batches if b.created_by_id}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.username).where(User.id.in_(ids))).all())


@bp.get("/imports/")
@staff_only
def index() -> tuple[str, int]:
    return _index_page(UploadForm())


@bp.post("/imports/upload")
@staff_only
def upload() -> Response | tuple[str, int]:
    form = UploadForm()
    if not form.validate_on_submit():
        return _index_page(form, 422)
    uploads = [(_display_name(f.filename), f.read()) for f in form.file.data]
    if len(uploads) == 1:
        name, data = uploads[0]
    else:  # one stored upload, read as a batch of its files (`parsing.files.bundle`)
        name, data = batch_name([n for n, _d in uploads]), bundle(uploads)
    sha256 = hashlib.sha256(data).hexdigest()
    services.store_upload(data, sha256)
    platform = form.platform.data or "auto"
    if len(data) <= PREVIEW_SYNC_BYTES:
        return redirect(url_for(".preview", sha256=sha256, name=name, platform=platform))
    options = payload(sha256, name, platform, accept_valid_rows=False, dry_run=True)
    return _start_job(title(name, dry_run=True), options)


def _start_job(job_title: Message, options: dict[str, Any]) -> Response:
    job = jobs.submit(KIND, job_title, options, user_id=current_user.id)
    db.session.commit()
    jobs.start(job)
    return redirect(url_for("jobs.show", job_id=job.id))


def _stored_check(job_id: int, sha256: str) -> dict[str, Any] | Response:
    """The result of a checking job for this upload, or the job's page while it runs."""
    job = db.session.get(Job, job_id)
    if job is None or job.kind != KIND or job.result["payload"]["sha256"] != sha256:
        abort(404)
    if job.status != "done":
        return redirect(url_for("jobs.show", job_id=job.id))
    check: dict[str, Any] = job.result["outcome"]["check"]
    return check


@bp.get("/imports/preview/<sha256>")
@staff_only
def preview(sha256: str) -> Response | str:
    name, platform = request.args.get("name", ""), request.args.get("platform", "auto")
    if not name or platform not in PLATFORMS:
        abort(404)
    job_id = int_arg("job")
    if job_id:
        check = _stored_check(job_id, sha256)
        if isinstance(check, Response):
            return check
    else:
        data = services.read_upload(sha256)
        check = import_sessions(data, name, platform=platform, dry_run=True).to_dict()
        db.session.rollback()  # a check writes nothing; end its read transaction
        services.settle_checked_upload(sha256, data, name, check)
    if check["status"] == "duplicate":
        flash(already_imported_text(check["batch_id"]), "info")
        return redirect(url_for(".batch", batch_id=check["batch_id"]))
    return render_template(
        "live_sessions/preview.html",
        sha256=sha256,
        name=name,
        platform=platform,
        check=check,
        groups=group_problems(_row_problems(check), column_words),
        streamers=_streamer_choices() if check["unknown_accounts"] else [],
        suggestions=services.suggest_streamers(check["unknown_accounts"]),
        recheck=url_for(".preview", sha256=sha256, name=name, platform=platform),
        # A file no reader opens is not kept: no column mapping can read it either.
        mappable=not check["format"] and services.upload_kept(sha256),
    )


def column_words(column: str) -> Markup:
    """A problem's column as the reader knows it. Most problems name the file's header, shown
    as written (in <code>: the file's words, not the page's); the checks after reading name a
    template column (``account_id``), shown after its label in the reader's language."""
    header = Markup("<code>%s</code>") % column
    if not labels.has_label("template_field", column):
        return header
    words = labels.label("template_field", column)
    if words.casefold() == column.casefold():
        return header
    return Markup("%s (%s)") % (words, header)


def _row_problems(check: dict[str, Any]) -> list[dict[str, Any]]:
    """The problems listed by reason; a file that cannot be imported says why above them."""
    if check["has_file_error"]:
        return [p for p in check["problems"] if p["row"] is not None]
    return list(check["problems"])


def _streamer_choices() -> list[tuple[str, str]]:
    rows = db.session.scalars(
        select(Streamer).where(Streamer.status == "active").order_by(Streamer.employee_no)
    )
    return [(s.employee_no, s.display_name) for s in rows]


@bp.post("/imports/preview/<sha256>/confirm")
@staff_only
def confirm(sha256: str) -> Response:
    services.read_upload(sha256)  # 404 for an upload that is not kept
    form = ConfirmForm()
    if not form.validate_on_submit() or form.platform.data not in PLATFORMS:
        flash(_("The import could not be started; please upload the file again."), "error")
        return redirect(url_for(".index"))
    name, platform = form.name.data or "", form.platform.data or "auto"
    accept = bool(form.accept_valid_rows.data)
    options = payload(sha256, name, platform, accept_valid_rows=accept, dry_run=False)
    return _start_job(title(name, dry_run=False), options)


@bp.post("/imports/accounts/map")
@staff_only
def map_account() -> Response:
    form = MapAccountForm()
    back = safe_next(form.next.data) or url_for(".index")
    if not form.validate_on_submit():
        flash(_("Give the employee number of the streamer who uses this account."), "error")
        return redirect(back)
    try:
        services.map_account(
            form.platform.data or "",
            form.account_id.data or "",
            form.nickname.data or "",
            form.employee_no.data or "",
        )
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(back)
    db.session.commit()
    flash(_mapped_message(form), "success")
    return redirect(back)


@bp.post("/imports/accounts/map-many")
@staff_only
def map_accounts() -> Response:
    """The check's unknown accounts mapped in one submit: every filled row or none."""
    form = MapAccountsForm()
    back = safe_next(form.next.data) or url_for(".index")
    if not form.validate_on_submit():
        flash(_("The accounts could not be mapped; please check the file again."), "error")
        return redirect(back)
    try:
        mapped = services.map_accounts(form.filled())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(back)
    db.session.commit()
    flash(
        ngettext(
            "%(num)d account mapped. Check the file again to import its sessions.",
            "%(num)d accounts mapped. Check the file again to import their sessions.",
            len(mapped),
        ),
        "success",
    )
    return redirect(back)


def _mapped_message(form: MapAccountForm) -> str:
    """After mapping from an import's check, the check is shown again (with the rows now
    known); from elsewhere (the dashboard), what the link changes."""
    if form.origin.data == "preview":
        return _(
            "Account %(account)s now belongs to %(no)s. Check the file again to import it.",
            account=form.account_id.data,
            no=form.employee_no.data,
        )
    return _(
        "Account %(account)s is now linked to %(no)s; its sessions in future imports will "
        "count for this streamer.",
        account=form.account_id.data,
        no=form.employee_no.data,
    )


@bp.get("/imports/template.csv")
@staff_only
def template() -> Response:
    return Response(
        template_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="hrapp-sessions-template.csv"'},
    )


# --- batches --------------------------------------------------------------------------------


def _batch(batch_id: int) -> ImportBatch:
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None or batch.kind != "sessions":
        abort(404)
    return batch


@bp.get("/imports/batches/<int:batch_id>")
@staff_only
def batch(batch_id: int) -> str:
    found = _batch(batch_id)
    imported = found.status == "imported"
    return render_template(
        "live_sessions/batch.html",
        batch=found,
        creator=_usernames([found]).get(found.created_by_id or 0, ""),
        groups=group_problems(found.report, column_words),
        form=RollbackForm(),
        host_edits=services.host_edits_lost_by_rollback(found) if imported else [],
    )


@bp.post("/imports/batches/<int:batch_id>/rollback")
@staff_only
def rollback(batch_id: int) -> Response:
    _batch(batch_id)
    form = RollbackForm()
    if not form.confirm.data:
        flash(
            _(
                "Nothing was rolled back: tick the box that confirms what the rollback removes, "
                "then roll back again."
            ),
            "error",
        )
        return redirect(url_for(".batch", batch_id=batch_id))
    try:
        result = services.rollback_batch(
            batch_id, discard_host_edits=bool(form.discard_host_edits.data)
        )
    except (Conflict, Locked) as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".batch", batch_id=batch_id))
    db.session.commit()
    flash(
        _(
            "Import rolled back: %(deleted)d sessions removed, %(restored)d restored.",
            deleted=result.deleted,
            restored=result.restored,
        ),
        "success",
    )
    return redirect(url_for(".batch", batch_id=batch_id))


# --- exchange rates -------------------------------------------------------------------------


@bp.route("/imports/rates", methods=["GET", "POST"])
@staff_only
def rates() -> Response | tuple[str, int]:
    form = RateForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.set_rate(
                form.currency.data or "",
                form.month.data or "",
                form.rate.data or "",
                user_id=current_user.id,
            )
        except ValidationFailed as exc:
            db.session.rollback()
            flash(exc.message, "error")
            status = 422
        else:
            db.session.commit()
            flash(_("Exchange rate saved."), "success")
            return redirect(url_for(".rates"))
    elif request.method == "POST":
        status = 422
    rows = db.session.scalars(
        select(ExchangeRate).order_by(ExchangeRate.month.desc(), ExchangeRate.currency)
    ).all()
    return render_template("live_sessions/rates.html", form=form, rates=rows), status


# --- sessions -------------------------------------------------------------------------------


def _filtered_sessions(args: Any) -> Select[tuple[LiveSession]]:
    query = select(LiveSession).join(LiveSession.account)
    if account := args.get("account", "").strip():
        query = query.where(
            or_(PlatformAccount.account_id == account, PlatformAccount.nickname.contains(account))
        )
    if employee_no := args.get("employee_no", "").strip():
        hosted = (
            select(SessionHost.session_id)
            .join(SessionHost.streamer)
            .where(Streamer.employee_no == employee_no, SessionHost.session_id == LiveSession.id)
        )
        query = query.where(exists(hosted))
    if since := day_arg("since", _("From")):
        query = query.where(LiveSession.started_at >= local_midnight_utc(since, org_zone()))
    if until := day_arg("until", _("To")):
        next_day = local_midnight_utc(until + dt.timedelta(days=1), org_zone())
        query = query.where(LiveSession.started_at < next_day)
    if batch_id := int_arg("batch"):
        query = query.where(
            or_(LiveSession.import_batch_id == batch_id, LiveSession.last_batch_id == batch_id)
        )
    if args.get("long"):
        query = query.where(LiveSession.on_air_seconds > care.LONG_SESSION_SECONDS)
    return query.order_by(LiveSession.started_at.desc(), LiveSession.id.desc())


def _share_text(share_bp: int) -> str:
    return f"{Decimal(share_bp) / 100:f}"


def _session_row(session: LiveSession) -> dict[str, Any]:
    return {
        "id": session.id,
        "platform": session.account.platform,
        "account_id": session.account.account_id,
        "nickname": session.account.nickname,
        "title": session.title or "",
        "started_at": session.started_at,
        "ended_at": session.ended_at,
        "on_air_seconds": session.on_air_seconds,
        "long": (session.on_air_seconds or 0) > care.LONG_SESSION_SECONDS,
        "viewers": session.viewers,
        "gmv_fen": session.gmv_fen,
        "gmv_basis": session.gmv_basis,
        "refunds_fen": session.refunds_fen,
        "currency": session.currency,
        "hosts": [
            {
                "employee_no": h.streamer.employee_no,
                "name": h.streamer.display_name,
                "share": _share_text(h.share_bp),
            }
            for h in sorted(session.hosts, key=lambda h: -h.share_bp)
        ],
    }


@bp.get("/sessions/")
@staff_only
def sessions() -> str:
    query = _filtered_sessions(request.args).options(
        selectinload(LiveSession.account),
        selectinload(LiveSession.hosts).selectinload(SessionHost.streamer),
    )
    page = db.paginate(query, per_page=PER_PAGE, error_out=False)
    return render_template(
        "live_sessions/sessions.html",
        page=page,
        rows=[_session_row(s) for s in page.items],
        args=request.args,
    )


@bp.get("/sessions/long-weeks")
@staff_only
def long_weeks() -> str:
    """Weeks over 44 hours on air (PRC labour law), per streamer."""
    until = day_arg("until", _("To")) or org_today()
    since = day_arg("since", _("From")) or until - dt.timedelta(weeks=CARE_WEEKS - 1)
    if since > until:
        since, until = until, since
    if since < until - dt.timedelta(weeks=CARE_MAX_WEEKS - 1):
        since = until - dt.timedelta(weeks=CARE_MAX_WEEKS - 1)
        flash(
            _("The page covers at most two years; it starts on %(date)s.", date=since.isoformat()),
            "info",
        )
    weeks = care.long_weeks(since, until)
    return render_template(
        "live_sessions/long_weeks.html",
        weeks=weeks,
        chart=charts.long_weeks_chart(weeks) if weeks else None,
        since=since,
        until=until,
        limit_hours=care.LONG_WEEK_SECONDS // 3600,
    )


@bp.get("/sessions/<int:session_id>")
@staff_only
def session(session_id: int) -> str:
    found = db.get_or_404(LiveSession, session_id)
    history = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity_type == "live_session", AuditEntry.entity_id == str(found.id))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    ).all()
    return render_template(
        "live_sessions/session.html",
        row=_session_row(found),
        details=session_details(found),
        fx_rate=found.fx_rate,
        history=history,
    )


@bp.route("/sessions/<int:session_id>/hosts", methods=["GET", "POST"])
@staff_only
def edit_hosts(session_id: int) -> Response | tuple[str, int]:
    found = db.get_or_404(LiveSession, session_id)
    if request.method == "GET":
        lines = [
            {"employee_no": h.streamer.employee_no, "share": _share_text(h.share_bp)}
            for h in found.hosts
        ]
        form = HostsForm(data={"hosts": lines + [{}] * EXTRA_HOST_ROWS})
    else:
        form = HostsForm()
    problems: list[str] = []
    status = 200
    if form.validate_on_submit():
        try:
            hosts = [(no, services.percent_to_bp(share or "0")) for no, share in form.filled()]
            services.set_hosts(found.id, hosts)
        except ValidationFailed as exc:
            db.session.rollback()
            flash(exc.message, "error")
            problems, status = exc.problems, 422
        else:
            db.session.commit()
            flash(_("Hosts saved."), "success")
            return redirect(url_for(".session", session_id=session_id))
    elif request.method == "POST":
        status = 422
    return (
        render_template(
            "live_sessions/hosts.html",
            row=_session_row(db.get_or_404(LiveSession, session_id)),
            form=form,
            problems=problems,
        ),
        status,
    )
