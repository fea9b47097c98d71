"""What an appraisal page, the portal and the printed sheet show besides the stored appraisal:
the training completed in the quarter, the weekly trend, the data sources (the import batches
and exchange rates behind the figures) and the streamer's response (acknowledged or disputed).

Each function takes many appraisals at once, so that a whole cycle's sheets cost a few
queries, not a few per sheet. Read-only.

The figures of an appraisal are stored when it is computed and never recomputed; these facts
are read now. The data sources are the batches imported before the appraisal was computed
(late data, settled in a later quarter, is not behind its figures). The weekly trend reads the
sessions as known now: `PeriodFacts.weekly_net_gmv_fen` lets a page say when late data makes
the weeks add up to more or less than the quarter's figure.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from hrapp.appraisals.models import Appraisal, AppraisalCycle
from hrapp.core.money import round_half_up
from hrapp.extensions import db
from hrapp.intake.batch_model import ImportBatch
from hrapp.live_sessions.models import FULL_SHARE_BP, LiveSession, SessionHost
from hrapp.portal.models import AppraisalResponse, ResponseMessage
from hrapp.training.models import Module, TrainingRecord

SECONDS_PER_HOUR = 3600


@dataclass
class SheetFacts:
    """One appraisal's: `training` rows, `weekly` rows (every week of the quarter, Monday
    first, zero when nothing was streamed), `batches` and `rates` (data sources), and the
    streamer's `response` (None while they have not answered)."""

    training: list[dict[str, Any]] = field(default_factory=list)
    weekly: list[dict[str, Any]] = field(default_factory=list)
    batches: list[dict[str, Any]] = field(default_factory=list)
    rates: list[dict[str, Any]] = field(default_factory=list)
    # Sessions whose GMV is the buyer-paid amount (a per-session 直播大屏 download, no 罗盘 list).
    buyer_paid_gmv_sessions: int = 0
    response: dict[str, Any] | None = None

    @property
    def weekly_net_gmv_fen(self) -> int:
        return sum(week["net_gmv_fen"] for week in self.weekly)

    def to_dict(self) -> dict[str, Any]:
        return {
            "training": self.training,
            "weekly": self.weekly,
            "weekly_net_gmv_fen": self.weekly_net_gmv_fen,
            "data_sources": {
                "batches": self.batches,
                "rates": self.rates,
                "buyer_paid_gmv_sessions": self.buyer_paid_gmv_sessions,
            },
            "response": self.response,
        }


def sheet_facts(cycle: AppraisalCycle, appraisals: Iterable[Appraisal]) -> dict[int, SheetFacts]:
    """The facts of each of the cycle's `appraisals`, by streamer id."""
    chosen = list(appraisals)
    computed_at = {streamer_of(a): a.computed_at for a in chosen}
    ids = sorted(computed_at)
    facts = {streamer_id: SheetFacts() for streamer_id in ids}
    if not ids:
        return facts
    for streamer_id, rows in training_in_quarter(cycle, ids).items():
        facts[streamer_id].training = rows
    for streamer_id, rows in weekly_trend(cycle, ids).items():
        facts[streamer_id].weekly = rows
    for streamer_id, (batches, rates) in data_sources(cycle, computed_at).items():
        facts[streamer_id].batches, facts[streamer_id].rates = batches, rates
    for streamer_id, count in buyer_paid_gmv_sessions(cycle, ids).items():
        facts[streamer_id].buyer_paid_gmv_sessions = count
    stored = {a.id: streamer_of(a) for a in chosen if a.id is not None}
    for appraisal_id, response in responses(list(stored)).items():
        facts[stored[appraisal_id]].response = response
    return facts


def streamer_of(appraisal: Appraisal) -> int:
    """The streamer's id, also of an unsaved appraisal (the running quarter's) that holds only
    the streamer object."""
    if appraisal.streamer_id is not None:
        return appraisal.streamer_id
    return appraisal.streamer.id


def _utc_bounds(cycle: AppraisalCycle) -> tuple[dt.datetime, dt.datetime]:
    zone = ZoneInfo(cycle.timezone)
    after = cycle.ends_on + dt.timedelta(days=1)
    return (
        dt.datetime.combine(cycle.starts_on, dt.time(), zone).astimezone(dt.UTC),
        dt.datetime.combine(after, dt.time(), zone).astimezone(dt.UTC),
    )


def _chunks(ids: list[int], size: int = 500) -> Iterable[list[int]]:
    """Id lists short enough for an IN clause on every database."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def training_in_quarter(cycle: AppraisalCycle, ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Training records (not voided) completed inside the quarter, oldest first, failed
    attempts included (their `passed` is False)."""
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for chunk in _chunks(ids):
        rows = db.session.execute(
            select(TrainingRecord, Module.code, Module.title_zh, Module.title_en)
            .join(Module, Module.id == TrainingRecord.module_id)
            .where(
                TrainingRecord.streamer_id.in_(chunk),
                TrainingRecord.voided_at.is_(None),
                TrainingRecord.completed_on >= cycle.starts_on,
                TrainingRecord.completed_on <= cycle.ends_on,
            )
            .order_by(TrainingRecord.completed_on, TrainingRecord.id)
        ).all()
        for record, code, title_zh, title_en in rows:
            found[record.streamer_id].append(
                {
                    "module": code,
                    "title_zh": title_zh,
                    "title_en": title_en,
                    "completed_on": record.completed_on,
                    "score": record.score,
                    "passed": record.passed,
                    "trainer": record.trainer_name,
                }
            )
    return found


def quarter_weeks(cycle: AppraisalCycle) -> list[dt.date]:
    """The Mondays of the weeks (Monday to Sunday) that touch the quarter."""
    monday = cycle.starts_on - dt.timedelta(days=cycle.starts_on.weekday())
    weeks = []
    while monday <= cycle.ends_on:
        weeks.append(monday)
        monday += dt.timedelta(days=7)
    return weeks


def weekly_trend(cycle: AppraisalCycle, ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Per streamer and week of the quarter (the week in which a session starts, in the
    cycle's zone): net GMV by host share (fen, rounded half up once per week; unknown amounts
    left out) and on-air hours (in full for every host), and the number of sessions."""
    low, high = _utc_bounds(cycle)
    zone = ZoneInfo(cycle.timezone)
    mondays = quarter_weeks(cycle)
    sums: dict[int, dict[dt.date, list[Any]]] = {
        streamer_id: {monday: [Decimal(0), 0, 0] for monday in mondays} for streamer_id in ids
    }
    for chunk in _chunks(ids):
        rows = db.session.execute(
            select(
                SessionHost.streamer_id,
                SessionHost.share_bp,
                LiveSession.started_at,
                LiveSession.gmv_fen,
                LiveSession.refunds_fen,
                LiveSession.on_air_seconds,
            )
            .join(LiveSession, LiveSession.id == SessionHost.session_id)
            .where(
                SessionHost.streamer_id.in_(chunk),
                LiveSession.started_at >= low,
                LiveSession.started_at < high,
            )
        ).all()
        for streamer_id, share_bp, started_at, gmv, refunds, seconds in rows:
            day = started_at.astimezone(zone).date()
            week = sums[streamer_id][day - dt.timedelta(days=day.weekday())]
            if gmv is not None:
                week[0] += Decimal(gmv - (refunds or 0)) * share_bp / FULL_SHARE_BP
            week[1] += seconds or 0
            week[2] += 1
    return {
        streamer_id: [
            {
                "monday": monday,
                "net_gmv_fen": round_half_up(values[0]),
                "on_air_hours": round(values[1] / SECONDS_PER_HOUR, 2),
                "sessions": values[2],
            }
            for monday, values in weeks.items()
        ]
        for streamer_id, weeks in sums.items()
    }


def data_sources(
    cycle: AppraisalCycle, computed_at: dict[int, dt.datetime | None]
) -> dict[int, tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """Per streamer: the import batches that brought or updated the quarter's sessions before
    the appraisal was computed (id, file, platform, when, sessions; every batch when that
    time is unknown), and the exchange rates
    those sessions were converted at (currency, rate, sessions), for the data-sources box."""
    low, high = _utc_bounds(cycle)
    org_currency = current_app.config["ORG_CURRENCY"]
    by_batch: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    by_rate: dict[int, dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
    for chunk in _chunks(sorted(computed_at)):
        rows = db.session.execute(
            select(
                SessionHost.streamer_id,
                LiveSession.import_batch_id,
                LiveSession.last_batch_id,
                LiveSession.currency,
                LiveSession.fx_rate,
                func.count(),
            )
            .join(LiveSession, LiveSession.id == SessionHost.session_id)
            .where(
                SessionHost.streamer_id.in_(chunk),
                LiveSession.started_at >= low,
                LiveSession.started_at < high,
            )
            .group_by(
                SessionHost.streamer_id,
                LiveSession.import_batch_id,
                LiveSession.last_batch_id,
                LiveSession.currency,
                LiveSession.fx_rate,
            )
        ).all()
        for streamer_id, first, last, currency, rate, count in rows:
            for batch_id in {first, last} - {None}:
                by_batch[streamer_id][batch_id] += count
            if currency and currency != org_currency:
                by_rate[streamer_id][(currency, rate)] += count
    batch_ids = sorted({batch_id for found in by_batch.values() for batch_id in found})
    batches = {
        batch.id: batch
        for chunk in _chunks(batch_ids)
        for batch in db.session.scalars(select(ImportBatch).where(ImportBatch.id.in_(chunk)))
    }
    result = {}
    for streamer_id, when in computed_at.items():
        shown = [
            {
                "id": batch_id,
                "filename": batches[batch_id].filename,
                "platform": batches[batch_id].platform,
                "imported_at": batches[batch_id].created_at,
                "sessions": count,
            }
            for batch_id, count in sorted(by_batch[streamer_id].items())
            if batch_id in batches and (when is None or batches[batch_id].created_at <= when)
        ]
        rates = [
            {"currency": currency, "rate": rate, "sessions": count}
            for (currency, rate), count in sorted(by_rate[streamer_id].items())
        ]
        result[streamer_id] = (shown, rates)
    return result


def buyer_paid_gmv_sessions(cycle: AppraisalCycle, streamer_ids: list[int]) -> dict[int, int]:
    """Per streamer: the quarter's sessions whose GMV is the buyer-paid amount (marked so by
    the import of a per-session 直播大屏 download), for the data-sources box."""
    low, high = _utc_bounds(cycle)
    found: dict[int, int] = {}
    for chunk in _chunks(streamer_ids):
        found.update(
            db.session.execute(
                select(SessionHost.streamer_id, func.count())
                .join(LiveSession, LiveSession.id == SessionHost.session_id)
                .where(
                    SessionHost.streamer_id.in_(chunk),
                    LiveSession.started_at >= low,
                    LiveSession.started_at < high,
                    LiveSession.gmv_basis == "buyer_paid",
                )
                .group_by(SessionHost.streamer_id)
            ).all()
        )
    return found


def responses(appraisal_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The streamer's response to each appraisal that has one: its status (acknowledged,
    disputed, resolved), when, and the dispute's text as the streamer wrote it."""
    found: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(sorted(appraisal_ids)):
        for response in db.session.scalars(
            select(AppraisalResponse).where(AppraisalResponse.appraisal_id.in_(chunk))
        ):
            found[response.appraisal_id] = {
                "status": response.status,
                "acknowledged_at": response.acknowledged_at,
                "disputed_at": response.disputed_at,
                "resolved_at": response.resolved_at,
                "dispute": "",
            }
        disputes = db.session.execute(
            select(AppraisalResponse.appraisal_id, ResponseMessage.body)
            .join(ResponseMessage, ResponseMessage.response_id == AppraisalResponse.id)
            .where(AppraisalResponse.appraisal_id.in_(chunk), ResponseMessage.kind == "dispute")
            .order_by(ResponseMessage.created_at, ResponseMessage.id)
        ).all()
        for appraisal_id, body in disputes:
            found[appraisal_id]["dispute"] = body  # oldest first: the newest dispute wins
    return found
