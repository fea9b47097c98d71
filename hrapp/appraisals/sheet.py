"""The view model of one appraisal: plain data for the HR page (and, later, the streamer's
portal and the printed sheet), so that every presentation reads the same numbers.

Everything comes from the stored appraisal and its explanation — never recomputed — so a page
shows exactly what the run decided, under the scheme version it records.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import lazy_gettext as _l

from hrapp.appraisals.models import Appraisal
from hrapp.appraisals.reasons import incomplete_texts, not_graded_text
from hrapp.appraisals.settlement import shown_reason
from hrapp.appraisals.sheet_facts import SheetFacts, sheet_facts, streamer_of
from hrapp.core import labels

METRIC_LABELS = {
    "net_gmv": _l("Net GMV"),
    "avg_watch_seconds": _l("Average watch time"),
    "net_followers": _l("Fan growth (net new followers)"),
    "on_air_hours": _l("On-air hours"),
    "conversion": _l("Conversion"),
    "refund_rate": _l("Refund rate"),
    "gmv_per_hour": _l("GMV per on-air hour"),
}
labels.register("metric", METRIC_LABELS)

CRITERION_LABELS = {
    "months_at_level": _l("Months at the current level"),
    "grade": _l("Quarters at the required grade"),
    "on_air_hours": _l("On-air hours in the window"),
    "refund_rate": _l("Refund rate in the window"),
    "module": _l("Training module passed"),
    "mentees": _l("Mentees who passed"),
}


def metric_labels() -> dict[str, str]:
    return {key: str(label) for key, label in METRIC_LABELS.items()}


def level_segments(explanation: dict[str, Any]) -> list[dict[str, Any]]:
    """The levels held in the quarter, oldest first: {level, from, to (dates), days}. One
    segment when the level did not change (or the appraisal predates the level history)."""
    return [
        {
            "level": part["level"],
            "from": dt.date.fromisoformat(part["from"]),
            "to": dt.date.fromisoformat(part["to"]),
            "days": part["days"],
        }
        for part in explanation.get("level_segments", [])
    ]


def appraisal_sheet(appraisal: Appraisal, facts: SheetFacts | None = None) -> dict[str, Any]:
    """Header, figures, metric rows, commission statement, adjustments, totals and the
    promotion checklist of one appraisal, as plain data; with the appraiser, the training,
    weekly trend, data sources and response of `sheet_facts` (given by a caller that read them
    for many appraisals at once, else read here)."""
    explanation = appraisal.explanation or {}
    streamer = appraisal.streamer
    return {
        "id": appraisal.id,
        "status": appraisal.status,
        "cycle": {
            "code": appraisal.cycle.code,
            "starts_on": appraisal.cycle.starts_on,
            "ends_on": appraisal.cycle.ends_on,
            "status": appraisal.cycle.status,
        },
        "scheme_version": appraisal.scheme_version.version,
        "scheme_name": appraisal.scheme_version.name,
        "streamer": {
            "id": streamer.id,
            "employee_no": streamer.employee_no,
            "name": streamer.legal_name,
            "stage_name": streamer.stage_name,
            "display_name": streamer.display_name,
        },
        "level": appraisal.level,
        "level_segments": level_segments(explanation),
        "team": appraisal.team,
        "category": appraisal.category,
        "figures": explanation.get("figures", {}),
        "data_incomplete": appraisal.data_incomplete,
        # Reasons in the reader's language (stored as codes with their facts).
        "incomplete_reasons": incomplete_texts(explanation.get("incomplete_reasons")),
        "not_graded": appraisal.not_graded,
        "not_graded_reason": not_graded_text(explanation.get("not_graded_reason")),
        "metrics": explanation.get("metrics", []),
        "score": appraisal.score,
        "max_score": explanation.get("max_score"),
        "grade": appraisal.grade,
        "grade_band": explanation.get("grade_band"),
        "commission": explanation.get("commission", {}),
        "adjustments": [
            {
                "kind": a.kind,
                "amount_fen": a.amount_fen,
                "score": a.score,
                "reason": shown_reason(a),
                "created_at": a.created_at,
            }
            for a in sorted(appraisal.adjustments, key=lambda a: a.id)
        ],
        "adjustment_fen": appraisal.adjustment_fen,
        # 备注: the comment the streamer sees (HR's private notes never reach a sheet or portal).
        "shared_comment": appraisal.shared_comment,
        "commission_fen": appraisal.commission_fen,
        "payable_fen": appraisal.payable_fen,
        "promotion_eligible": appraisal.promotion_eligible,
        "promotion": explanation.get("promotion"),
        "computed_at": appraisal.computed_at,
        # 考核人: the HR user who finalized the cycle, and when this appraisal was finalized.
        "appraiser": appraiser_name(appraisal),
        "finalized_at": appraisal.finalized_at,
        **(facts or facts_of(appraisal)).to_dict(),
    }


def appraiser_name(appraisal: Appraisal) -> str | None:
    finalizer = appraisal.cycle.finalized_by if appraisal.status == "finalized" else None
    if finalizer is None:
        return None
    return finalizer.display_name or finalizer.username


def facts_of(appraisal: Appraisal) -> SheetFacts:
    return sheet_facts(appraisal.cycle, [appraisal])[streamer_of(appraisal)]
