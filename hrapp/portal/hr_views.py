"""HR's side of the portal: the dispute inbox and threads (answer, resolve, adjust), logins for
many streamers at once, and a streamer's password reset. HR and administrators only.

The routes join the portal blueprint (`hrapp.features` imports this module).
"""

from __future__ import annotations

import base64
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from hrapp.appraisals.sheet import finalized_sheet, metric_labels
from hrapp.auth.permissions import STAFF, role_required
from hrapp.core.errors import Conflict, Locked, NotFound, ValidationFailed
from hrapp.core.money import parse_yuan
from hrapp.extensions import db
from hrapp.portal import logins, responses
from hrapp.portal.forms import (
    LINE_LABELS,
    ActionForm,
    AnswerForm,
    BulkLoginsForm,
    DisputeAdjustmentForm,
)
from hrapp.portal.models import AppraisalResponse
from hrapp.portal.views import bp
from hrapp.streamers.models import Streamer
from hrapp.web import money_filter

staff_only = role_required(*STAFF)


@bp.app_template_global()
def open_disputes() -> int:
    """How many disputes wait for HR (the dashboard's count)."""
    return responses.open_disputes_count()


@bp.get("/disputes/")
@staff_only
def inbox() -> str:
    show = "all" if request.args.get("show") == "all" else "open"
    rows = responses.inbox(show)
    return render_template(
        "portal/inbox.html",
        rows=rows,
        show=show,
        open_count=responses.open_disputes_count(),
        line_labels=LINE_LABELS,
    )


def _response_or_404(response_id: int) -> AppraisalResponse:
    found = db.session.get(
        AppraisalResponse, response_id, options=[selectinload(AppraisalResponse.messages)]
    )
    if found is None or found.disputed_at is None:
        raise NotFound(_("There is no such dispute."))
    return found


def _thread_page(
    response: AppraisalResponse,
    answer_form: AnswerForm | None = None,
    adjust_form: DisputeAdjustmentForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    target, target_problem = None, None
    if response.status == "disputed":
        try:
            target = responses.adjustment_target(response)
        except ValidationFailed as exc:
            target_problem = exc.message
    return render_template(
        "portal/thread.html",
        response=response,
        sheet=finalized_sheet(response.appraisal),
        thread=responses.thread(response),
        answer_form=answer_form or AnswerForm(formdata=None),
        adjust_form=adjust_form or DisputeAdjustmentForm(formdata=None),
        target=target,
        target_problem=target_problem,
        metric_labels=metric_labels(),
        line_labels=LINE_LABELS,
    ), status


@bp.get("/disputes/<int:response_id>")
@staff_only
def dispute_thread(response_id: int) -> tuple[str, int]:
    return _thread_page(_response_or_404(response_id))


@bp.post("/disputes/<int:response_id>/answer")
@staff_only
def answer(response_id: int) -> Response | tuple[str, int]:
    response = _response_or_404(response_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        return _thread_page(response, answer_form=form, status=422)
    try:
        responses.answer(
            response, current_user._get_current_object(), form.text.data, resolve=form.resolve.data
        )
    except ValidationFailed as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _thread_page(_response_or_404(response_id), answer_form=form, status=422)
    db.session.commit()
    flash(_("Your answer was sent.") if not form.resolve.data else _("Answered and resolved."))
    return redirect(url_for(".dispute_thread", response_id=response_id))


@bp.post("/disputes/<int:response_id>/adjust")
@staff_only
def adjust(response_id: int) -> Response | tuple[str, int]:
    response = _response_or_404(response_id)
    form = DisputeAdjustmentForm()
    if not form.validate_on_submit():
        return _thread_page(response, adjust_form=form, status=422)
    try:
        try:
            amount = parse_yuan(form.amount.data or "")
        except ValueError:
            raise ValidationFailed(_("Write the amount in yuan, e.g. -200.50 or 1,000.")) from None
        responses.adjust(response, current_user._get_current_object(), amount, form.reason.data)
    except (ValidationFailed, Locked, Conflict) as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _thread_page(_response_or_404(response_id), adjust_form=form, status=422)
    db.session.commit()
    flash(
        _("Adjustment of %(amount)s saved; the dispute is resolved.", amount=money_filter(amount))
    )
    return redirect(url_for(".dispute_thread", response_id=response_id))


# --- logins -----------------------------------------------------------------------------------


def _created_page(handed: list[logins.Handed], title: str) -> tuple[str, int]:
    """The passwords, once: a printable list and the same as a CSV link made in this answer
    (a data: URL), so that nothing has to keep them."""
    csv_url = "data:text/csv;charset=utf-8;base64," + base64.b64encode(
        logins.logins_csv(handed)
    ).decode("ascii")
    return render_template(
        "portal/logins_created.html", handed=handed, csv_url=csv_url, title=title
    ), 200


@bp.route("/logins/bulk", methods=["GET", "POST"])
@staff_only
def bulk_logins() -> Any:
    candidates = logins.without_login()
    form = BulkLoginsForm()
    form.set_choices([(s.id, f"{s.employee_no} {s.display_name}") for s in candidates])
    if request.method == "POST" and form.validate_on_submit():
        chosen = None if form.everyone.data else list(form.streamer_ids.data or [])
        try:
            if chosen == []:
                raise ValidationFailed(
                    _("Choose streamers, or tick every active streamer without a login.")
                )
            handed = logins.create_logins(chosen)
        except ValidationFailed as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return render_template("portal/bulk_logins.html", form=form, candidates=candidates), 422
        db.session.commit()
        return _created_page(handed, _("Logins created"))
    status = 422 if request.method == "POST" else 200
    return render_template("portal/bulk_logins.html", form=form, candidates=candidates), status


@bp.post("/logins/<int:streamer_id>/reset")
@staff_only
def reset_password(streamer_id: int) -> Any:
    streamer = db.get_or_404(Streamer, streamer_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for("streamers.show", streamer_id=streamer_id))
    try:
        handed = logins.reset_password(streamer, by=current_user._get_current_object())
    except ValidationFailed as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("streamers.show", streamer_id=streamer_id))
    db.session.commit()
    return _created_page([handed], _("Password reset"))
