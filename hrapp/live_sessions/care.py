"""On-air time against PRC labour law: sessions over 8 hours, weeks over 44 hours.

A host is on air for the whole session whatever their commission share, so a co-hosted
session counts in full for each host. A session belongs to the week (Monday to Sunday, in the
organisation's time zone) in which it starts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Row, Subquery, func, literal, select, union_all

from hrapp.core.db import UTCDateTime
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
    longest first.

    The database adds the hours up: each week is a pair of UTC instants (its local Mondays'
    midnights, computed here with the zone's rules), joined to the sessions starting within.
    A quarter of 650,000 sessions is then one grouped query, not 650,000 rows to Python.
    """
    weeks = _weeks(first_day, last_day, org_zone())
    seconds = func.sum(LiveSession.on_air_seconds)
    query = (
        select(SessionHost.streamer_id, weeks.c.monday, seconds, func.count())
        .join(LiveSession, LiveSession.id == SessionHost.session_id)
        .join(
            weeks,
            (LiveSession.started_at >= weeks.c.starts) & (LiveSession.started_at < weeks.c.ends),
        )
        .group_by(SessionHost.streamer_id, weeks.c.monday)
        .having(seconds > LONG_WEEK_SECONDS)
    )
    return _with_names(db.session.execute(query).all())


def _weeks(first_day: dt.date, last_day: dt.date, zone: ZoneInfo) -> Subquery:
    """The Monday-to-Sunday weeks touching the days: (monday, starts, ends) in UTC, as a
    UNION ALL of one-row selects (SQLite has no named VALUES lists)."""
    rows = []
    monday = week_monday(first_day)
    while monday <= last_day:
        after = monday + dt.timedelta(days=7)
        rows.append(
            select(
                literal(monday, Date).label("monday"),
                literal(local_midnight_utc(monday, zone), UTCDateTime).label("starts"),
                literal(local_midnight_utc(after, zone), UTCDateTime).label("ends"),
            )
        )
        monday = after
    return union_all(*rows).subquery("weeks")


def _with_names(rows: Sequence[Row[tuple[int, dt.date, int, int]]]) -> list[LongWeek]:
    ids = sorted({int(streamer_id) for streamer_id, *_ in rows})
    streamers = {s.id: s for s in db.session.scalars(select(Streamer).where(Streamer.id.in_(ids)))}
    found = [
        LongWeek(
            streamer_id=int(streamer_id),
            employee_no=streamers[int(streamer_id)].employee_no,
            name=streamers[int(streamer_id)].display_name,
            monday=monday,
            on_air_seconds=int(seconds),
            sessions=int(count),
        )
        for streamer_id, monday, seconds, count in rows
    ]
    return sorted(found, key=lambda w: (-w.on_air_seconds, w.monday, w.employee_no))
