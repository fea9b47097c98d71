"""Point 9, promotions: the streamers eligible at the end of a quarter with their checklist;
HR confirms with an effective date (default: the next quarter's first day) and a reason, on the
page or with `hrapp promotions confirm`; the level history is written and audited, and a
promotion dated in the future is scheduled — today's level changes only on that day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from sqlalchemy import select

from hrapp.appraisals import schemes
from hrapp.appraisals.models import Appraisal, AppraisalCycle
from hrapp.appraisals.services import create_cycle
from hrapp.core.audit import AuditEntry
from hrapp.core.db import utcnow
from hrapp.core.errors import ValidationFailed
from hrapp.extensions import db
from hrapp.jobs.queue import job_queue
from hrapp.promotions.services import confirm_promotion, eligible_streamers
from hrapp.streamers.models import LevelChange, Streamer
from hrapp.streamers.services import apply_due_level_changes, scheduled_level_changes
from tests.factories import make_streamer

CHECKLIST = [
    {"criterion": "months_at_level", "required": 6, "actual": 20, "met": True},
    {
        "criterion": "module",
        "required": 80.0,
        "actual": 79.0,
        "met": False,
        "module": "PRACTICAL-1",
        "valid_months": None,
        "completed_on": None,
        "valid_until": None,
        "attempts": 2,
    },
    {
        "criterion": "mentees",
        "required": 2,
        "actual": 2,
        "met": True,
        "module": "PRACTICAL-1",
        "mentees": [{"id": 10, "name": "E1010 赵六"}, {"id": 11, "name": "E1011 王五"}],
    },
]


@pytest.fixture(autouse=True)
def _english(english: None) -> None:
    """These tests check the English source texts."""


@pytest.fixture(autouse=True)
def today() -> Iterator[dt.date]:
    """Mid-September 2026 in Shanghai: 2026Q3 is the running quarter, Q4 starts on 10-01."""
    with time_machine.travel(dt.datetime(2026, 9, 15, 4, 0, tzinfo=dt.UTC), tick=False):
        yield dt.date(2026, 9, 15)


def _appraise(cycle: AppraisalCycle, streamer: Streamer, *, eligible: bool) -> Appraisal:
    """The stored result of a run (eligibility is computed by scoring, tested there)."""
    appraisal = Appraisal(
        cycle_id=cycle.id,
        streamer_id=streamer.id,
        scheme_version_id=schemes.ensure_default_scheme().id,
        level=streamer.level,
        team=streamer.team,
        promotion_eligible=eligible,
        explanation={
            "promotion": {
                "from_level": streamer.level,
                "to_level": "senior",
                "eligible": eligible,
                "checklist": CHECKLIST,
            }
        },
    )
    db.session.add(appraisal)
    cycle.last_run_at = utcnow()
    db.session.flush()
    return appraisal


@pytest.fixture
def quarter() -> AppraisalCycle:
    cycle = create_cycle("2026Q3")
    eligible = make_streamer(employee_no="E1002", legal_name="李四", team="一组")
    idle = make_streamer(employee_no="E1003", legal_name="王五")
    _appraise(cycle, eligible, eligible=True)
    _appraise(cycle, idle, eligible=False)
    db.session.commit()
    return cycle


def _streamer(no: str = "E1002") -> Streamer:
    return db.session.scalars(select(Streamer).where(Streamer.employee_no == no)).one()


def _audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


# --- the service -------------------------------------------------------------------------------


def test_the_eligible_list_holds_only_eligible_streamers_with_their_checklist(quarter) -> None:
    [candidate] = eligible_streamers(quarter)

    assert (candidate.employee_no, candidate.from_level, candidate.to_level) == (
        "E1002",
        "assistant",
        "senior",
    )
    assert candidate.default_effective_on == dt.date(2026, 10, 1)
    assert candidate.checklist == CHECKLIST
    assert candidate.confirmed is None


def test_a_promotion_dated_next_quarter_is_scheduled_not_today_s_level(quarter) -> None:
    streamer = _streamer()

    change = confirm_promotion(streamer, "senior", "Q3: two A quarters", cycle=quarter)
    db.session.commit()

    assert (change.from_level, change.to_level, change.effective_on) == (
        "assistant",
        "senior",
        dt.date(2026, 10, 1),
    )
    assert streamer.level == "assistant"  # today's level, until 10-01
    assert scheduled_level_changes(streamer) == [change]
    [confirmed] = _audit("promotion.confirm")
    assert confirmed.entity_id == str(streamer.id)
    assert confirmed.changes["level"] == ["assistant", "senior"]
    assert confirmed.changes["effective_on"] == [None, "2026-10-01"]
    assert confirmed.changes["forced"] == [None, False]
    [scheduled] = _audit("streamer.level_scheduled")
    assert scheduled.changes["scheduled_on"] == [None, "2026-10-01"]
    assert eligible_streamers(quarter)[0].confirmed == change


def test_the_day_comes_and_the_scheduled_level_takes_effect(quarter) -> None:
    streamer = _streamer()
    confirm_promotion(streamer, "senior", "Q3: two A quarters", cycle=quarter)
    db.session.commit()
    assert apply_due_level_changes(dt.date(2026, 9, 30)) == 0

    with time_machine.travel(dt.datetime(2026, 10, 1, 1, 0, tzinfo=dt.UTC), tick=False):
        assert apply_due_level_changes() == 1
        assert apply_due_level_changes() == 0  # idempotent
    db.session.commit()

    assert (streamer.level, streamer.level_since) == ("senior", dt.date(2026, 10, 1))
    [took_effect] = _audit("streamer.level_change")
    assert took_effect.actor_name == "system"
    assert took_effect.changes["level"] == ["assistant", "senior"]


def test_the_worker_s_hourly_task_applies_the_due_levels(quarter) -> None:
    """The job worker moves due levels by itself (no page view or request writes them)."""
    streamer = _streamer()
    confirm_promotion(streamer, "senior", "Q3: two A quarters", cycle=quarter)
    db.session.commit()
    with time_machine.travel(dt.datetime(2026, 10, 1, 1, 0, tzinfo=dt.UTC), tick=False):
        job_queue().level_changes.call_local()
    db.session.expire_all()
    assert (streamer.level, streamer.level_since) == ("senior", dt.date(2026, 10, 1))


def test_a_step_that_is_not_the_next_one_is_refused(quarter) -> None:
    with pytest.raises(ValidationFailed) as refused:
        confirm_promotion(_streamer(), "mentor", "skip a step", cycle=quarter)

    assert "is Senior streamer, not Training mentor" in refused.value.message
    assert db.session.scalars(select(LevelChange)).all() == []


def test_a_second_confirmation_is_refused(quarter) -> None:
    confirm_promotion(_streamer(), "senior", "Q3", cycle=quarter)

    with pytest.raises(ValidationFailed):
        confirm_promotion(_streamer(), "senior", "Q3 again", cycle=quarter)


def test_a_streamer_not_found_eligible_is_refused_unless_forced(quarter) -> None:
    idle = _streamer("E1003")
    with pytest.raises(ValidationFailed) as refused:
        confirm_promotion(idle, "senior", "HR thinks so", cycle=quarter)
    assert "not eligible" in refused.value.message

    change = confirm_promotion(idle, "senior", "HR thinks so", cycle=quarter, force=True)

    assert change.to_level == "senior"
    [confirmed] = _audit("promotion.confirm")
    assert (confirmed.changes["eligible"], confirmed.changes["forced"]) == (
        [None, False],
        [None, True],
    )


def test_a_promotion_marks_the_cycles_from_its_date_on_out_of_date(quarter) -> None:
    q4 = create_cycle("2026Q4")
    q4.last_run_at = utcnow()
    db.session.commit()

    confirm_promotion(_streamer(), "senior", "Q3", cycle=quarter)

    assert quarter.stale_reasons == []  # dated after Q3: never touches it
    [reason] = q4.stale_reasons
    assert (reason["key"], reason["who"]) == ("level_changed", "E1002")


# --- the command -------------------------------------------------------------------------------


def test_the_command_confirms_without_prompting(quarter, cli) -> None:
    result = cli(
        "promotions", "confirm", "E1002", "--to", "senior", "--from", "2026-10-01",
        "--reason", "Q3: two A quarters",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert "E1002" in result.output and "2026-10-01" in result.output
    change = _streamer().level_changes[-1]
    assert (change.to_level, change.effective_on, change.reason) == (
        "senior",
        dt.date(2026, 10, 1),
        "Q3: two A quarters",
    )


def test_the_command_defaults_to_the_next_quarter_and_names_the_user(quarter, cli, hr) -> None:
    result = cli(
        "promotions", "confirm", "E1002", "--to", "senior", "--reason", "Q3", "--user", hr.username
    )

    assert result.exit_code == 0, result.output
    assert _streamer().level_changes[-1].effective_on == dt.date(2026, 10, 1)
    [confirmed] = _audit("promotion.confirm")
    assert confirmed.actor_name == hr.username


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--to", "mentor"], "is Senior streamer, not Training mentor"),
        (["--to", "senior", "--from", "2024-01-01"], "before the hire date"),
    ],
)
def test_the_command_refuses_with_the_reason_and_exit_1(quarter, cli, args, message) -> None:
    result = cli("promotions", "confirm", "E1002", *args, "--reason", "x")

    assert result.exit_code == 1
    assert message in result.stderr
    assert db.session.scalars(select(LevelChange)).all() == []


def test_the_command_refuses_a_streamer_not_eligible_unless_forced(quarter, cli) -> None:
    refused = cli("promotions", "confirm", "E1003", "--to", "senior", "--reason", "x")
    assert refused.exit_code == 1
    assert "not eligible" in refused.stderr

    forced = cli("promotions", "confirm", "E1003", "--to", "senior", "--reason", "x", "--force")

    assert forced.exit_code == 0, forced.output
    assert _streamer("E1003").level_changes[-1].to_level == "senior"


# --- the pages ---------------------------------------------------------------------------------


def test_the_page_lists_the_eligible_with_the_checklist(quarter, hr_client) -> None:
    page = hr_client.get("/promotions/").get_data(as_text=True)

    assert "E1002" in page and "E1003" not in page
    assert "79 (below 80)" in page
    assert "E1010 赵六, E1011 王五" in page
    assert 'value="2026-10-01"' in page


def test_confirming_on_the_page_schedules_the_promotion(quarter, hr_client) -> None:
    streamer = _streamer()
    form = {
        "streamer_id": str(streamer.id),
        "to_level": "senior",
        "cycle": "2026Q3",
        "effective_on": "2026-10-01",
        "reason": "Q3: two A quarters",
    }

    response = hr_client.post("/promotions/confirm", data=form, follow_redirects=True)

    page = response.get_data(as_text=True)
    assert "recorded in the level history" in page
    assert "Scheduled: Senior streamer from" in page
    db.session.expire_all()
    assert _streamer().level == "assistant"
    assert _streamer().level_changes[-1].effective_on == dt.date(2026, 10, 1)
    profile = hr_client.get(f"/streamers/{streamer.id}").get_data(as_text=True)
    assert "Scheduled: Senior streamer from" in profile


def test_a_refused_confirmation_on_the_page_says_why(quarter, hr_client) -> None:
    form = {
        "streamer_id": str(_streamer().id),
        "to_level": "mentor",
        "cycle": "2026Q3",
        "effective_on": "2026-10-01",
        "reason": "x",
    }

    page = hr_client.post("/promotions/confirm", data=form, follow_redirects=True).get_data(
        as_text=True
    )

    assert "not Training mentor" in page
    assert db.session.scalars(select(LevelChange)).all() == []
