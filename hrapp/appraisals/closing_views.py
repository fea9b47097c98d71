"""Closing a quarter in the browser: adjust, override and comment on an appraisal (HR and
admin), finalize a cycle after a confirmation (HR and admin), reopen it (administrators).

The routes join the appraisals blueprint (`hrapp.features` imports this module before the
blueprint is registered). A refused or conflicting save shows the appraisal page again with
what the user typed; a successful one redirects (post/redirect/get).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from hrapp.appraisals import closing, services
from hrapp.appraisals.closing_forms import FinalizeForm, ReopenForm, make_form
from hrapp.appraisals.models import Appraisal, AppraisalCycle
from hrapp.appraisals.views import appraisal_or_404, appraisal_page, bp, staff_only
from hrapp.auth.models import Role
from hrapp.auth.permissions import role_required
from hrapp.core.errors import Conflict, Locked, ValidationFailed
from hrapp.core.money import parse_yuan
from hrapp.extensions import db
from hrapp.web import money_filter

admin_only = role_required(Role.ADMIN)
Action = Callable[[Appraisal, FlaskForm], str]  # does the change, returns the success message


def _save(appraisal_id: int, name: str, action: Action) -> Response | tuple[str, int]:
    """Validate form `name`, run `action`, commit and redirect; or show the page again."""
    found = appraisal_or_404(appraisal_id)
    form = make_form(name, found, submitted=True)
    if not form.validate_on_submit():
        return appraisal_page(found, {name: form}, 422)
    try:
        message = action(found, form)
    except Locked as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".appraisal", appraisal_id=appraisal_id))
    except (ValidationFailed, Conflict) as exc:
        db.session.rollback()
        flash(exc.message, "error")
        conflict = isinstance(exc, Conflict)
        return appraisal_page(
            appraisal_or_404(appraisal_id), {name: form}, exc.status_code, conflict
        )
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".appraisal", appraisal_id=appraisal_id, _anchor="closing"))


def _version(form: FlaskForm) -> int:
    return int(form.lock_version.data)


@bp.post("/<int:appraisal_id>/adjustments")
@staff_only
def add_adjustment(appraisal_id: int) -> Response | tuple[str, int]:
    def action(found: Appraisal, form: FlaskForm) -> str:
        try:
            amount = parse_yuan(form.amount.data)
        except ValueError:
            raise ValidationFailed(_("Write the amount in yuan, e.g. -200.50 or 1,000.")) from None
        closing.add_pay_adjustment(found, amount, form.reason.data, _version(form), current_user)
        return _("Adjustment of %(amount)s saved.", amount=money_filter(amount))

    return _save(appraisal_id, "adjust", action)


@bp.post("/<int:appraisal_id>/adjustments/<int:adjustment_id>/remove")
@staff_only
def remove_adjustment(appraisal_id: int, adjustment_id: int) -> Response | tuple[str, int]:
    def action(found: Appraisal, form: FlaskForm) -> str:
        closing.delete_adjustment(found, adjustment_id, _version(form), current_user)
        return _("Adjustment removed.")

    return _save(appraisal_id, "remove", action)


@bp.post("/<int:appraisal_id>/score")
@staff_only
def override_score(appraisal_id: int) -> Response | tuple[str, int]:
    def action(found: Appraisal, form: FlaskForm) -> str:
        score = _number(form.score.data)
        closing.override_score(found, score, form.reason.data, _version(form), current_user)
        return _("Score overridden: grade %(grade)s.", grade=found.grade or "—")

    return _save(appraisal_id, "score", action)


def _number(text: str) -> float:
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ValidationFailed(_("Write the score as a number, e.g. 86.5."))
    return value


@bp.post("/<int:appraisal_id>/score/clear")
@staff_only
def clear_score_override(appraisal_id: int) -> Response | tuple[str, int]:
    def action(found: Appraisal, form: FlaskForm) -> str:
        closing.clear_score_override(found, form.reason.data, _version(form), current_user)
        return _("Back to the computed score.")

    return _save(appraisal_id, "clear", action)


@bp.post("/<int:appraisal_id>/comments")
@staff_only
def save_comments(appraisal_id: int) -> Response | tuple[str, int]:
    def action(found: Appraisal, form: FlaskForm) -> str:
        changed = closing.save_comments(
            found, form.hr_notes.data, form.shared_comment.data, _version(form), current_user
        )
        return _("Comments saved.") if changed else _("The comments were already so.")

    return _save(appraisal_id, "comments", action)


# --- the cycle --------------------------------------------------------------------------------


def _cycle_page(
    cycle: AppraisalCycle, finalize: FinalizeForm, reopen: ReopenForm, status: int = 200
) -> tuple[str, int]:
    """The confirmation page of finalizing or reopening, with what the choice locks or opens."""
    return (
        render_template(
            "appraisals/close_cycle.html",
            cycle=cycle,
            totals=services.cycle_totals(cycle.id),
            finalize=finalize,
            reopen=reopen,
            refusal=closing.finalize_refusal(cycle) if cycle.status == "open" else None,
        ),
        status,
    )


@bp.route("/cycles/<code>/finalize", methods=["GET", "POST"])
@staff_only
def finalize_cycle(code: str) -> Response | tuple[str, int]:
    """GET: the confirmation page; POST (the box ticked): finalize."""
    found = services.cycle_by_code(code)
    form = FinalizeForm()
    if request.method == "GET":
        return _cycle_page(found, form, ReopenForm(formdata=None))
    if not form.validate_on_submit():
        return _cycle_page(found, form, ReopenForm(formdata=None), 422)
    try:
        done = closing.finalize_cycle(found, current_user)
    except (ValidationFailed, Locked) as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _cycle_page(services.cycle_by_code(code), form, ReopenForm(formdata=None), 409)
    db.session.commit()
    flash(
        _(
            "Cycle %(code)s finalized: %(n)d appraisals are final (revision %(revision)d).",
            **done.message_values(),
        ),
        "success",
    )
    return redirect(url_for(".cycle", code=done.code))


@bp.route("/cycles/<code>/reopen", methods=["GET", "POST"])
@admin_only
def reopen_cycle(code: str) -> Response | tuple[str, int]:
    """GET: the page with the reason field; POST: reopen (administrators, with a reason)."""
    found = services.cycle_by_code(code)
    form = ReopenForm()
    if request.method == "GET":
        return _cycle_page(found, FinalizeForm(formdata=None), form)
    if not form.validate_on_submit():
        return _cycle_page(found, FinalizeForm(formdata=None), form, 422)
    try:
        done = closing.reopen_cycle(found, form.reason.data or "", current_user)
    except ValidationFailed as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _cycle_page(services.cycle_by_code(code), FinalizeForm(formdata=None), form, 409)
    db.session.commit()
    flash(
        _(
            "Cycle %(code)s reopened: %(n)d appraisals are drafts again; revision "
            "%(revision)d is kept.",
            **done.message_values(),
        ),
        "success",
    )
    return redirect(url_for(".cycle", code=done.code))
