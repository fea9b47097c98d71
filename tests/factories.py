"""Factories for test rows: each fills sensible defaults and takes overrides by keyword."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

from hrapp.auth import services as auth_services
from hrapp.auth.models import Role, User
from hrapp.extensions import db
from hrapp.live_sessions.models import LiveSession, SessionHost
from hrapp.streamers.models import Mentorship, PlatformAccount, Streamer

_seq = itertools.count(1)
TEST_PASSWORD = "Correct-Horse-7"


def make_streamer(**overrides: Any) -> Streamer:
    n = next(_seq)
    values: dict[str, Any] = {
        # Zero-padded: numbers sort as text in the order made, and never meet a hand-picked one.
        "employee_no": f"E9{n:05d}",
        "legal_name": f"测试主播{n}",
        "stage_name": f"艺名{n}",
        "date_of_birth": dt.date(1998, 5, 1),
        "level": "assistant",
        "level_since": dt.date(2025, 1, 1),
        "category": "beauty",
        "team": "一组",
        "hire_date": dt.date(2024, 3, 1),
    }
    values.update(overrides)
    streamer = Streamer(**values)
    if streamer.mentor_id is not None:
        assign_mentor(streamer, streamer.mentor_id)
    db.session.add(streamer)
    db.session.flush()
    return streamer


def assign_mentor(mentee: Streamer, mentor_id: int, since: dt.date | None = None) -> None:
    """`mentor_id` becomes the mentee's mentor, since `since` (default: the hire date)."""
    mentee.mentor_id = mentor_id
    mentee.mentorships.append(Mentorship(mentor_id=mentor_id, started_on=since or mentee.hire_date))


def make_user(
    *roles: Role,
    streamer: Streamer | None = None,
    username: str | None = None,
    password: str = TEST_PASSWORD,
) -> User:
    name = username or f"user{next(_seq)}"
    user = auth_services.create_user(
        name,
        password,
        list(roles) or [Role.HR],
        streamer_id=streamer.id if streamer else None,
    )
    db.session.flush()
    return user


def make_readers(login_as: Callable[[User], Any], role: Role) -> tuple[Any, Any]:
    """Two clients of `role`, logged in, one reading Chinese and one English (each saved their
    language); `login_as` is the fixture of that name."""
    chinese = make_user(role, username=f"{role.value}_zh")
    english = make_user(role, username=f"{role.value}_en")
    chinese.locale, english.locale = "zh_CN", "en"
    db.session.commit()
    return login_as(chinese), login_as(english)


def make_account(streamer: Streamer | None = None, **overrides: Any) -> PlatformAccount:
    n = next(_seq)
    values: dict[str, Any] = {
        "platform": "douyin",
        "account_id": f"0{7000000 + n}",
        "nickname": f"直播间{n}",
        "streamer_id": streamer.id if streamer else None,
    }
    values.update(overrides)
    account = PlatformAccount(**values)
    db.session.add(account)
    db.session.flush()
    return account


def make_session(
    account: PlatformAccount, hosts: list[tuple[Streamer, int]] | None = None, **overrides: Any
) -> LiveSession:
    """A two-hour Douyin session; `hosts` as (streamer, share basis points)."""
    start = overrides.pop("started_at", dt.datetime(2026, 8, 1, 12, 0, tzinfo=dt.UTC))
    values: dict[str, Any] = {
        "platform_account_id": account.id,
        "started_at": start,
        "ended_at": start + dt.timedelta(hours=2),
        "on_air_seconds": 7200,
        "viewers": 1000,
        "views": 1500,
        "peak_online": 80,
        "avg_online": 30,
        "avg_watch_seconds": 75.0,
        "new_followers": 40,
        "unfollows": 4,
        "orders": 60,
        "buyers": 55,
        "gmv_fen": 1_000_000,
        "buyer_paid_fen": 950_000,
        "refunds_fen": 100_000,
    }
    values.update(overrides)
    session = LiveSession(**values)
    db.session.add(session)
    db.session.flush()
    if hosts is None and account.streamer_id is not None:
        hosts = [(db.session.get(Streamer, account.streamer_id), 10_000)]
    for streamer, share in hosts or []:
        db.session.add(SessionHost(session_id=session.id, streamer_id=streamer.id, share_bp=share))
    db.session.flush()
    return session
