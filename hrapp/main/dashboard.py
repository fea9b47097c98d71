"""What HR needs to see first: how far the quarter to appraise has come, and what is waiting.

The quarter to appraise is the one before today's (at the start of Q4, HR closes Q3). Each
panel is one or two small queries (counts, a `max`, a short list), so the page stays fast on a
year of sessions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from hrapp.appraisals.models import AppraisalCycle
from hrapp.appraisals.review import stale_notice
from hrapp.appraisals.services import cycle_totals
from hrapp.core.timeutil import local_midnight_utc, org_today, org_zone, to_org_time
from hrapp.extensions import db
from hrapp.intake.batch_model import ImportBatch
from hrapp.live_sessions.models import LiveSession
from hrapp.streamers.models import PlatformAccount, Streamer
from hrapp.training import services as training

RECENT_IMPORTS = 5
ACCOUNTS_SHOWN = 10
EXPIRING_SHOWN = 5


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def code(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def starts_on(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def ends_on(self) -> dt.date:
        """The last day (inclusive)."""
        return self.next().starts_on - dt.timedelta(days=1)

    def next(self) -> Quarter:
        return Quarter(self.year + self.number // 4, self.number % 4 + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - (self.number == 1), (self.number - 2) % 4 + 1)


def quarter_to_appraise(today: dt.date) -> Quarter:
    return Quarter.of(today).previous()


def cycle_progress(quarter: Quarter) -> dict[str, Any] | None:
    """The quarter's cycle with its appraisal counts, or None when HR has not created it."""
    cycle = db.session.scalar(select(AppraisalCycle).where(AppraisalCycle.code == quarter.code))
    if cycle is None:
        return None
    return {
        "code": cycle.code,
        "status": cycle.status,
        "last_run_at": cycle.last_run_at,
        "finalized_at": cycle.finalized_at,
        "stale": stale_notice(cycle),
        **cycle_totals(cycle.id),
    }


def session_data(quarter: Quarter) -> dict[str, Any]:
    """How many sessions fall in the quarter (by start, in the org's zone) and the latest one.

    "Imported up to the quarter's end" means a session started on or after its last day; a
    quarter whose last day had no broadcast at all will honestly show as not yet complete.
    """
    zone = org_zone()
    start = local_midnight_utc(quarter.starts_on, zone)
    end = local_midnight_utc(quarter.next().starts_on, zone)
    in_quarter = db.session.execute(
        select(func.count())
        .select_from(LiveSession)
        .where(LiveSession.started_at >= start, LiveSession.started_at < end)
    ).scalar_one()
    latest = db.session.scalar(select(func.max(LiveSession.started_at)))
    latest_day = to_org_time(latest).date() if latest else None
    return {
        "in_quarter": in_quarter,
        "latest": latest,
        "complete": latest_day is not None and latest_day >= quarter.ends_on,
    }


def recent_imports() -> list[ImportBatch]:
    return list(
        db.session.scalars(
            select(ImportBatch).order_by(ImportBatch.id.desc()).limit(RECENT_IMPORTS)
        )
    )


def unmapped_accounts() -> dict[str, Any]:
    """Platform accounts the data knows but no streamer answers for: further sessions of
    these rooms are refused at import until HR maps them. The first few, with their sessions."""
    unowned = PlatformAccount.streamer_id.is_(None)
    total = db.session.execute(
        select(func.count()).select_from(PlatformAccount).where(unowned)
    ).scalar_one()
    sessions = (
        select(
            LiveSession.platform_account_id,
            func.count().label("sessions"),
            func.max(LiveSession.started_at).label("latest"),
        )
        .group_by(LiveSession.platform_account_id)
        .subquery()
    )
    rows = db.session.execute(
        select(PlatformAccount, func.coalesce(sessions.c.sessions, 0), sessions.c.latest)
        .outerjoin(sessions, sessions.c.platform_account_id == PlatformAccount.id)
        .where(unowned)
        .order_by(sessions.c.latest.desc().nulls_last(), PlatformAccount.id)
        .limit(ACCOUNTS_SHOWN)
    ).all()
    return {
        "total": total,
        "rows": [
            {"account": account, "sessions": count, "latest": latest}
            for account, count, latest in rows
        ],
    }


def expiring_certifications(today: dt.date) -> dict[str, Any]:
    found = training.expiring_certifications(today)
    return {"total": len(found), "rows": found[:EXPIRING_SHOWN]}


def active_streamers() -> int:
    return db.session.execute(
        select(func.count()).select_from(Streamer).where(Streamer.status == "active")
    ).scalar_one()


def overview() -> dict[str, Any]:
    """Everything the dashboard shows, as plain data."""
    today = org_today()
    quarter = quarter_to_appraise(today)
    return {
        "today": today,
        "quarter": quarter,
        "current": Quarter.of(today),
        "cycle": cycle_progress(quarter),
        "sessions": session_data(quarter),
        "imports": recent_imports(),
        "accounts": unmapped_accounts(),
        "expiring": expiring_certifications(today),
        "active_streamers": active_streamers(),
    }
