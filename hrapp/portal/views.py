"""我的考核: the streamer's own pages. Every page is rendered whole by the server and works
without JavaScript; the what-if's live update (static/js/portal.js) reads the JSON twin of its
form. Anything that is not the logged-in streamer's own answers 404.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import (
    Blueprint,
    Response,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from hrapp.appraisals import services as appraisals
from hrapp.appraisals.sheet import CRITERION_LABELS, metric_labels
from hrapp.auth.models import Role
from hrapp.auth.permissions import role_required
from hrapp.core.errors import ValidationFailed
from hrapp.core.timeutil import org_today
from hrapp.extensions import db
from hrapp.portal import fingerprints, responses, scorecard, sessions
from hrapp.portal.cache import shared_text
from hrapp.portal.forms import LINE_LABELS, ActionForm, DisputeForm, OwnWhatIfForm, ReplyForm
from hrapp.portal.running import quarter_bounds, running_key, running_quarter
from hrapp.training.models import Module

bp = Blueprint("portal", __name__)
streamer_only = role_required(Role.STREAMER)
SECONDS_PER_HOUR = 3600
WHAT_IF_FIELDS = ("net_gmv", "watch_seconds", "net_followers", "hours")


def _user() -> Any:
    return current_user._get_current_object()


def _sheet_url() -> str | None:
    """The printed sheet's route, once the sheets feature provides one."""
    from flask import current_app

    return "sheets.sheet" if "sheets.sheet" in current_app.view_functions else None


@bp.get("/me/")
@streamer_only
def index() -> str:
    """The running quarter and the finalized quarters. The content is rendered once per state
    of the data it shows and kept (on disk too, for every worker): this page is opened many
    times a week by every streamer, so a view that finds it kept reads only the fingerprints
    (one statement, and the curriculum's few rules) besides the logged-in user."""
    streamer_id = scorecard.own_streamer_id(_user())
    day = org_today()
    running_fingerprint, quarters_key = fingerprints.index_page(streamer_id, *quarter_bounds(day))
    key = running_key(streamer_id, day, running_fingerprint)

    def body() -> str:
        streamer = scorecard.own_streamer(_user())
        running = running_quarter(streamer, day, key)
        return render_template(
            "portal/_index_body.html",
            running=running,
            sheet=scorecard.for_streamer(running["sheet"]),
            quarters=scorecard.finalized_quarters(streamer_id),
            metric_labels=metric_labels(),
        )

    # A template rendered with autoescape, kept as its text.
    kept = Markup(shared_text(("index", key, quarters_key), body))  # noqa: S704
    return render_template("portal/index.html", body=kept)


@bp.get("/me/quarters/<int:appraisal_id>")
@streamer_only
def quarter(appraisal_id: int) -> str:
    return _quarter_page(appraisal_id)


def _quarter_page(
    appraisal_id: int, dispute_form: DisputeForm | None = None, status: int = 200
) -> Any:
    appraisal, sheet = scorecard.own_appraisal(_user(), appraisal_id)
    response = responses.response_of(appraisal.id)
    return render_template(
        "portal/quarter.html",
        sheet=sheet,
        response=response,
        status=responses.status_of(response),
        thread=responses.thread(response),
        new_answer=responses.has_new_answer(response),
        action_form=ActionForm(),
        dispute_form=dispute_form or DisputeForm(formdata=None),
        reply_form=ReplyForm(formdata=None),
        metric_labels=metric_labels(),
        line_labels=LINE_LABELS,
        sheet_endpoint=_sheet_url(),
    ), status


def _done(appraisal_id: int, text: str) -> Response:
    db.session.commit()
    flash(text, "success")
    return redirect(url_for(".quarter", appraisal_id=appraisal_id) + "#response")


def _refused(appraisal_id: int, exc: ValidationFailed) -> Response:
    db.session.rollback()
    flash(exc.message, "error")
    return redirect(url_for(".quarter", appraisal_id=appraisal_id) + "#response")


@bp.post("/me/quarters/<int:appraisal_id>/acknowledge")
@streamer_only
def acknowledge(appraisal_id: int) -> Any:
    appraisal, _sheet = scorecard.own_appraisal(_user(), appraisal_id)
    if not ActionForm().validate_on_submit():
        return _quarter_page(appraisal_id, status=422)
    try:
        responses.acknowledge(appraisal, _user())
    except ValidationFailed as exc:
        return _refused(appraisal_id, exc)
    return _done(appraisal_id, _("Thank you: you acknowledged this quarter."))


@bp.post("/me/quarters/<int:appraisal_id>/dispute")
@streamer_only
def dispute(appraisal_id: int) -> Any:
    appraisal, _sheet = scorecard.own_appraisal(_user(), appraisal_id)
    form = DisputeForm()
    if not form.validate_on_submit():
        return _quarter_page(appraisal_id, dispute_form=form, status=422)
    try:
        responses.dispute(appraisal, _user(), form.text.data, form.line.data or None)
    except ValidationFailed as exc:
        return _refused(appraisal_id, exc)
    return _done(appraisal_id, _("Your dispute was sent to HR. Their answer appears here."))


def _own_response(appraisal_id: int) -> Any:
    appraisal, _sheet = scorecard.own_appraisal(_user(), appraisal_id)
    response = responses.response_of(appraisal.id)
    if response is None:
        from flask import abort

        abort(404)
    return response


@bp.post("/me/quarters/<int:appraisal_id>/reply")
@streamer_only
def reply(appraisal_id: int) -> Any:
    response = _own_response(appraisal_id)
    form = ReplyForm()
    if not form.validate_on_submit():
        return _quarter_page(appraisal_id, status=422)
    try:
        responses.reply(response, _user(), form.text.data)
    except ValidationFailed as exc:
        return _refused(appraisal_id, exc)
    return _done(appraisal_id, _("Your message was added to the thread."))


@bp.post("/me/quarters/<int:appraisal_id>/read")
@streamer_only
def mark_read(appraisal_id: int) -> Any:
    response = _own_response(appraisal_id)
    if not ActionForm().validate_on_submit():
        return _quarter_page(appraisal_id, status=422)
    responses.mark_read(response)
    db.session.commit()
    return redirect(url_for(".quarter", appraisal_id=appraisal_id) + "#response")


# --- what-if ----------------------------------------------------------------------------------


def _figures_now(running: dict[str, Any], projected: bool) -> dict[str, str]:
    """The what-if's starting figures: the quarter so far, or projected to its end (sums
    scaled by the quarter's days over the days begun; the average watch time as it is)."""
    figures = running["sheet"]["figures"] or {}
    days = running["days"]
    factor = Decimal(days["total"]) / Decimal(max(days["elapsed"] + 1, 1)) if projected else 1

    def scaled(value: Any) -> Decimal:
        return (Decimal(str(value or 0)) * factor) if value is not None else Decimal(0)

    net_fen = scaled(figures.get("net_gmv_fen"))
    return {
        "net_gmv": f"{(net_fen / 100).quantize(Decimal('0.01'))}",
        "watch_seconds": f"{Decimal(str(figures.get('avg_watch_seconds') or 0)):.1f}",
        "net_followers": f"{scaled(figures.get('net_followers')).quantize(Decimal(1))}",
        "hours": f"{scaled(figures.get('on_air_hours')):.2f}",
    }


def _what_if(streamer: Any) -> dict[str, Any]:
    """The form (from the query string, else the starting figures) and its result."""
    running = running_quarter(streamer)
    level = running["sheet"]["level"]
    start = request.args.get("start", "now")
    if any(request.args.get(name) for name in WHAT_IF_FIELDS):
        form = OwnWhatIfForm(request.args)
    else:
        form = OwnWhatIfForm(MultiDict(_figures_now(running, start == "projection")))
    result, problems = None, []
    if form.validate():
        try:
            result = appraisals.what_if_result(
                level,
                int(form.net_gmv.number * 100),
                float(form.watch_seconds.number),
                float(form.net_followers.number),
                float(form.hours.number),
            )
        except ValidationFailed as exc:
            problems = exc.problems or [exc.message]
    else:
        problems = [error for errors in form.errors.values() for error in errors]
    return {
        "form": form,
        "result": result,
        "problems": problems,
        "level": level,
        "running": running,
        "start": start,
        "metric_labels": metric_labels(),
    }


@bp.get("/me/what-if")
@streamer_only
def what_if() -> Any:
    context = _what_if(scorecard.own_streamer(_user()))
    status = 200 if context["result"] is not None else 422
    return render_template("portal/what_if.html", **context), status


@bp.get("/me/what-if.json")
@streamer_only
def what_if_json() -> Any:
    context = _what_if(scorecard.own_streamer(_user()))
    result = context["result"]
    body: dict[str, Any] = {
        "html": render_template("portal/_what_if_result.html", **context),
        "problems": [str(p) for p in context["problems"]],
    }
    if result is not None:
        body.update(
            score=result["score"],
            grade=result["grade"],
            commission_fen=result["commission_fen"],
        )
    return jsonify(body), 200 if result is not None else 422


# --- promotion --------------------------------------------------------------------------------


@bp.get("/me/promotion")
@streamer_only
def promotion() -> str:
    streamer = scorecard.own_streamer(_user())
    running = running_quarter(streamer)
    sheet = scorecard.for_streamer(running["sheet"])
    promotion = sheet.get("promotion") or {}
    missing = [item for item in promotion.get("checklist", []) if not item.get("met")]
    codes = [item["module"] for item in missing if item.get("module")]
    modules = {m.code: m for m in db.session.query(Module).filter(Module.code.in_(codes))}
    return render_template(
        "portal/promotion.html",
        sheet=sheet,
        promotion=promotion,
        missing=missing,
        modules=modules,
        criterion_labels=CRITERION_LABELS,
    )


# --- sessions ---------------------------------------------------------------------------------


@bp.get("/me/sessions")
@streamer_only
def own_sessions() -> str:
    streamer = scorecard.own_streamer(_user())
    available = sessions.months(streamer.id)
    wanted = request.args.get("month")
    if wanted is None:
        wanted = available[0] if available else ""
    month = sessions.parse_month(wanted)
    rows = sessions.own_sessions(streamer.id, month)
    return render_template(
        "portal/sessions.html",
        rows=rows,
        months=available,
        month=wanted if month else "",
    )


@bp.get("/me/sessions.csv")
@streamer_only
def sessions_csv() -> Response:
    streamer = scorecard.own_streamer(_user())
    month = sessions.parse_month(request.args.get("month"))
    data = sessions.sessions_csv(sessions.own_sessions(streamer.id, month))
    name = f"sessions-{streamer.employee_no}" + (f"-{month[0]}-{month[1]:02d}" if month else "")
    return Response(
        data,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )
