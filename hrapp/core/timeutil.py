"""Instants are stored in UTC and shown in the organisation's time zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app


def org_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["ORG_TIMEZONE"])


def to_org_time(instant: dt.datetime | None) -> dt.datetime | None:
    if instant is None:
        return None
    return instant.astimezone(org_zone())


def org_today() -> dt.date:
    return dt.datetime.now(org_zone()).date()


def local_midnight_utc(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    """The UTC instant at which `day` starts in `zone`."""
    return dt.datetime.combine(day, dt.time(), tzinfo=zone).astimezone(dt.UTC)
