"""Scoring's reasons in the reader's language.

The scoring library keeps why an appraisal is not graded and why its data is incomplete as
codes with their facts (documented with `scoring.appraise.appraise`); they are stored that way
in the explanation and worded here, when shown, on every page, sheet and command that shows
them. A reason stored as an English sentence before reasons were data (and not recognised by
migration 0003) is shown as it was written.

The quarter's figures are named through the label kind ``figure`` (the columns of the scoring
library's figures), the metrics through ``metric`` (`hrapp.appraisals.sheet`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import format_decimal, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from hrapp.core import labels
from hrapp.core.messages import LIST_SEPARATOR
from scoring.aggregate import UNKNOWN_IN_SESSIONS
from scoring.score import BELOW_MIN_HOURS, SCORE_UNKNOWN

FIGURE_LABELS = labels.register(
    "figure",
    {
        "sessions": _l("Sessions"),
        "test_sessions": _l("Test streams"),
        "on_air_seconds": _l("On-air time"),
        "gmv_fen": _l("GMV"),
        "refunds_fen": _l("Refunds"),
        "net_gmv_fen": _l("Net GMV"),
        "viewers": _l("Viewers"),
        "views": _l("Views"),
        "avg_watch_seconds": _l("Average watch time"),
        "new_followers": _l("New followers"),
        "unfollows": _l("Unfollows"),
        "net_followers": _l("Net new followers"),
        "buyers": _l("Buyers"),
        "orders": _l("Orders"),
        "conversion": _l("Conversion"),
        "refund_rate": _l("Refund rate"),
        "gpm": _l("GPM (GMV per 1,000 views)"),
        "uv_value": _l("UV value (GMV per viewer)"),
        "gmv_per_hour": _l("GMV per on-air hour"),
        "follow_rate": _l("Follow rate"),
    },
)


def reason_text(reason: object) -> str:
    """One reason as a sentence in the reader's language; a stored sentence as written."""
    if reason is None:
        return ""
    if not isinstance(reason, Mapping):
        return str(reason)
    code = reason.get("code")
    try:
        if code == BELOW_MIN_HOURS:
            return _below_min_hours(reason)
        if code == SCORE_UNKNOWN:
            return _score_unknown(reason)
        if code == UNKNOWN_IN_SESSIONS:
            return _unknown_in_sessions(reason)
    except (KeyError, TypeError, ValueError):  # a fact missing: show the code, never fail
        pass
    return str(code or "")


def not_graded_text(reason: object) -> str | None:
    """Why an appraisal is not graded, None when there is no reason."""
    return reason_text(reason) if reason else None


def incomplete_texts(reasons: Iterable[Any] | None) -> list[str]:
    """Why an appraisal's data is incomplete, one sentence per figure."""
    return [reason_text(reason) for reason in reasons or ()]


def multiplier_text(factor: Mapping[str, Any]) -> str:
    """Why a commission multiplier applies, from its kind and facts (scoring.commission)."""
    kind = factor.get("kind")
    if kind == "grade":
        grade = factor.get("grade")
        return _("Grade %(grade)s", grade=grade) if grade else _("Not graded")
    if kind == "hours_gate":
        return _(
            "On air %(hours)s h, below the minimum of %(min)s h for the level",
            hours=format_decimal(float(factor["on_air_hours"]), format="#,##0.00"),
            min=format_decimal(float(factor["min_on_air_hours"]), format="#,##0.##"),
        )
    return str(factor.get("reason") or kind or "")


def _below_min_hours(reason: Mapping[str, Any]) -> str:
    return _(
        "on air %(hours)s h in the quarter, below the %(threshold)s h a grade needs",
        hours=format_decimal(float(reason["hours"]), format="#,##0.00"),
        threshold=format_decimal(float(reason["threshold"]), format="#,##0.##"),
    )


def _score_unknown(reason: Mapping[str, Any]) -> str:
    names = [labels.label("metric", key) for key in reason["metrics"]]
    return _("no value for %(metrics)s, so the score is unknown", metrics=_joined(names))


def _unknown_in_sessions(reason: Mapping[str, Any]) -> str:
    sessions = int(reason["sessions"])
    values = {
        "figure": labels.label("figure", reason["figure"]),
        "missing": format_decimal(int(reason["missing"])),
        "sessions": format_decimal(sessions),
    }
    if reason["figure"] == "on_air_seconds":
        return ngettext(
            "On-air time unknown in %(missing)s of %(sessions)s session (neither an end time "
            "nor a duration)",
            "On-air time unknown in %(missing)s of %(sessions)s sessions (neither an end time "
            "nor a duration)",
            sessions,
            **values,
        )
    return ngettext(
        "%(figure)s unknown in %(missing)s of %(sessions)s session",
        "%(figure)s unknown in %(missing)s of %(sessions)s sessions",
        sessions,
        **values,
    )


def _joined(items: list[str]) -> str:
    return LIST_SEPARATOR.get(str(get_locale() or "zh")[:2], ", ").join(items)
