"""A streamer's own live sessions: the list by month and its CSV.

Only sessions the streamer hosted are read (through their host row); a co-host is named by
stage name alone, never with figures, legal name or employee number.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from hrapp.appraisals.export import safe_cell
from hrapp.core.money import yuan_text
from hrapp.core.params import FIRST_DAY, LAST_DAY
from hrapp.core.timeutil import local_midnight_utc, org_zone, to_org_time
from hrapp.extensions import db
from hrapp.live_sessions.models import FULL_SHARE_BP, LiveSession, SessionHost
from hrapp.streamers.models import PlatformAccount, Streamer

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
CSV_COLUMNS = (
    "started_at",
    "ended_at",
    "on_air_minutes",
    "platform",
    "gmv",
    "refunds",
    "net_gmv",
    "viewers",
    "avg_watch_seconds",
    "new_followers",
    "share_percent",
    "your_net_gmv",
    "co_hosts",
)


def parse_month(text: str | None) -> tuple[int, int] | None:
    """(year, month) of `YYYY-MM`; None for empty or anything else (all months), a month
    outside the calendar the pages compute with (9999-12 has no next month) included."""
    match = MONTH.match((text or "").strip())
    if match is None:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    return (year, month) if FIRST_DAY.year <= year <= LAST_DAY.year else None


def _month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    zone = org_zone()
    first = dt.date(year, month, 1)
    after = dt.date(year + month // 12, month % 12 + 1, 1)
    return local_midnight_utc(first, zone), local_midnight_utc(after, zone)


def months(streamer_id: int) -> list[str]:
    """The months (`YYYY-MM`, in the organisation's zone) with a session of the streamer,
    newest first."""
    starts = db.session.scalars(
        select(LiveSession.started_at)
        .join(SessionHost, SessionHost.session_id == LiveSession.id)
        .where(SessionHost.streamer_id == streamer_id)
    )
    found = {to_org_time(start).strftime("%Y-%m") for start in starts}  # type: ignore[union-attr]
    return sorted(found, reverse=True)


def own_sessions(streamer_id: int, month: tuple[int, int] | None) -> list[dict[str, Any]]:
    """The streamer's sessions (of the month, or all), newest first, with their share and
    share of net GMV and the co-hosts' stage names."""
    query = (
        select(LiveSession, SessionHost.share_bp, PlatformAccount.platform)
        .join(SessionHost, SessionHost.session_id == LiveSession.id)
        .join(PlatformAccount, PlatformAccount.id == LiveSession.platform_account_id)
        .where(SessionHost.streamer_id == streamer_id)
        .order_by(LiveSession.started_at.desc())
    )
    if month is not None:
        low, high = _month_bounds(*month)
        query = query.where(LiveSession.started_at >= low, LiveSession.started_at < high)
    rows = db.session.execute(query).all()
    co_hosts = _co_hosts([session.id for session, _, _ in rows], streamer_id)
    return [
        _row(session, share, platform, co_hosts.get(session.id, []))
        for session, share, platform in rows
    ]


def _co_hosts(session_ids: list[int], streamer_id: int) -> dict[int, list[str]]:
    """Per session, the other hosts' stage names (their only detail a streamer may see)."""
    names: dict[int, list[str]] = {}
    for start in range(0, len(session_ids), 500):
        chunk = session_ids[start : start + 500]
        query = (
            select(SessionHost.session_id, Streamer.stage_name)
            .join(Streamer, Streamer.id == SessionHost.streamer_id)
            .where(SessionHost.session_id.in_(chunk), SessionHost.streamer_id != streamer_id)
            .order_by(SessionHost.session_id, Streamer.stage_name)
        )
        for session_id, stage_name in db.session.execute(query):
            names.setdefault(session_id, []).append(stage_name or _("(no stage name)"))
    return names


def _row(session: LiveSession, share_bp: int, platform: str, co_hosts: list[str]) -> dict[str, Any]:
    net = None
    if session.gmv_fen is not None:
        net = session.gmv_fen - (session.refunds_fen or 0)
    seconds = session.on_air_seconds
    if session.ended_at is not None:
        seconds = int((session.ended_at - session.started_at).total_seconds())
    return {
        "started_at": session.started_at,
        "ended_at": session.ended_at,
        "on_air_seconds": seconds,
        "platform": platform,
        "gmv_fen": session.gmv_fen,
        "refunds_fen": session.refunds_fen,
        "net_gmv_fen": net,
        "viewers": session.viewers,
        "avg_watch_seconds": session.avg_watch_seconds,
        "new_followers": session.new_followers,
        "share_bp": share_bp,
        "your_net_gmv_fen": None if net is None else round(net * share_bp / FULL_SHARE_BP),
        "co_hosts": co_hosts,
    }


def _local_text(instant: dt.datetime | None) -> str:
    local = to_org_time(instant)
    return "" if local is None else local.strftime("%Y-%m-%d %H:%M")


def sessions_csv(rows: list[dict[str, Any]]) -> bytes:
    """The rows as a CSV file (UTF-8 with a byte order mark, money in yuan, times in the
    organisation's zone); cells a spreadsheet would run as formulas are neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        cells = [
            _local_text(row["started_at"]),
            _local_text(row["ended_at"]),
            "" if row["on_air_seconds"] is None else f"{row['on_air_seconds'] / 60:.1f}",
            row["platform"],
            yuan_text(row["gmv_fen"]),
            yuan_text(row["refunds_fen"]),
            yuan_text(row["net_gmv_fen"]),
            "" if row["viewers"] is None else str(row["viewers"]),
            "" if row["avg_watch_seconds"] is None else f"{row['avg_watch_seconds']:.1f}",
            "" if row["new_followers"] is None else str(row["new_followers"]),
            f"{row['share_bp'] / 100:g}",
            yuan_text(row["your_net_gmv_fen"]),
            " / ".join(row["co_hosts"]),
        ]
        writer.writerow([safe_cell(cell) for cell in cells])
    return buffer.getvalue().encode("utf-8-sig")
