"""Weeks over 44 hours on air: whole sessions per host, local Monday-to-Sunday weeks."""

from __future__ import annotations

import datetime as dt

import pytest

from hrapp.extensions import db
from hrapp.live_sessions.care import LONG_WEEK_SECONDS, long_weeks
from tests.factories import make_account, make_session, make_streamer

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.date(2026, 9, 7)


def on_air(account, local_start: dt.datetime, seconds: int, hosts=None):
    make_session(
        account,
        hosts,
        started_at=local_start.replace(tzinfo=SHANGHAI).astimezone(dt.UTC),
        ended_at=None,
        on_air_seconds=seconds,
    )


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute))


def fill_week(account, total_seconds: int, hosts=None) -> None:
    """Sessions from Monday to Saturday adding up to `total_seconds`."""
    per_day, rest = divmod(total_seconds, 6)
    for day in range(6):
        seconds = per_day + (rest if day == 5 else 0)
        on_air(account, at(MONDAY + dt.timedelta(days=day), 19), seconds, hosts)


def test_only_weeks_over_44_hours_are_listed(room):
    other = make_account(make_streamer(employee_no="E1002"))
    fill_week(room, LONG_WEEK_SECONDS + 1)
    fill_week(other, LONG_WEEK_SECONDS)  # exactly the limit is within it
    db.session.commit()

    weeks = long_weeks(MONDAY, MONDAY)

    assert [(w.employee_no, w.monday, w.on_air_seconds, w.sessions) for w in weeks] == [
        ("E1001", MONDAY, LONG_WEEK_SECONDS + 1, 6)
    ]
    assert weeks[0].sunday == dt.date(2026, 9, 13)


def test_a_co_hosted_session_counts_whole_for_each_host(room, streamer):
    partner = make_streamer(employee_no="E1002")
    fill_week(room, 45 * 3600, hosts=[(streamer, 7_000), (partner, 3_000)])
    db.session.commit()

    weeks = long_weeks(MONDAY, MONDAY)

    assert {w.employee_no: w.on_air_seconds for w in weeks} == {
        "E1001": 45 * 3600,
        "E1002": 45 * 3600,
    }


@pytest.mark.parametrize(
    ("local_start", "counted"),
    [
        (at(MONDAY - dt.timedelta(days=1), 23, 30), False),  # Sunday night: the week before
        (at(MONDAY, 0, 30), True),  # Monday 00:30 in Shanghai is Sunday in UTC
        (at(MONDAY + dt.timedelta(days=6), 23, 30), True),  # Sunday night: still this week
        (at(MONDAY + dt.timedelta(days=7), 0, 30), False),
    ],
)
def test_weeks_run_monday_to_sunday_in_the_organisations_zone(room, local_start, counted):
    fill_week(room, 40 * 3600)
    on_air(room, local_start, 5 * 3600)
    db.session.commit()

    weeks = long_weeks(MONDAY, MONDAY + dt.timedelta(days=6))

    assert [w.on_air_seconds for w in weeks if w.monday == MONDAY] == (
        [45 * 3600] if counted else []
    )


def test_the_days_asked_for_reach_their_whole_weeks(room):
    fill_week(room, 50 * 3600)
    db.session.commit()

    assert [w.monday for w in long_weeks(MONDAY + dt.timedelta(days=6), dt.date(2026, 9, 20))] == [
        MONDAY
    ]
    assert long_weeks(dt.date(2026, 9, 14), dt.date(2026, 9, 20)) == []


@pytest.fixture
def hr_client(hr, login_as):
    hr.locale = "en"  # the asserted messages are English; HR chose English
    db.session.commit()
    return login_as(hr)


def test_the_page_charts_and_lists_the_long_weeks_with_links_to_their_sessions(room, hr_client):
    fill_week(room, 50 * 3600)
    db.session.commit()

    page = hr_client.get("/sessions/long-weeks?since=2026-09-07&until=2026-09-13")
    html = page.get_data(as_text=True)

    assert page.status_code == 200
    assert "<svg" in html and "Hours on air in the week (limit 44)" in html
    assert "2026-09-07 – 2026-09-13" in html and "50:00:00" in html
    assert "/sessions/?employee_no=E1001&amp;since=2026-09-07&amp;until=2026-09-13" in html


def test_the_page_looks_back_a_quarter_by_default_and_says_when_nothing_is_over(room, hr_client):
    html = hr_client.get("/sessions/long-weeks").get_data(as_text=True)

    assert "No streamer was on air over 44 hours" in html and "<svg" not in html


def test_the_page_covers_at_most_two_years(room, hr_client):
    html = hr_client.get("/sessions/long-weeks?since=2000-01-01&until=2026-09-13").get_data(
        as_text=True
    )

    assert "The page covers at most two years; it starts on 2024-09-22." in html
    assert 'value="2024-09-22"' in html
