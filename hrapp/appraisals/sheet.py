"""The view model of one appraisal: plain data for the HR page (and, later, the streamer's
portal and the printed sheet), so that every presentation reads the same numbers.

Everything comes from the stored appraisal and its explanation — never recomputed — so a page
shows exactly what the run decided, under the scheme version it records.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from hrapp.appraisals.models import (
    Appraisal,
    AppraisalAdjustment,
    AppraisalCycle,
    AppraisalRevision,
    SchemeVersion,
)
from hrapp.appraisals.reasons import incomplete_texts, not_graded_text
from hrapp.appraisals.runner import FIGURE_COLUMNS
from hrapp.appraisals.settlement import shown_reason
from hrapp.appraisals.sheet_facts import SheetFacts, sheet_facts, streamer_of
from hrapp.core import labels
from hrapp.extensions import db
from hrapp.streamers.models import Streamer

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
        # The level's minimum on-air hours in the quarter (blended if it changed): the hours gate.
        "min_on_air_hours": explanation.get("min_on_air_hours"),
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


# --- the same view model for what is not a stored, current appraisal -------------------------
# The running quarter (computed now, never stored) and a finalized revision (what a reopened
# quarter was finalized as) become unsaved `Appraisal` objects read by `appraisal_sheet`, so
# every page and sheet shows them through the one builder above. They are never added to the
# database session.


def _unsaved(values: dict[str, Any], adjustments: list[AppraisalAdjustment]) -> Appraisal:
    appraisal = Appraisal(**values)
    appraisal.adjustments = adjustments
    return appraisal


def _instant(value: str | None) -> dt.datetime | None:
    """An ISO instant kept in a snapshot, as an aware UTC datetime."""
    if not value:
        return None
    instant = dt.datetime.fromisoformat(value)
    return instant if instant.tzinfo else instant.replace(tzinfo=dt.UTC)


def provisional_sheet(
    cycle: AppraisalCycle,
    version: SchemeVersion,
    streamer: Streamer,
    figures: dict[str, Any],
    explanation: dict[str, Any],
    computed_at: dt.datetime,
) -> dict[str, Any]:
    """The running quarter computed now from the sessions so far with the scheme in force
    (`figures`: the scoring table's row, FIGURE_COLUMNS), never stored: no adjustments yet, so
    payable = commission; `provisional` True."""
    values = {name: figures.get(name) for name in FIGURE_COLUMNS}
    appraisal = _unsaved(
        {
            **values,
            "cycle": cycle,
            "streamer": streamer,
            "scheme_version": version,
            "team": streamer.team,
            "status": "draft",
            "explanation": explanation,
            "adjustment_fen": 0,
            "payable_fen": values["commission_fen"],
            "shared_comment": "",
            "computed_at": computed_at,
        },
        [],
    )
    return {**appraisal_sheet(appraisal), "provisional": True, "under_review": False}


def revision_sheet(
    appraisal: Appraisal, revision: AppraisalRevision, facts: SheetFacts | None = None
) -> dict[str, Any]:
    """What `appraisal` was finalized as in `revision` (its cycle since reopened)."""
    kept = revision.snapshot
    values = {name: kept.get(name) for name in FIGURE_COLUMNS}
    version = db.session.get(SchemeVersion, kept.get("scheme_version_id")) or (
        appraisal.scheme_version
    )
    lines = [
        AppraisalAdjustment(
            id=line.get("id"),
            kind=line.get("kind"),
            amount_fen=line.get("amount_fen") or 0,
            score=line.get("score"),
            reason=line.get("reason") or "",
            reason_params=line.get("reason_params"),
            created_at=_instant(line.get("created_at")),
        )
        for line in kept.get("adjustments", [])
    ]
    unsaved = _unsaved(
        {
            **values,
            "id": appraisal.id,
            "cycle": appraisal.cycle,
            "streamer": appraisal.streamer,
            "scheme_version": version,
            "team": kept.get("team") or "",
            "status": "finalized",
            "explanation": kept.get("explanation") or {},
            "score_override": kept.get("score_override"),
            "adjustment_fen": kept.get("adjustment_fen") or 0,
            "payable_fen": kept.get("payable_fen"),
            "shared_comment": kept.get("shared_comment") or "",
            "computed_at": _instant(kept.get("computed_at")),
            "finalized_at": _instant(kept.get("finalized_at")),
        },
        lines,
    )
    return appraisal_sheet(unsaved, facts)


def latest_revision(appraisal: Appraisal) -> AppraisalRevision | None:
    return db.session.scalar(
        select(AppraisalRevision)
        .where(AppraisalRevision.appraisal_id == appraisal.id)
        .order_by(AppraisalRevision.revision.desc())
        .limit(1)
    )


def finalized_sheet(appraisal: Appraisal, facts: SheetFacts | None = None) -> dict[str, Any] | None:
    """The last finalized result of `appraisal`, as a streamer may see it: the appraisal while
    finalized; while an administrator has reopened its cycle, the latest revision (what was
    finalized) with `under_review` True; None for a draft that was never finalized.
    `revision`: the number of the finalized revision shown (None before revisions existed).
    `facts` as for `appraisal_sheet` (an empty `SheetFacts()` when a list needs none)."""
    revision = latest_revision(appraisal)
    if appraisal.status == "finalized":
        sheet = appraisal_sheet(appraisal, facts)
        under_review = False
    elif revision is not None:
        sheet = revision_sheet(appraisal, revision, facts)
        under_review = True
    else:
        return None
    return {
        **sheet,
        "provisional": False,
        "under_review": under_review,
        "revision": None if revision is None else revision.revision,
    }
