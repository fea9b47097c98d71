"""On-air time against PRC labour law: sessions over 8 hours, weeks over 44 hours.

A host is on air for the whole session whatever their commission share, so a co-hosted
session counts in full for each host. A session belongs to the week (Monday to Sunday, in the
organisation's time zone) in which it starts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select

from hrapp.core.timeutil import local_midnight_utc, org_zone
from hrapp.extensions import db
from hrapp.live_sessions.models import LiveSession, SessionHost
from hrapp.streamers.models import Streamer

LONG_SESSION_SECONDS = 8 * 3600
LONG_WEEK_SECONDS = 44 * 3600


@dataclass(frozen=True)
class LongWeek:
    streamer_id: int
    employee_no: str
    name: str
    monday: dt.date
    on_air_seconds: int
    sessions: int

    @property
    def sunday(self) -> dt.date:
        return self.monday + dt.timedelta(days=6)


def week_monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def long_weeks(first_day: dt.date, last_day: dt.date) -> list[LongWeek]:
    """Each streamer's weeks over 44 hours on air among the weeks that touch the given days,
    longest first."""
    zone = org_zone()
    monday = week_monday(first_day)
    after = week_monday(last_day) + dt.timedelta(days=7)
    rows = db.session.execute(
        select(SessionHost.streamer_id, LiveSession.started_at, LiveSession.on_air_seconds)
        .join(LiveSession, LiveSession.id == SessionHost.session_id)
        .where(
            LiveSession.started_at >= local_midnight_utc(monday, zone),
            LiveSession.started_at < local_midnight_utc(after, zone),
            LiveSession.on_air_seconds.is_not(None),
        )
    ).all()
    if not rows:
        return []
    frame = pd.DataFrame(rows, columns=["streamer_id", "started_at", "seconds"])
    local_days = pd.to_datetime(frame["started_at"], utc=True).dt.tz_convert(zone).dt.date
    frame["monday"] = [week_monday(day) for day in local_days]
    weeks = frame.groupby(["streamer_id", "monday"]).agg(
        seconds=("seconds", "sum"), sessions=("seconds", "size")
    )
    over = weeks[weeks["seconds"] > LONG_WEEK_SECONDS].reset_index()
    return _with_names(over)


def _with_names(over: pd.DataFrame) -> list[LongWeek]:
    ids = sorted({int(i) for i in over["streamer_id"]})
    streamers = {s.id: s for s in db.session.scalars(select(Streamer).where(Streamer.id.in_(ids)))}
    found = [
        LongWeek(
            streamer_id=int(r.streamer_id),
            employee_no=streamers[int(r.streamer_id)].employee_no,
            name=streamers[int(r.streamer_id)].display_name,
            monday=r.monday,
            on_air_seconds=int(r.seconds),
            sessions=int(r.sessions),
        )
        for r in over.itertuples(index=False)
    ]
    return sorted(found, key=lambda w: (-w.on_air_seconds, w.monday, w.employee_no))
