"""Late data for a finalized quarter, settled in a later cycle's run (domain.md, "Closing a
quarter").

A finalized quarter never changes. When sessions, refunds, hosts, rates, levels or training that
it reads change after it was finalized (`hrapp.appraisals.staleness` marks it), the next run of
a later open cycle re-reads the quarter under its pinned scheme version, keeps HR's adjustments
and score override of that quarter, and gives each streamer whose pay moved one adjustment
line: (what the quarter would pay now) − (what it paid) − (what other cycles already settled
for it). Negative is a clawback (追回), positive a top-up (补发). The run recomputes its lines
every time, so a line is never added twice, and a second late file settles only its own
difference.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from flask_babel import gettext as _
from sqlalchemy import func, select

import scoring
from hrapp.appraisals.models import Appraisal, AppraisalAdjustment, AppraisalCycle
from hrapp.appraisals.quarter import appraise_quarter, frame
from hrapp.core.money import yuan_display
from hrapp.extensions import db

# The figures a settlement's reason names when they moved, in this order.
MOVED_FIGURES = ("sessions", "net_gmv_fen", "refunds_fen", "on_air_seconds", "score", "grade")
SETTLEMENT = "settlement"


@dataclass(frozen=True)
class Line:
    """One streamer's settlement of one earlier quarter."""

    source_cycle_id: int
    streamer_id: int
    amount_fen: int
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def reason(self) -> str:
        return settlement_reason(self.params)


def settlement_reason(params: dict[str, Any]) -> str:
    """The line's reason in the current language, from its stored parameters."""
    moved = [_moved_text(name, old, new) for name, (old, new) in params.get("moved", {}).items()]
    values = {
        "quarter": params["quarter"],
        "paid": yuan_display(params["paid_fen"]),
        "now": yuan_display(params["now_fen"]),
        "settled": yuan_display(params["settled_fen"]),
        "moved": _("; ").join(moved) if moved else _("figures unchanged"),
    }
    if params["amount_fen"] < 0:
        text = _(
            "Clawback for %(quarter)s (late data): it paid %(paid)s, with the data now known "
            "it pays %(now)s (%(moved)s)",
            **values,
        )
    else:
        text = _(
            "Top-up for %(quarter)s (late data): it paid %(paid)s, with the data now known "
            "it pays %(now)s (%(moved)s)",
            **values,
        )
    if params["settled_fen"]:
        text += _("; %(settled)s of it was settled before", **values)
    return text


def shown_reason(line: AppraisalAdjustment) -> str:
    """An adjustment's reason in the reader's language: a settlement line's is rebuilt from its
    parameters, HR's lines keep the words HR wrote."""
    if line.kind == SETTLEMENT and line.reason_params:
        return settlement_reason(line.reason_params)
    return line.reason


def _moved_text(name: str, old: Any, new: Any) -> str:
    labels = {
        "sessions": _("sessions"),
        "net_gmv_fen": _("net GMV"),
        "refunds_fen": _("refunds"),
        "on_air_seconds": _("on-air hours"),
        "score": _("score"),
        "grade": _("grade"),
    }

    def shown(value: Any) -> str:
        if value is None:
            return "—"
        if name.endswith("_fen"):
            return yuan_display(value)
        if name == "on_air_seconds":
            return f"{value / 3600:.2f} h"
        if name == "score":
            return f"{value:.2f}"
        return str(value)

    return f"{labels[name]} {shown(old)} → {shown(new)}"


def lines_for(cycle: AppraisalCycle) -> list[Line]:
    """Every settlement line the run of `cycle` owes, for each finalized earlier quarter whose
    inputs changed after it was finalized."""
    lines: list[Line] = []
    for source in _late_quarters(cycle):
        lines += _settle(source, cycle)
    return lines


def _late_quarters(cycle: AppraisalCycle) -> list[AppraisalCycle]:
    return list(
        db.session.scalars(
            select(AppraisalCycle)
            .where(
                AppraisalCycle.status == "finalized",
                AppraisalCycle.ends_on < cycle.starts_on,
                AppraisalCycle.stale_since.is_not(None),
            )
            .order_by(AppraisalCycle.starts_on)
        )
    )


def _settle(source: AppraisalCycle, cycle: AppraisalCycle) -> list[Line]:
    """The lines for one finalized quarter: recompute, compare, subtract what was settled.

    The comparison is made on whole columns; only the streamers whose pay moved (a few, as a
    rule) get a line built, and only overridden ones read their explanation."""
    assert source.scheme_version is not None  # a finalized cycle has been run
    scheme = scoring.load_scheme(source.scheme_version.toml)
    finalized = _finalized(source)
    _, result = appraise_quarter(source, scheme, finalized.index)
    table = result.table.set_index("streamer_id")
    old = finalized.reindex(table.index)
    now = table["commission_fen"].astype("Int64").fillna(0).astype("int64")
    for streamer_id in old.index[old["score_override"].notna()]:
        overridden = _now(table.loc[streamer_id], result, old.loc[streamer_id], scheme)
        now.loc[streamer_id] = overridden["commission_fen"]
    paid = old["commission_fen"].astype("Int64").fillna(0).astype("int64")
    settled = pd.Series(_settled_elsewhere(source, cycle), dtype="int64")
    before = settled.reindex(table.index, fill_value=0)
    amount = now - paid - before
    lines = []
    for streamer_id in amount.index[amount != 0]:
        was = finalized.loc[streamer_id] if streamer_id in finalized.index else None
        figures = _now(table.loc[streamer_id], result, was, scheme)
        adjustment = 0 if was is None else _int(was["adjustment_fen"])
        params = {
            "quarter": source.code,
            "amount_fen": int(amount.loc[streamer_id]),
            "paid_fen": int(paid.loc[streamer_id]) + adjustment,
            "now_fen": int(now.loc[streamer_id]) + adjustment,
            "settled_fen": int(before.loc[streamer_id]),
            "moved": _moved(was, figures),
        }
        lines.append(Line(source.id, int(streamer_id), params["amount_fen"], params))
    return lines


def _finalized(source: AppraisalCycle) -> pd.DataFrame:
    """The finalized appraisals of `source`: what each paid and what HR decided."""
    return frame(
        select(
            Appraisal.streamer_id,
            Appraisal.sessions,
            Appraisal.net_gmv_fen,
            Appraisal.refunds_fen,
            Appraisal.on_air_seconds,
            Appraisal.score,
            Appraisal.score_override,
            Appraisal.grade,
            Appraisal.commission_fen,
            Appraisal.adjustment_fen,
        ).where(Appraisal.cycle_id == source.id)
    ).set_index("streamer_id")


def _settled_elsewhere(source: AppraisalCycle, cycle: AppraisalCycle) -> dict[int, int]:
    """Per streamer, what cycles other than `cycle` have already settled for `source`."""
    rows = db.session.execute(
        select(Appraisal.streamer_id, func.sum(AppraisalAdjustment.amount_fen))
        .join(Appraisal, Appraisal.id == AppraisalAdjustment.appraisal_id)
        .where(
            AppraisalAdjustment.kind == SETTLEMENT,
            AppraisalAdjustment.source_cycle_id == source.id,
            Appraisal.cycle_id != cycle.id,
        )
        .group_by(Appraisal.streamer_id)
    ).all()
    return {int(streamer_id): int(total) for streamer_id, total in rows}


def _now(
    row: pd.Series, result: scoring.AppraisalResult, old: pd.Series | None, scheme: scoring.Scheme
) -> dict[str, Any]:
    """The quarter's figures, score, grade and commission with the data now known (`row`, the
    streamer's row of `result.table` indexed by streamer id); HR's score override of the
    finalized quarter is kept."""
    figures = {name: _value(row[name]) for name in MOVED_FIGURES if name in row.index}
    commission = _value(row["commission_fen"])
    override = None if old is None else _value(old["score_override"])
    if override is not None:
        overridden = scoring.with_score(
            override,
            figures["net_gmv_fen"],
            figures["on_air_seconds"] or 0,
            result.explanations[int(row.name)]["min_on_air_hours"],
            str(row["level"]),
            scheme,
        )
        figures["score"], figures["grade"] = override, overridden["grade"]
        commission = overridden["commission_fen"]
    return {**figures, "commission_fen": commission or 0}


def _moved(old: pd.Series | None, now: dict[str, Any]) -> dict[str, list[Any]]:
    moved = {}
    for name in MOVED_FIGURES:
        before = None if old is None else _value(old[name])
        after = now.get(name)
        if name == "score" and before is not None and after is not None:
            if round(before, 2) == round(after, 2):
                continue
        elif before == after:
            continue
        moved[name] = [before, after]
    return moved


def _value(value: Any) -> Any:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def _int(value: Any) -> int:
    plain = _value(value)
    return 0 if plain is None else int(plain)
