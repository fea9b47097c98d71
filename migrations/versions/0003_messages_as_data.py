"""Messages as data: stored English sentences become message ids with parameters.

Whatever was stored for later display as an English sentence (scoring's reasons in appraisal
explanations, audit summaries, job titles) is rewritten as ``{"id": msgid, "params": {...}}``
(hrapp/core/messages.py), so that each reader sees it in their own language. A sentence this
migration does not recognise is kept as it is: it is shown as written.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 00:10:00

"""
import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    connection = op.get_bind()
    _scoring_reasons(connection)
    _audit_and_jobs(connection)


def downgrade():
    pass


def _scoring_reasons(connection) -> None:
    """Appraisal explanations: not-graded and data-incomplete reasons.

    Scoring's reasons become the codes with facts the scoring library now writes (documented
    with `scoring.appraise.appraise`; worded by hrapp/appraisals/reasons.py), in the appraisals'
    explanations and in the explanations kept by finalized revisions (the same facts, kept in
    the form every reader can word). The old sentences, exactly as scoring wrote them:
        "on air 12.50 h, below 30 h"
            -> {"code": "below_min_hours", "hours": 12.5, "threshold": 30}
        "score unknown: net_gmv, avg_watch_seconds unknown"
            -> {"code": "score_unknown", "metrics": ["net_gmv", "avg_watch_seconds"]}
        "avg_watch_seconds unknown in 1 of 106 sessions" ("on-air time (no end time, no
        duration)" for on-air time)
            -> {"code": "unknown_in_sessions", "figure": "avg_watch_seconds", "missing": 1,
                "sessions": 106}
    A sentence of any other form, or naming a figure or metric scoring never named, is kept.
    """
    appraisals = sa.table(
        "appraisals", sa.column("id", sa.Integer), sa.column("explanation", sa.JSON)
    )
    revisions = sa.table(
        "appraisal_revisions", sa.column("id", sa.Integer), sa.column("snapshot", sa.JSON)
    )
    _rewrite_json(connection, appraisals, appraisals.c.explanation, _reasons_as_codes)
    _rewrite_json(connection, revisions, revisions.c.snapshot, _snapshot_reasons_as_codes)


_BATCH = 500
# Scoring's old sentences, exactly as it wrote them.
_OLD_BELOW_MIN_HOURS = r"on air (\d+\.\d\d) h, below (\d+(?:\.\d+)?) h"
_OLD_SCORE_UNKNOWN = r"score unknown: ([a-z_]+(?:, [a-z_]+)*) unknown"
_OLD_UNKNOWN_IN_SESSIONS = r"(.+) unknown in (\d+) of (\d+) sessions"
_OLD_FIGURES = {
    "on-air time (no end time, no duration)": "on_air_seconds",
    **{
        name: name
        for name in (
            "gmv_fen",
            "refunds_fen",
            "viewers",
            "views",
            "new_followers",
            "unfollows",
            "buyers",
            "orders",
            "avg_watch_seconds",
        )
    },
}
_METRICS = {
    "net_gmv",
    "avg_watch_seconds",
    "net_followers",
    "on_air_hours",
    "conversion",
    "refund_rate",
    "gmv_per_hour",
}


def _rewrite_json(connection, table, column, rewrite) -> None:
    """Rewrite `column` of the rows whose text mentions an old reason, a batch at a time;
    `rewrite` returns the new value, or None to leave the row as it is."""
    text = sa.cast(column, sa.Text)
    mentions = sa.or_(text.like("%unknown%"), text.like("%on air %"))
    update = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("row_id"))
        .values({column.name: sa.bindparam("new_value")})
    )
    last = 0
    while True:
        rows = connection.execute(
            sa.select(table.c.id, column)
            .where(table.c.id > last, mentions)
            .order_by(table.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        changed = []
        for row_id, value in rows:
            new_value = rewrite(value)
            if new_value is not None:
                changed.append({"row_id": row_id, "new_value": new_value})
        if changed:
            connection.execute(update, changed)
        last = rows[-1][0]


def _snapshot_reasons_as_codes(snapshot):
    if not isinstance(snapshot, dict):
        return None
    explanation = _reasons_as_codes(snapshot.get("explanation"))
    return None if explanation is None else {**snapshot, "explanation": explanation}


def _reasons_as_codes(explanation):
    """The explanation with its old sentences as codes; None when nothing changes."""
    if not isinstance(explanation, dict):
        return None
    new = dict(explanation)
    reason = explanation.get("not_graded_reason")
    if isinstance(reason, str):
        new["not_graded_reason"] = _not_graded_code(reason) or reason
    reasons = explanation.get("incomplete_reasons")
    if isinstance(reasons, list):
        new["incomplete_reasons"] = [
            (_incomplete_code(item) or item) if isinstance(item, str) else item for item in reasons
        ]
    return None if new == explanation else new


def _not_graded_code(sentence):
    hours = re.fullmatch(_OLD_BELOW_MIN_HOURS, sentence)
    if hours:
        threshold = hours[2]
        return {
            "code": "below_min_hours",
            "hours": float(hours[1]),
            "threshold": float(threshold) if "." in threshold else int(threshold),
        }
    unknown = re.fullmatch(_OLD_SCORE_UNKNOWN, sentence)
    if unknown:
        metrics = unknown[1].split(", ")
        if all(metric in _METRICS for metric in metrics):
            return {"code": "score_unknown", "metrics": metrics}
    return None


def _incomplete_code(sentence):
    unknown = re.fullmatch(_OLD_UNKNOWN_IN_SESSIONS, sentence)
    if unknown and unknown[1] in _OLD_FIGURES:
        return {
            "code": "unknown_in_sessions",
            "figure": _OLD_FIGURES[unknown[1]],
            "missing": int(unknown[2]),
            "sessions": int(unknown[3]),
        }
    return None


def _audit_and_jobs(connection) -> None:
    """Audit summaries and job titles."""
