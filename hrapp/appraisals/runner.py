"""Running a cycle: turn the quarter's stored rows into appraisals with the `scoring` library,
show what a re-run would change, and write the appraisals back.

Who is appraised (decided here, shown on the cycle page):
- every active streamer hired by the quarter's last day;
- every streamer who left on or after the quarter's first day — they earned commission on the
  sessions they hosted before leaving, and payroll settles it;
- anyone who hosted a session of the quarter, whatever the roster says, so no GMV is dropped;
- anyone already appraised in the cycle, so a re-run never silently drops an appraisal;
- anyone owed a late-data settlement of an earlier finalized quarter (`settlement`), a leaver
  too, for that line alone.

Each streamer is appraised at the level(s) held in the quarter (the level history), never at
today's level. A run is planned first (`plan_run`): every row computed, compared with the
stored appraisals; `preview_run` stops there and shows the changes (per streamer old → new
score, grade, payable, and the totals), `run_cycle` writes them. Writing is SQLAlchemy Core
executemany: ORM objects per row would be far too slow for 10,000 streamers. A re-run updates
draft appraisals in place (HR's pay adjustments and score override kept, settlement lines
recomputed, payable recomputed), leaves finalized ones alone, audits every change of score,
grade or payable, and clears the cycle's out-of-date mark.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from flask_babel import gettext as _
from sqlalchemy import bindparam, delete, func, insert, select, update

import scoring
from hrapp.appraisals import settlement, staleness
from hrapp.appraisals.models import (
    Appraisal,
    AppraisalAdjustment,
    AppraisalCycle,
    SchemeVersion,
)
from hrapp.appraisals.overrides import regrade
from hrapp.appraisals.quarter import appraise_quarter, frame
from hrapp.appraisals.schemes import ensure_default_scheme
from hrapp.appraisals.services import cycle_totals
from hrapp.core import audit
from hrapp.core.db import utcnow
from hrapp.core.errors import Conflict, Locked
from hrapp.core.messages import message
from hrapp.core.money import yuan_text
from hrapp.core.progress import ProgressFn, no_progress
from hrapp.extensions import db
from hrapp.streamers.models import Streamer

STEPS = 100  # progress is reported in percent of the whole run
WRITE_CHUNK = 2_000
# Figures copied from the scoring table onto each appraisal row.
FIGURE_COLUMNS = (
    "level",
    "category",
    "sessions",
    "on_air_seconds",
    "gmv_fen",
    "refunds_fen",
    "net_gmv_fen",
    "avg_watch_seconds",
    "new_followers",
    "net_followers",
    "score",
    "grade",
    "not_graded",
    "data_incomplete",
    "tier_commission_fen",
    "multiplier",
    "commission_fen",
    "promotion_eligible",
)
# What a change shows, old -> new.
SHOWN = ("score", "grade", "payable_fen")


@dataclass(frozen=True)
class Change:
    """One stored appraisal that the run changes (score, grade or payable)."""

    streamer_id: int
    employee_no: str
    name: str
    old: dict[str, Any]
    new: dict[str, Any]


@dataclass(frozen=True)
class RunPreview:
    """What a run would do: the changes to stored appraisals, how many new ones, the totals."""

    cycle: str
    scheme_version: int
    appraised: int
    created: int
    changes: list[Change]
    old_total_fen: int
    new_total_fen: int
    settlements: int

    @property
    def fingerprint(self) -> str:
        """Identifies these exact changes: applying checks that nothing moved since."""
        body = json.dumps(
            [self.scheme_version, self.created, [asdict(c) for c in self.changes]],
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(body.encode()).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        return {
            "cycle": self.cycle,
            "scheme_version": self.scheme_version,
            "appraised": self.appraised,
            "created": self.created,
            "changes": [asdict(c) for c in self.changes],
            "old_total_fen": self.old_total_fen,
            "new_total_fen": self.new_total_fen,
            "settlements": self.settlements,
            "fingerprint": self.fingerprint,
        }


@dataclass(frozen=True)
class RunSummary:
    """What a run did, for the CLI, the job result and the audit row."""

    cycle: str
    scheme_version: int
    appraised: int
    created: int
    updated: int
    changed: int  # updated appraisals whose score, grade or payable changed
    kept_finalized: int
    not_graded: int
    data_incomplete: int
    promotion_eligible: int
    total_payable: str  # yuan
    seconds: float
    settlements: int = 0
    changes: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def message_values(self) -> dict[str, Any]:
        """The placeholders the messages about a run use (the CLI's and the audit row's)."""
        return {
            "code": self.cycle,
            "version": self.scheme_version,
            "appraised": self.appraised,
            "created": self.created,
            "updated": self.updated,
            "changed": self.changed,
            "kept": self.kept_finalized,
            "not_graded": self.not_graded,
            "incomplete": self.data_incomplete,
            "payable": self.total_payable,
            "seconds": self.seconds,
        }


@dataclass
class Plan:
    """A run computed but not written: the new rows, the stored ones, the settlement lines."""

    cycle: AppraisalCycle
    version: SchemeVersion
    result: scoring.AppraisalResult
    rows: list[dict[str, Any]]
    existing: dict[int, dict[str, Any]]
    lines: list[settlement.Line]
    changes: list[Change]

    def preview(self) -> RunPreview:
        old = sum(r["payable_fen"] or 0 for r in self.existing.values())
        new = sum(r["payable_fen"] or 0 for r in self.rows if not self._finalized(r))
        new += sum(
            r["payable_fen"] or 0 for r in self.existing.values() if r["status"] == "finalized"
        )
        return RunPreview(
            cycle=self.cycle.code,
            scheme_version=self.version.version,
            appraised=len(self.rows),
            created=sum(1 for r in self.rows if r["streamer_id"] not in self.existing),
            changes=self.changes,
            old_total_fen=old,
            new_total_fen=new,
            settlements=len(self.lines),
        )

    def _finalized(self, row: dict[str, Any]) -> bool:
        old = self.existing.get(row["streamer_id"])
        return old is not None and old["status"] == "finalized"


def plan_run(cycle: AppraisalCycle, report: ProgressFn = no_progress) -> Plan:
    """Compute the run of an open cycle with the active scheme, writing nothing.

    Raises Locked for a finalized cycle and ValidationFailed (every problem listed) when the
    stored data cannot be scored, e.g. a level the scheme does not know.
    """
    cycle = _locked_open_cycle(cycle)
    version = ensure_default_scheme()
    scheme = scoring.load_scheme(version.toml)
    report(0, STEPS, message("Loading the quarter's sessions"))
    existing = _existing(cycle)
    lines = settlement.lines_for(cycle)
    report(50, STEPS, message("Scoring the quarter"))
    keep = set(existing) | {line.streamer_id for line in lines}
    chosen, result = appraise_quarter(cycle, scheme, keep)
    report(65, STEPS, message("Comparing with the stored appraisals"))
    rows = _rows(cycle, version, scheme, chosen, result, existing, lines)
    return Plan(cycle, version, result, rows, existing, lines, _changes(rows, existing))


def preview_run(cycle: AppraisalCycle, progress: ProgressFn | None = None) -> RunPreview:
    """What `run_cycle` would change, without changing anything."""
    report = progress or no_progress
    preview = plan_run(cycle, report).preview()
    report(STEPS, STEPS, message("Done"))
    return preview


def run_cycle(
    cycle: AppraisalCycle, progress: ProgressFn | None = None, *, expected: str | None = None
) -> RunSummary:
    """Appraise the cycle's quarter with the active scheme and store the appraisals (flushes).

    `expected`: the fingerprint of a preview the user confirmed; when the changes are no
    longer those, Conflict is raised and nothing is written (the data moved meanwhile).
    """
    report = progress or no_progress
    started = time.perf_counter()
    plan = plan_run(cycle, report)
    cycle = plan.cycle
    if expected is not None and plan.preview().fingerprint != expected:
        raise Conflict(
            message(
                "The data of cycle %(code)s changed after the preview: nothing was applied. "
                "Look at the changes again.",
                code=cycle.code,
            )
        )
    before = _cycle_state(cycle)
    report(70, STEPS, message("Saving appraisals"))
    counts = _write(plan, report)
    cycle.scheme_version_id = plan.version.id
    cycle.last_run_at = utcnow()
    staleness.cleared(cycle)
    db.session.flush()
    db.session.expire_all()  # rows were written with Core: loaded objects are stale
    _note_overrides(cycle)
    table = plan.result.table
    summary = RunSummary(
        cycle=cycle.code,
        scheme_version=plan.version.version,
        appraised=len(table),
        kept_finalized=counts["kept"],
        created=counts["created"],
        updated=counts["updated"],
        changed=len(plan.changes),
        not_graded=int(table["not_graded"].sum()),
        data_incomplete=int(table["data_incomplete"].sum()),
        promotion_eligible=int(table["promotion_eligible"].fillna(False).sum()),
        total_payable=yuan_text(_cycle_state(cycle)["total_payable_fen"]),
        seconds=round(time.perf_counter() - started, 3),
        settlements=len(plan.lines),
        changes=[asdict(change) for change in plan.changes],
    )
    _audit_run(cycle, before, summary)
    report(STEPS, STEPS, message("Done"))
    return summary


def change_text(change: dict[str, Any]) -> str:
    """One changed appraisal as a line: "E1001 王小红: score 90.00 → 99.37, grade A → S,
    payable ¥12650.00 → ¥19000.00" (only what moved)."""
    old, new = change["old"], change["new"]
    parts = []
    if old["score"] != new["score"]:
        parts.append(
            _("score %(old)s → %(new)s", old=_score(old["score"]), new=_score(new["score"]))
        )
    if old["grade"] != new["grade"]:
        none = _("not graded")
        parts.append(
            _("grade %(old)s → %(new)s", old=old["grade"] or none, new=new["grade"] or none)
        )
    if old["payable_fen"] != new["payable_fen"]:
        parts.append(
            _(
                "payable ¥%(old)s → ¥%(new)s",
                old=yuan_text(old["payable_fen"]),
                new=yuan_text(new["payable_fen"]),
            )
        )
    return f"{change['employee_no']} {change['name']}: " + _(", ").join(parts)


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _locked_open_cycle(cycle: AppraisalCycle) -> AppraisalCycle:
    """The cycle re-read under a row lock (PostgreSQL; SQLite's writer lock does the same),
    refused when it is finalized."""
    fresh = db.session.scalars(
        select(AppraisalCycle)
        .where(AppraisalCycle.id == cycle.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if fresh.status == "finalized":
        raise Locked(
            message(
                "Cycle %(code)s is finalized: its appraisals can no longer be recomputed. "
                "An administrator can reopen it.",
                code=fresh.code,
            )
        )
    return fresh


def _existing(cycle: AppraisalCycle) -> dict[int, dict[str, Any]]:
    """The stored appraisals by streamer id, with the sum of HR's pay adjustments."""
    pay = (
        select(
            AppraisalAdjustment.appraisal_id,
            func.sum(AppraisalAdjustment.amount_fen).label("pay_fen"),
        )
        .where(AppraisalAdjustment.kind == "pay")
        .group_by(AppraisalAdjustment.appraisal_id)
        .subquery()
    )
    query = (
        select(
            Appraisal.id,
            Appraisal.streamer_id,
            Appraisal.status,
            Appraisal.score,
            Appraisal.score_override,
            Appraisal.grade,
            Appraisal.payable_fen,
            func.coalesce(pay.c.pay_fen, 0).label("pay_fen"),
        )
        .outerjoin(pay, pay.c.appraisal_id == Appraisal.id)
        .where(Appraisal.cycle_id == cycle.id)
    )
    stored = frame(query)
    return {
        int(row["streamer_id"]): {key: _plain(value) for key, value in row.items()}
        for row in stored.to_dict("records")
    }


def _plain(value: Any) -> Any:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.item() if isinstance(value, np.generic) else value


# --- writing ----------------------------------------------------------------------------------


def _values(column: pd.Series) -> list[Any]:
    """Python scalars with None for every kind of missing value."""
    values = column.to_numpy(dtype=object, copy=True)
    values[pd.isna(values)] = None
    return [v.item() if isinstance(v, np.generic) else v for v in values]


def _rows(
    cycle: AppraisalCycle,
    version: SchemeVersion,
    scheme: scoring.Scheme,
    roster: pd.DataFrame,
    result: scoring.AppraisalResult,
    existing: dict[int, dict[str, Any]],
    lines: list[settlement.Line],
) -> list[dict[str, Any]]:
    """One appraisal row per streamer, in the roster's order (the table's order too), with its
    adjustment total (HR's pay adjustments kept, this run's settlement lines) and payable."""
    table = result.table
    columns = {name: _values(table[name]) for name in FIGURE_COLUMNS}
    teams = dict(zip(_values(table["streamer_id"]), _values(roster["team"]), strict=True))
    settled: dict[int, int] = {}
    for line in lines:
        settled[line.streamer_id] = settled.get(line.streamer_id, 0) + line.amount_fen
    now = utcnow()
    rows = []
    for index, streamer_id in enumerate(_values(table["streamer_id"])):
        row = {name: values[index] for name, values in columns.items()}
        row["category"] = row["category"] or ""
        row["team"] = teams[streamer_id] or ""
        row["promotion_eligible"] = bool(row["promotion_eligible"])
        explanation = result.explanations[streamer_id]
        explanation["scheme_version"] = version.version
        old = existing.get(streamer_id, {})
        if old.get("score_override") is not None:
            _override(row, explanation, old["score_override"], scheme)
        adjustment = int(old.get("pay_fen") or 0) + settled.get(streamer_id, 0)
        row.update(
            cycle_id=cycle.id,
            streamer_id=streamer_id,
            scheme_version_id=version.id,
            explanation=explanation,
            computed_at=now,
            adjustment_fen=adjustment,
            payable_fen=_payable(row["commission_fen"], adjustment),
        )
        rows.append(row)
    return rows


def _override(
    row: dict[str, Any], explanation: dict[str, Any], score: float, scheme: scoring.Scheme
) -> None:
    """HR's score override, re-applied to the recomputed quarter: re-grade, new multiplier."""
    overridden = scoring.with_score(
        score,
        row["net_gmv_fen"],
        row["on_air_seconds"] or 0,
        explanation["min_on_air_hours"],
        row["level"],
        scheme,
    )
    explanation["score_override"] = {"score": score, "computed_score": row["score"]}
    explanation["grade"], explanation["grade_band"] = overridden["grade"], overridden["grade_band"]
    explanation["commission"] = overridden["commission"]
    for name in (
        "score",
        "grade",
        "not_graded",
        "tier_commission_fen",
        "multiplier",
        "commission_fen",
    ):
        row[name] = overridden[name]


def _note_overrides(cycle: AppraisalCycle) -> None:
    """The overridden drafts (a few) get their override note, with HR's reason, from the one
    place that writes it; the figures `_override` already wrote stay as they are."""
    overridden = select(Appraisal).where(
        Appraisal.cycle_id == cycle.id,
        Appraisal.status == "draft",
        Appraisal.score_override.is_not(None),
    )
    for appraisal in db.session.scalars(overridden):
        regrade(appraisal)
    db.session.flush()


def _payable(commission_fen: int | None, adjustment_fen: int) -> int | None:
    return None if commission_fen is None else commission_fen + adjustment_fen


def _shown(state: dict[str, Any]) -> dict[str, Any]:
    score = state.get("score")
    return {
        "score": None if score is None else round(float(score), 2),
        "grade": state.get("grade"),
        "payable_fen": None if state.get("payable_fen") is None else int(state["payable_fen"]),
    }


def _changes(rows: list[dict[str, Any]], existing: dict[int, dict[str, Any]]) -> list[Change]:
    """Stored draft appraisals whose score, grade or payable the run changes."""
    moved = []
    for row in rows:
        old = existing.get(row["streamer_id"])
        if old is None or old["status"] == "finalized":
            continue
        was, now = _shown(old), _shown(row)
        if was != now:
            moved.append((row["streamer_id"], was, now))
    names = _names([streamer_id for streamer_id, _, _ in moved])
    return [
        Change(streamer_id, *names[streamer_id], old=was, new=now)
        for streamer_id, was, now in moved
    ]


def _names(ids: list[int]) -> dict[int, tuple[str, str]]:
    found: dict[int, tuple[str, str]] = {}
    for start in range(0, len(ids), WRITE_CHUNK):
        chunk = ids[start : start + WRITE_CHUNK]
        for streamer_id, number, name in db.session.execute(
            select(Streamer.id, Streamer.employee_no, Streamer.legal_name).where(
                Streamer.id.in_(chunk)
            )
        ):
            found[streamer_id] = (number, name)
    return found


def _chunks(rows: Sequence[dict[str, Any]]) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), WRITE_CHUNK):
        yield rows[start : start + WRITE_CHUNK]


def _write(plan: Plan, report: ProgressFn) -> dict[str, int]:
    """Insert new appraisals, update drafts in place, keep finalized ones; write this run's
    settlement lines; audit changes."""
    inserts, updates = [], []
    kept = 0
    for row in plan.rows:
        old = plan.existing.get(row["streamer_id"])
        if old is None:
            inserts.append({**row, "status": "draft"})
        elif old["status"] == "finalized":
            kept += 1
        else:
            updates.append({**row, "row_id": int(old["id"])})
    table = Appraisal.__table__
    written, total = 0, max(len(inserts) + len(updates), 1)
    for chunk in _chunks(inserts):
        db.session.execute(insert(table), chunk)
        written += len(chunk)
        report(70 + 25 * written // total, STEPS, message("Saving appraisals"))
    statement = (
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values(lock_version=table.c.lock_version + 1)
    )
    for chunk in _chunks(updates):
        db.session.execute(statement, chunk)
        written += len(chunk)
        report(70 + 25 * written // total, STEPS, message("Saving appraisals"))
    _write_settlements(plan)
    _audit_changes(plan.cycle, plan.changes)
    return {"created": len(inserts), "updated": len(updates), "kept": kept}


def _write_settlements(plan: Plan) -> None:
    """Replace the cycle's settlement lines with this run's (never one more per run)."""
    appraisal_ids = select(Appraisal.id).where(Appraisal.cycle_id == plan.cycle.id)
    db.session.execute(
        delete(AppraisalAdjustment).where(
            AppraisalAdjustment.kind == settlement.SETTLEMENT,
            AppraisalAdjustment.appraisal_id.in_(appraisal_ids),
        ),
        execution_options={"synchronize_session": False},
    )
    if not plan.lines:
        return
    ids = dict(
        db.session.execute(
            select(Appraisal.streamer_id, Appraisal.id).where(
                Appraisal.cycle_id == plan.cycle.id,
                Appraisal.streamer_id.in_({line.streamer_id for line in plan.lines}),
            )
        ).all()
    )
    now = utcnow()
    db.session.execute(
        insert(AppraisalAdjustment.__table__),
        [
            {
                "appraisal_id": ids[line.streamer_id],
                "kind": settlement.SETTLEMENT,
                "amount_fen": line.amount_fen,
                "source_cycle_id": line.source_cycle_id,
                "reason": line.reason[:500],
                "reason_params": line.params,
                "created_at": now,
            }
            for line in plan.lines
        ],
    )


# --- audit ------------------------------------------------------------------------------------


def _audit_changes(cycle: AppraisalCycle, changes: list[Change]) -> None:
    """One row per re-computed appraisal whose score, grade or payable changed: old -> new."""

    def shown(state: dict[str, Any]) -> dict[str, Any]:
        return {
            "score": state["score"],
            "grade": state["grade"],
            "payable_fen": state["payable_fen"],
        }

    ids = (
        dict(
            db.session.execute(
                select(Appraisal.streamer_id, Appraisal.id).where(Appraisal.cycle_id == cycle.id)
            ).all()
        )
        if changes
        else {}
    )
    for change in changes:
        audit.record(
            "appraisal.recompute",
            "appraisal",
            ids[change.streamer_id],
            changes=audit.diff(shown(change.old), shown(change.new)),
            summary=message("Recomputed in the run of cycle %(code)s.", code=cycle.code),
        )


def _cycle_state(cycle: AppraisalCycle) -> dict[str, Any]:
    """Counts and totals the run's audit row compares before and after."""
    totals = cycle_totals(cycle.id)
    version = db.session.scalar(
        select(SchemeVersion.version).where(SchemeVersion.id == cycle.scheme_version_id)
    )
    return {
        "scheme_version": version,
        "appraisals": totals["appraised"],
        "not_graded": totals["not_graded"],
        "total_payable_fen": totals["payable_fen"],
    }


def _audit_run(cycle: AppraisalCycle, before: dict[str, Any], summary: RunSummary) -> None:
    after = _cycle_state(cycle)
    audit.record(
        "cycle.run",
        "appraisal_cycle",
        cycle.id,
        changes=audit.diff(before, after),
        summary=message(
            "Cycle %(code)s run with scheme version %(version)d: %(appraised)d appraised "
            "(%(created)d new, %(updated)d updated, %(changed)d with a new score, grade or "
            "payable, %(kept)d finalized kept), %(not_graded)d not graded, %(incomplete)d with "
            "incomplete data.",
            **summary.message_values(),
        ),
    )
