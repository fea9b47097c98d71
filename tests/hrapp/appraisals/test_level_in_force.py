"""A quarter is appraised at the level held in it, from the level history, never at today's."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from hrapp.appraisals import services
from hrapp.appraisals.models import Appraisal, AppraisalCycle
from hrapp.appraisals.runner import run_cycle
from hrapp.auth.models import Role
from hrapp.core.timeutil import org_today
from hrapp.extensions import db
from hrapp.streamers.models import LevelChange, Streamer
from hrapp.streamers.services import change_level
from tests.factories import make_streamer, make_user
from tests.hrapp.appraisals.helpers import worked_example_quarter


@pytest.fixture
def q3(app) -> AppraisalCycle:
    return services.create_cycle("2026Q3")


def _assistant_since_hire() -> Streamer:
    streamer = make_streamer(level="assistant", level_since=dt.date(2024, 3, 1))
    db.session.add(
        LevelChange(
            streamer_id=streamer.id,
            to_level="assistant",
            effective_on=streamer.hire_date,
            reason="",
        )
    )
    db.session.flush()
    return streamer


def _result(cycle: AppraisalCycle, streamer: Streamer) -> tuple[str, str | None, int | None]:
    db.session.expire_all()
    appraisal = db.session.scalars(
        select(Appraisal).where(
            Appraisal.cycle_id == cycle.id, Appraisal.streamer_id == streamer.id
        )
    ).one()
    return appraisal.level, appraisal.grade, appraisal.payable_fen


def test_a_promotion_after_the_quarter_does_not_reappraise_it(q3) -> None:
    """The reported bug: a streamer promoted after Q3 was paid as a senior for his assistant
    quarter. The domain guide's quarter (net ¥1,200,000, 90 s, 15,000 followers) is S for an
    assistant (every metric capped: 100 points, ¥11,500 × 1.2) and only A for a senior."""
    streamer = _assistant_since_hire()
    worked_example_quarter(streamer)
    run_cycle(q3)
    assert _result(q3, streamer) == ("assistant", "S", 1_380_000)

    change_level(streamer, "senior", org_today(), "晋升")
    db.session.add(
        LevelChange(
            streamer_id=streamer.id,
            from_level="senior",
            to_level="mentor",
            effective_on=dt.date(2027, 1, 1),
            reason="已确认的晋升，下季度生效",
        )
    )
    db.session.flush()
    run_cycle(q3)
    assert _result(q3, streamer) == ("assistant", "S", 1_380_000)


def test_a_change_inside_the_quarter_blends_the_targets_and_shows_the_segments(q3) -> None:
    streamer = _assistant_since_hire()
    worked_example_quarter(streamer)
    change_level(streamer, "senior", dt.date(2026, 8, 16), "季度中晋升")
    run_cycle(q3)
    db.session.expire_all()
    appraisal = db.session.scalars(
        select(Appraisal).where(Appraisal.streamer_id == streamer.id)
    ).one()
    assert appraisal.level == "senior"
    assert appraisal.explanation["level_segments"] == [
        {"level": "assistant", "from": "2026-07-01", "to": "2026-08-15", "days": 46},
        {"level": "senior", "from": "2026-08-16", "to": "2026-09-30", "days": 46},
    ]
    targets = {m["metric"]: m["target"] for m in appraisal.explanation["metrics"]}
    assert targets == {"net_gmv": 90_000_000, "avg_watch_seconds": 75, "net_followers": 9_000}
    # Months at level are counted from the day the senior level began, as of the quarter's end.
    months = next(
        item
        for item in appraisal.explanation["promotion"]["checklist"]
        if item["criterion"] == "months_at_level"
    )
    assert months["actual"] == 1


def test_months_at_level_come_from_the_history_not_from_today(q3) -> None:
    """Promoted to senior after the quarter: the quarter's checklist is the assistant's, with
    the months counted from the assistant start, not from today's senior start."""
    streamer = _assistant_since_hire()
    worked_example_quarter(streamer)
    change_level(streamer, "senior", org_today(), "晋升")
    run_cycle(q3)
    db.session.expire_all()
    appraisal = db.session.scalars(
        select(Appraisal).where(Appraisal.streamer_id == streamer.id)
    ).one()
    promotion = appraisal.explanation["promotion"]
    assert (promotion["from_level"], promotion["to_level"]) == ("assistant", "senior")
    months = next(i for i in promotion["checklist"] if i["criterion"] == "months_at_level")
    assert months["actual"] == 30  # 2024-03-01 to 2026-09-30


def test_the_page_shows_the_levels_held_in_the_quarter(q3, login_as) -> None:
    streamer = _assistant_since_hire()
    worked_example_quarter(streamer)
    change_level(streamer, "senior", dt.date(2026, 8, 16), "季度中晋升")
    run_cycle(q3)
    hr = make_user(Role.HR, username="hr_qian")
    hr.locale = "zh_CN"  # HR reads the page in Chinese
    db.session.commit()
    appraisal_id = db.session.scalar(
        select(Appraisal.id).where(Appraisal.streamer_id == streamer.id)
    )
    page = login_as(hr).get(f"/appraisals/{appraisal_id}").get_data(as_text=True)
    assert "资深主播<span" not in page  # the segments follow the level, spaced
    assert "(助理主播 7/1–8/15，资深主播 8/16–9/30)" in page
    hr.locale = "en"
    db.session.commit()
    page = login_as(hr).get(f"/appraisals/{appraisal_id}").get_data(as_text=True)
    assert "(Assistant streamer 7/1–8/15, Senior streamer 8/16–9/30)" in page
