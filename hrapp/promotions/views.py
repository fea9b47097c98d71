"""HR's promotions page: the streamers eligible at the end of a quarter, each with the
checklist, and the confirmation of a promotion (HR and admin only; others 403)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from hrapp.appraisals import services as appraisals
from hrapp.appraisals.models import AppraisalCycle
from hrapp.appraisals.sheet import CRITERION_LABELS
from hrapp.auth.permissions import STAFF, role_required
from hrapp.core.errors import ValidationFailed
from hrapp.core.labels import label
from hrapp.core.timeutil import org_today
from hrapp.extensions import db
from hrapp.promotions import services
from hrapp.promotions.forms import ConfirmForm
from hrapp.streamers.models import Streamer

bp = Blueprint("promotions", __name__, url_prefix="/promotions")


def _chosen_cycle(cycles: list[AppraisalCycle]) -> AppraisalCycle | None:
    code = request.args.get("cycle", "")
    if code:
        return appraisals.cycle_by_code(code)  # 404 for an unknown cycle
    return cycles[0] if cycles else None


@bp.get("/")
@role_required(*STAFF)
def index() -> str:
    cycles = services.run_cycles()
    cycle = _chosen_cycle(cycles)
    candidates = services.eligible_streamers(cycle) if cycle is not None else []
    forms: dict[int, ConfirmForm] = {}
    for candidate in candidates:
        forms[candidate.streamer_id] = ConfirmForm(
            formdata=None,
            streamer_id=candidate.streamer_id,
            to_level=candidate.to_level,
            cycle=cycle.code if cycle else "",
            effective_on=candidate.default_effective_on,
        )
    context: dict[str, Any] = {
        "cycles": cycles,
        "cycle": cycle,
        "candidates": candidates,
        "forms": forms,
        "criterion_labels": CRITERION_LABELS,
        "today": org_today(),
    }
    return render_template("promotions/index.html", **context)


@bp.post("/confirm")
@role_required(*STAFF)
def confirm() -> Response:
    form = ConfirmForm()
    cycle_code = form.cycle.data or ""
    back = url_for(".index", cycle=cycle_code) if cycle_code else url_for(".index")
    if not form.validate_on_submit():
        for name, errors in form.errors.items():
            for error in errors:
                flash(f"{form[name].label.text}: {error}", "error")
        return redirect(back)
    streamer = db.get_or_404(Streamer, form.streamer_id.data)
    cycle = appraisals.cycle_by_code(cycle_code)
    try:
        change = services.confirm_promotion(
            streamer,
            form.to_level.data or "",
            form.reason.data or "",
            effective_on=form.effective_on.data,
            cycle=cycle,
        )
    except ValidationFailed as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(back)
    db.session.commit()
    flash(
        _(
            "%(name)s: %(level)s from %(date)s, recorded in the level history.",
            name=streamer.display_name,
            level=label("level", change.to_level),
            date=change.effective_on.isoformat(),
        ),
        "success",
    )
    return redirect(back)
