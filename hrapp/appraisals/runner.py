"""Running a cycle: the one place that turns stored rows into DataFrames, scores them with the
`scoring` library, and writes the appraisals back.

Who is appraised (decided here, shown on the cycle page):
- every active streamer hired by the quarter's last day;
- every streamer who left on or after the quarter's first day — they earned commission on the
  sessions they hosted before leaving, and payroll settles it;
- anyone who hosted a session of the quarter, whatever the roster says, so no GMV is dropped;
- anyone already appraised in the cycle, so a re-run never silently drops an appraisal.

Loading is one query per table through `pandas.read_sql` (sessions starting inside the
quarter's UTC bounds, computed from its dates in the organisation's zone; their hosts; the
roster; earlier quarters' appraisals), plus the training facts. Writing is SQLAlchemy Core
executemany: ORM objects per row would be far too slow for 10,000 streamers. A re-run updates
draft appraisals in place (adjustments kept, payable recomputed), leaves finalized ones alone,
and audits every change of payable or grade.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from flask_babel import gettext as _
from sqlalchemy import (
    Select,
    String,
    bindparam,
    insert,
    select,
    type_coerce,
    update,
)

import scoring
from hrapp.appraisals.models import Appraisal, AppraisalCycle, SchemeVersion
from hrapp.appraisals.schemes import ensure_default_scheme
from hrapp.appraisals.services import cycle_totals
from hrapp.core import audit
from hrapp.core.db import utcnow
from hrapp.core.errors import Locked, ValidationFailed
from hrapp.core.money import yuan_text
from hrapp.extensions import db
from hrapp.jobs.services import ProgressFn, no_progress
from hrapp.live_sessions.models import LiveSession, SessionHost
from hrapp.streamers.models import LevelChange, Streamer
from scoring.period import previous_quarter_codes

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
INSTANT_COLUMNS = ("started_at", "ended_at")
HOST_COLUMNS = ("session_id", "streamer_id", "share_bp")
SESSION_COLUMNS = (
    "started_at",
    "ended_at",
    "on_air_seconds",
    "viewers",
    "views",
    "new_followers",
    "unfollows",
    "buyers",
    "orders",
    "avg_watch_seconds",
    "gmv_fen",
    "refunds_fen",
)


@dataclass(frozen=True)
class RunSummary:
    """What a run did, for the CLI, the job result and the audit row."""

    cycle: str
    scheme_version: int
    appraised: int
    created: int
    updated: int
    changed: int  # updated appraisals whose payable or grade changed
    kept_finalized: int
    not_graded: int
    data_incomplete: int
    promotion_eligible: int
    total_payable: str  # yuan
    seconds: float

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


def run_cycle(cycle: AppraisalCycle, progress: ProgressFn | None = None) -> RunSummary:
    """Appraise the cycle's quarter with the active scheme and store the appraisals (flushes).

    Raises Locked for a finalized cycle and ValidationFailed (every problem listed) when the
    stored data cannot be scored, e.g. a level the scheme does not know.
    """
    report = progress or no_progress
    started = time.perf_counter()
    cycle = _locked_open_cycle(cycle)
    version = ensure_default_scheme()
    scheme = scoring.load_scheme(version.toml)
    period = scoring.Period(cycle.starts_on, cycle.ends_on, cycle.timezone)
    before = _cycle_state(cycle)

    report(0, STEPS, _("Loading the quarter's sessions"))
    low, high = period.utc_bounds()
    sessions, hosts = load_quarter(low.to_pydatetime(), high.to_pydatetime())
    report(55, STEPS, _("Loading the roster and training"))
    existing = _existing(cycle)
    roster = _appraised_streamers(cycle, _roster(), hosts, existing)
    inputs = _promotion_inputs(cycle, scheme)
    history = _level_history(cycle)
    report(60, STEPS, _("Scoring %(n)d streamers", n=len(roster)))
    try:
        result = scoring.appraise(
            sessions, hosts, roster, scheme, period, inputs, level_history=history
        )
    except scoring.ScoringInputError as exc:
        raise ValidationFailed(
            _("Cycle %(code)s cannot be scored; nothing was changed.", code=cycle.code),
            exc.problems,
        ) from None
    report(70, STEPS, _("Saving appraisals"))
    counts = _write(cycle, version, roster, result, existing, report)

    cycle.scheme_version_id = version.id
    cycle.last_run_at = utcnow()
    db.session.flush()
    db.session.expire_all()  # rows were written with Core: loaded objects are stale
    table = result.table
    summary = RunSummary(
        cycle=cycle.code,
        scheme_version=version.version,
        appraised=len(table),
        kept_finalized=counts["kept"],
        created=counts["created"],
        updated=counts["updated"],
        changed=counts["changed"],
        not_graded=int(table["not_graded"].sum()),
        data_incomplete=int(table["data_incomplete"].sum()),
        promotion_eligible=int(table["promotion_eligible"].fillna(False).sum()),
        total_payable=yuan_text(_cycle_state(cycle)["total_payable"]),
        seconds=round(time.perf_counter() - started, 3),
    )
    _audit_run(cycle, before, summary)
    report(STEPS, STEPS, _("Done"))
    return summary


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
            _(
                "Cycle %(code)s is finalized: its appraisals can no longer be recomputed. "
                "An administrator can reopen it.",
                code=fresh.code,
            )
        )
    return fresh


# --- loading ----------------------------------------------------------------------------------


def _frame(query: Select[Any]) -> pd.DataFrame:
    return pd.read_sql(query, db.session.connection())


def _utc(series: pd.Series) -> pd.Series:
    """Instants as UTC datetimes: SQLite hands back text (naive UTC), PostgreSQL aware
    datetimes."""
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        return series.dt.tz_convert("UTC")
    return pd.to_datetime(series, utc=True, format="ISO8601")


def _raw(column: Any) -> Any:
    """The column as the driver returns it: SQLite's instants stay text for pandas to parse in
    one vectorised pass, instead of a Python datetime built per value (1.3 million a quarter)."""
    return type_coerce(column, String).label(column.key)


def load_quarter(low: dt.datetime, high: dt.datetime) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(sessions, hosts) frames of the sessions starting in [low, high), from one query.

    One row per host of a session, so a co-hosted session comes twice and is kept once in the
    sessions frame; a session nobody hosted is attributed to no one and is not needed. One
    joined query instead of two halves the rows Python has to build, which is most of a run's
    time.
    """
    columns = [
        _raw(column) if name in INSTANT_COLUMNS else column
        for name, column in ((name, getattr(LiveSession, name)) for name in SESSION_COLUMNS)
    ]
    query = (
        select(SessionHost.streamer_id, SessionHost.share_bp, LiveSession.id.label("session_id"))
        .add_columns(*columns)
        .join(LiveSession, LiveSession.id == SessionHost.session_id)
        .where(LiveSession.started_at >= low, LiveSession.started_at < high)
    )
    rows = _frame(query)
    hosts = rows[list(HOST_COLUMNS)].astype("int64")
    sessions = rows.drop(columns=["streamer_id", "share_bp"]).drop_duplicates("session_id")
    sessions = sessions.reset_index(drop=True)
    for name in sessions.columns:
        # An empty result or an all-NULL column comes back untyped; the library wants numbers.
        convert = _utc if name in INSTANT_COLUMNS else pd.to_numeric
        sessions[name] = convert(sessions[name])
    return sessions, hosts


def _existing(cycle: AppraisalCycle) -> pd.DataFrame:
    query = select(
        Appraisal.id,
        Appraisal.streamer_id,
        Appraisal.status,
        Appraisal.adjustment_fen,
        Appraisal.payable_fen,
        Appraisal.grade,
    ).where(Appraisal.cycle_id == cycle.id)
    return _frame(query).set_index("streamer_id")


def _roster() -> pd.DataFrame:
    """Every streamer with what the run needs to choose, appraise and snapshot them."""
    query = select(
        Streamer.id.label("streamer_id"),
        Streamer.level,
        Streamer.category,
        Streamer.level_since,
        Streamer.team,
        Streamer.status,
        Streamer.hire_date,
        Streamer.left_on,
    ).order_by(Streamer.id)
    return _frame(query)


def _level_history(cycle: AppraisalCycle) -> pd.DataFrame:
    """Every level change effective by the quarter's last day, in the order made: the level in
    force on each day of the quarter comes from these, never from today's level (a change
    dated later cannot touch the quarter)."""
    return _frame(
        select(
            LevelChange.streamer_id,
            LevelChange.effective_on,
            LevelChange.from_level,
            LevelChange.to_level,
        )
        .where(LevelChange.effective_on <= cycle.ends_on)
        .order_by(LevelChange.streamer_id, LevelChange.effective_on, LevelChange.id)
    )


def _appraised_streamers(
    cycle: AppraisalCycle, roster: pd.DataFrame, hosts: pd.DataFrame, existing: pd.DataFrame
) -> pd.DataFrame:
    """The roster rows of everyone appraised (see the module docstring)."""
    hired = _dates(roster["hire_date"])
    left = _dates(roster["left_on"])
    starts, ends = pd.Timestamp(cycle.starts_on), pd.Timestamp(cycle.ends_on)
    active = (roster["status"] == "active") & (hired.isna() | (hired <= ends))
    left_during = (roster["status"] == "left") & (left >= starts)
    hosted = roster["streamer_id"].isin(hosts["streamer_id"].unique())
    appraised = roster["streamer_id"].isin(existing.index)
    chosen = roster[(active | left_during | hosted | appraised).to_numpy(dtype=bool)].copy()
    chosen["level_since"] = _dates(chosen["level_since"])
    return chosen.reset_index(drop=True)


def _dates(series: pd.Series) -> pd.Series:
    """Calendar dates as naive datetimes (SQLite hands back text)."""
    return pd.to_datetime(series, format="ISO8601")


def _promotion_inputs(cycle: AppraisalCycle, scheme: scoring.Scheme) -> scoring.PromotionInputs:
    """Earlier quarters' appraisals, training records and mentees' records, as of quarter end."""
    from hrapp.training.services import mentee_facts, training_facts

    window = max((rule.window_quarters or 1 for rule in scheme.promotion), default=1)
    history = _frame(
        select(
            Appraisal.streamer_id,
            AppraisalCycle.code.label("cycle"),
            Appraisal.grade,
            Appraisal.on_air_seconds,
            Appraisal.gmv_fen,
            Appraisal.refunds_fen,
        )
        .join(AppraisalCycle, AppraisalCycle.id == Appraisal.cycle_id)
        # The window's earlier quarters: the appraised one is being computed now.
        .where(AppraisalCycle.code.in_(previous_quarter_codes(cycle.code, window)[1:]))
    )
    return scoring.PromotionInputs(
        as_of=cycle.ends_on,
        history=_or_none(history),
        training=_or_none(training_facts()),
        mentees=_or_none(mentee_facts()),
    )


def _or_none(frame: pd.DataFrame) -> pd.DataFrame | None:
    """`None` stands for an empty frame (an empty SQL result has no column types)."""
    return None if frame.empty else frame


# --- writing ----------------------------------------------------------------------------------


def _values(column: pd.Series) -> list[Any]:
    """Python scalars with None for every kind of missing value."""
    values = column.to_numpy(dtype=object, copy=True)
    values[pd.isna(values)] = None
    return [v.item() if isinstance(v, np.generic) else v for v in values]


def _rows(
    cycle: AppraisalCycle,
    version: SchemeVersion,
    roster: pd.DataFrame,
    result: scoring.AppraisalResult,
) -> list[dict[str, Any]]:
    """One appraisal row per streamer, in the roster's order (the table's order too)."""
    table = result.table
    columns = {name: _values(table[name]) for name in FIGURE_COLUMNS}
    columns["team"] = _values(roster["team"])
    ids = _values(table["streamer_id"])
    now = utcnow()
    rows = []
    for index, streamer_id in enumerate(ids):
        row = {name: values[index] for name, values in columns.items()}
        row["category"] = row["category"] or ""
        row["team"] = row["team"] or ""
        row["promotion_eligible"] = bool(row["promotion_eligible"])
        explanation = result.explanations[streamer_id]
        explanation["scheme_version"] = version.version
        row.update(
            cycle_id=cycle.id,
            streamer_id=streamer_id,
            scheme_version_id=version.id,
            explanation=explanation,
            computed_at=now,
        )
        rows.append(row)
    return rows


def _payable(commission_fen: int | None, adjustment_fen: int) -> int | None:
    return None if commission_fen is None else commission_fen + adjustment_fen


def _chunks(rows: Sequence[dict[str, Any]]) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), WRITE_CHUNK):
        yield rows[start : start + WRITE_CHUNK]


def _write(
    cycle: AppraisalCycle,
    version: SchemeVersion,
    roster: pd.DataFrame,
    result: scoring.AppraisalResult,
    existing: pd.DataFrame,
    report: ProgressFn,
) -> dict[str, int]:
    """Insert new appraisals, update drafts in place, keep finalized ones; audit changes."""
    known = existing.to_dict("index")
    inserts, updates, changes = [], [], []
    kept = 0
    for row in _rows(cycle, version, roster, result):
        old = known.get(row["streamer_id"])
        if old is None:
            inserts.append(
                {
                    **row,
                    "adjustment_fen": 0,
                    "payable_fen": row["commission_fen"],
                    "status": "draft",
                }
            )
            continue
        if old["status"] == "finalized":
            kept += 1
            continue
        adjustment = int(old["adjustment_fen"])
        payable = _payable(row["commission_fen"], adjustment)
        updates.append({**row, "row_id": int(old["id"]), "payable_fen": payable})
        was = {"payable_fen": _int_or_none(old["payable_fen"]), "grade": _str_or_none(old["grade"])}
        now = {"payable_fen": payable, "grade": row["grade"]}
        if was != now:
            changes.append((int(old["id"]), was, now))
    table = Appraisal.__table__
    written, total = 0, max(len(inserts) + len(updates), 1)
    for chunk in _chunks(inserts):
        db.session.execute(insert(table), chunk)
        written += len(chunk)
        report(70 + 28 * written // total, STEPS, _("Saving appraisals"))
    statement = (
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values(lock_version=table.c.lock_version + 1)
    )
    for chunk in _chunks(updates):
        db.session.execute(statement, chunk)
        written += len(chunk)
        report(70 + 28 * written // total, STEPS, _("Saving appraisals"))
    _audit_changes(cycle, changes)
    return {"created": len(inserts), "updated": len(updates), "changed": len(changes), "kept": kept}


def _int_or_none(value: Any) -> int | None:
    return None if pd.isna(value) else int(value)


def _str_or_none(value: Any) -> str | None:
    return None if pd.isna(value) else str(value)


# --- audit ------------------------------------------------------------------------------------


def _audit_changes(
    cycle: AppraisalCycle, changes: list[tuple[int, dict[str, Any], dict[str, Any]]]
) -> None:
    """One row per re-computed appraisal whose payable or grade changed: old -> new."""

    def shown(state: dict[str, Any]) -> dict[str, Any]:
        return {"grade": state["grade"], "payable": yuan_text(state["payable_fen"])}

    for appraisal_id, was, now in changes:
        audit.record(
            "appraisal.recompute",
            "appraisal",
            appraisal_id,
            changes=audit.diff(shown(was), shown(now)),
            summary=_("Recomputed in the run of cycle %(code)s.", code=cycle.code),
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
        "total_payable": totals["payable_fen"],
    }


def _audit_run(cycle: AppraisalCycle, before: dict[str, Any], summary: RunSummary) -> None:
    after = _cycle_state(cycle)
    shown = [
        {**state, "total_payable": yuan_text(state["total_payable"])} for state in (before, after)
    ]
    audit.record(
        "cycle.run",
        "appraisal_cycle",
        cycle.id,
        changes=audit.diff(*shown),
        summary=_(
            "Cycle %(code)s run with scheme version %(version)d: %(appraised)d appraised "
            "(%(created)d new, %(updated)d updated, %(changed)d with a new payable or grade, "
            "%(kept)d finalized kept), %(not_graded)d not graded, %(incomplete)d with "
            "incomplete data.",
            **summary.message_values(),
        ),
    )
