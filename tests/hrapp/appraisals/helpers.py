"""Building quarters of sessions for the appraisal tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

import scoring
from hrapp.appraisals.models import Appraisal, AppraisalCycle
from hrapp.extensions import db
from hrapp.streamers.models import PlatformAccount, Streamer
from tests.factories import make_account, make_session

UTC = dt.UTC
# 2026Q3 in Asia/Shanghai (UTC+8) runs from 2026-06-30 16:00 UTC to 2026-09-30 16:00 UTC.
Q3_FIRST_INSTANT = dt.datetime(2026, 6, 30, 16, 0, tzinfo=UTC)
Q3_END_INSTANT = dt.datetime(2026, 9, 30, 16, 0, tzinfo=UTC)
MID_Q3 = dt.datetime(2026, 8, 3, 12, 0, tzinfo=UTC)


def broadcast(
    account: PlatformAccount,
    *,
    start: dt.datetime = MID_Q3,
    hours: float = 2,
    hosts: list[tuple[Streamer, int]] | None = None,
    **figures: Any,
):
    """One session of `hours` starting at `start` (the factory's figures unless overridden)."""
    return make_session(
        account,
        hosts,
        started_at=start,
        ended_at=start + dt.timedelta(hours=hours),
        on_air_seconds=round(hours * 3600),
        **figures,
    )


def worked_example_quarter(streamer: Streamer) -> None:
    """The domain guide's senior: 5 sessions of 50 h = 250 h, net GMV ¥1,200,000, average watch
    90 s, 15,000 net new followers — score 90, grade A, no hours gate: ¥11,500 × 1.1."""
    account = make_account(streamer)
    for day in range(5):
        broadcast(
            account,
            start=MID_Q3 + dt.timedelta(days=3 * day),
            hours=50,
            gmv_fen=24_000_000,
            refunds_fen=0,
            avg_watch_seconds=90.0,
            new_followers=3_000,
            unfollows=0,
        )


def scheme_without_mentors() -> str:
    """The default scheme with the mentor level (and everything naming it) taken out."""
    text = scoring.default_scheme_text()
    text = text[: text.index('[[levels]]\nkey = "mentor"')] + text[text.index("[scoring]") :]
    for target in (", mentor = 80_000_000", ", mentor = 90", ", mentor = 8_000"):
        text = text.replace(target, "")
    return text[: text.index('[[promotion]]\nfrom_level = "senior"')]


def appraisal_of(cycle: AppraisalCycle, streamer) -> Appraisal:
    """The appraisal as the database holds it now (not a stale copy from the session)."""
    return db.session.scalars(
        select(Appraisal)
        .where(Appraisal.cycle_id == cycle.id, Appraisal.streamer_id == streamer.id)
        .execution_options(populate_existing=True)
    ).one()
