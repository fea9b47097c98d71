"""Point 8, running a quarter: who is appraised, which sessions count (start in the org zone),
co-host shares, not graded without sessions, promotion evidence, re-runs in place with audited
changes, and the refusal of a finalized cycle."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from hrapp.appraisals import schemes, services
from hrapp.appraisals.models import Appraisal, AppraisalAdjustment, AppraisalCycle
from hrapp.appraisals.runner import run_cycle
from hrapp.core.audit import AuditEntry
from hrapp.core.errors import Locked, ValidationFailed
from hrapp.extensions import db
from hrapp.training.curriculum import ensure_default_curriculum
from hrapp.training.services import ScoreInput, log_record, module_by_code
from tests.factories import make_account, make_streamer
from tests.hrapp.appraisals.helpers import (
    MID_Q3,
    Q3_END_INSTANT,
    Q3_FIRST_INSTANT,
    broadcast,
    scheme_without_mentors,
    worked_example_quarter,
)

SECOND = dt.timedelta(seconds=1)


@pytest.fixture
def q3(app) -> AppraisalCycle:
    return services.create_cycle("2026Q3")


def _appraisal(cycle: AppraisalCycle, streamer) -> Appraisal:
    return db.session.scalars(
        select(Appraisal).where(
            Appraisal.cycle_id == cycle.id, Appraisal.streamer_id == streamer.id
        )
    ).one()


def _audits(action: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
    )


def test_sessions_belong_to_the_quarter_they_start_in_on_the_org_clock(q3) -> None:
    streamer = make_streamer()
    account = make_account(streamer)
    inside = [Q3_FIRST_INSTANT, Q3_END_INSTANT - SECOND]  # 07-01 00:00 and 09-30 23:59:59
    outside = [Q3_FIRST_INSTANT - SECOND, Q3_END_INSTANT]  # 06-30 23:59:59 and 10-01 00:00
    for start in inside + outside:
        broadcast(account, start=start, gmv_fen=1_000_000, refunds_fen=0)

    run_cycle(q3)

    appraisal = _appraisal(q3, streamer)
    assert (appraisal.sessions, appraisal.gmv_fen, appraisal.on_air_seconds) == (
        2,
        2_000_000,
        14_400,
    )


def test_co_hosts_share_the_money_and_each_is_on_air_for_the_whole_session(q3) -> None:
    lead, guest = make_streamer(), make_streamer()
    broadcast(
        make_account(lead),
        hosts=[(lead, 6_000), (guest, 4_000)],
        gmv_fen=1_000_000,
        refunds_fen=100_001,
        new_followers=50,
        unfollows=0,
    )

    run_cycle(q3)

    first, second = _appraisal(q3, lead), _appraisal(q3, guest)
    assert (first.gmv_fen, first.refunds_fen, first.net_gmv_fen) == (600_000, 60_001, 539_999)
    assert (second.gmv_fen, second.refunds_fen, second.net_gmv_fen) == (400_000, 40_000, 360_000)
    assert (first.new_followers, second.new_followers) == (30, 20)
    assert first.on_air_seconds == second.on_air_seconds == 7_200


def test_a_streamer_without_sessions_is_appraised_and_not_graded(q3) -> None:
    idle = make_streamer()

    run_cycle(q3)

    appraisal = _appraisal(q3, idle)
    assert (appraisal.sessions, appraisal.gmv_fen, appraisal.on_air_seconds) == (0, 0, 0)
    assert appraisal.not_graded and appraisal.grade is None
    assert (appraisal.commission_fen, appraisal.payable_fen) == (0, 0)
    assert appraisal.explanation["not_graded_reason"] == {
        "code": "below_min_hours",
        "hours": 0.0,
        "threshold": 30,
    }


def test_who_is_appraised(q3) -> None:
    active = make_streamer()
    hired_later = make_streamer(hire_date=dt.date(2026, 10, 8))
    left_before = make_streamer(status="left", left_on=dt.date(2026, 6, 30))
    left_during = make_streamer(status="left", left_on=dt.date(2026, 8, 15))
    left_before_but_hosted = make_streamer(status="left", left_on=dt.date(2026, 6, 1))
    broadcast(make_account(left_before_but_hosted))

    summary = run_cycle(q3)

    appraised = set(db.session.scalars(select(Appraisal.streamer_id)))
    assert appraised == {active.id, left_during.id, left_before_but_hosted.id}
    assert not {hired_later.id, left_before.id} & appraised
    assert summary.appraised == summary.created == 3


def test_the_stored_appraisal_matches_the_worked_example(q3) -> None:
    senior = make_streamer(level="senior")
    worked_example_quarter(senior)

    run_cycle(q3)

    appraisal = _appraisal(q3, senior)
    assert (appraisal.score, appraisal.grade, appraisal.not_graded) == (90.0, "A", False)
    assert (appraisal.tier_commission_fen, appraisal.multiplier) == (1_150_000, "1.1")
    assert appraisal.commission_fen == appraisal.payable_fen == 1_265_000
    assert appraisal.scheme_version.version == 1
    assert q3.scheme_version.version == 1 and q3.last_run_at is not None
    explanation = appraisal.explanation
    assert explanation["scheme_version"] == 1
    assert [m["points"] for m in explanation["metrics"]] == [40.0, 25.0, 25.0]
    assert [line["commission_fen"] for line in explanation["commission"]["lines"]] == [
        150_000,
        700_000,
        300_000,
        0,
    ]


def test_unknown_values_make_the_appraisal_incomplete_not_zero(q3) -> None:
    streamer = make_streamer()
    broadcast(make_account(streamer), refunds_fen=None, gmv_fen=None)

    run_cycle(q3)

    appraisal = _appraisal(q3, streamer)
    assert appraisal.data_incomplete
    assert appraisal.gmv_fen is None and appraisal.net_gmv_fen is None
    assert appraisal.commission_fen is None and appraisal.payable_fen is None


def test_promotion_evidence_comes_from_earlier_cycles_and_training(q3) -> None:
    ensure_default_curriculum()
    senior = make_streamer(level="senior", level_since=dt.date(2025, 1, 1))
    mentee = make_streamer(mentor_id=senior.id)
    log_record(mentee, module_by_code("PRACTICAL-1"), dt.date(2026, 8, 1), ScoreInput(score=90))
    log_record(senior, module_by_code("MENTOR-1"), dt.date(2026, 5, 1), ScoreInput(score=92))
    q2 = services.create_cycle("2026Q2")
    db.session.add(
        Appraisal(
            cycle_id=q2.id,
            streamer_id=senior.id,
            scheme_version_id=schemes.ensure_default_scheme().id,
            level="senior",
            grade="A",
            on_air_seconds=900_000,
            gmv_fen=1,
            refunds_fen=0,
        )
    )
    db.session.flush()

    run_cycle(q3)

    checklist = {
        item.get("module", item["criterion"]): item
        for item in _appraisal(q3, senior).explanation["promotion"]["checklist"]
    }
    assert checklist["months_at_level"]["actual"] == 20  # 2025-01-01 to 2026-09-30
    assert {"cycle": "2026Q2", "grade": "A"} in checklist["grade"]["quarters"]
    assert checklist["MENTOR-1"]["met"] and checklist["MENTOR-1"]["actual"] == 92
    assert checklist["PRACTICAL-1"]["actual"] == 1  # the mentee's pass counts for the mentor


def test_a_re_run_updates_drafts_in_place_keeps_adjustments_and_audits_changes(q3) -> None:
    senior, idle = make_streamer(level="senior"), make_streamer()
    worked_example_quarter(senior)
    run_cycle(q3)
    appraisal = _appraisal(q3, senior)
    appraisal.adjustment_fen = -20_000
    db.session.add(
        AppraisalAdjustment(appraisal_id=appraisal.id, amount_fen=-20_000, reason="fine")
    )
    db.session.flush()
    first_id, first_version = appraisal.id, appraisal.lock_version
    # A late import: one more session of ¥300,000 (net GMV ¥1.5M → score 100, grade S).
    broadcast(make_account(senior), hours=10, gmv_fen=30_000_000, refunds_fen=0)

    summary = run_cycle(q3)

    appraisal = _appraisal(q3, senior)
    assert appraisal.id == first_id and appraisal.lock_version == first_version + 1
    assert (appraisal.grade, appraisal.multiplier) == ("S", "1.2")
    # 300,000 × 0.5% + 700,000 × 1% + 500,000 × 1.5% = 16,000 → × 1.2 = ¥19,200.
    assert appraisal.commission_fen == 1_920_000
    assert appraisal.adjustment_fen == -20_000 and len(appraisal.adjustments) == 1
    assert appraisal.payable_fen == 1_900_000
    assert (summary.created, summary.updated, summary.changed) == (0, 2, 1)
    recomputed = _audits("appraisal.recompute")
    assert [(r.entity_id, r.changes) for r in recomputed] == [
        (
            str(first_id),
            {"score": [90.0, 99.37], "grade": ["A", "S"], "payable_fen": [1_265_000, 1_900_000]},
        )
    ]
    runs = _audits("cycle.run")
    assert len(runs) == 2
    assert runs[1].summary["id"].startswith("Cycle %(code)s run with scheme version %(version)d")
    assert (runs[1].summary["params"]["version"], runs[1].summary["params"]["changed"]) == (1, 1)
    assert runs[1].changes["total_payable_fen"] == [1_265_000, 1_900_000]
    assert _appraisal(q3, idle).lock_version == 2  # updated too, nothing changed


def test_a_re_run_leaves_finalized_appraisals_alone(q3) -> None:
    streamer = make_streamer()
    run_cycle(q3)
    appraisal = _appraisal(q3, streamer)
    appraisal.status = "finalized"
    db.session.flush()
    broadcast(make_account(streamer))

    summary = run_cycle(q3)

    assert summary.kept_finalized == 1
    assert _appraisal(q3, streamer).sessions == 0


def test_a_finalized_cycle_refuses_to_run(q3, cli) -> None:
    q3.status = "finalized"
    db.session.commit()

    with pytest.raises(Locked, match="Cycle 2026Q3 is finalized"):
        run_cycle(q3)
    result = cli("cycle", "run", "2026Q3")

    assert result.exit_code == 1
    assert "Cycle 2026Q3 is finalized" in result.stderr
    assert db.session.scalars(select(Appraisal)).all() == []


def test_data_the_scheme_cannot_score_is_refused_with_every_problem(q3) -> None:
    make_streamer(level="mentor")
    schemes.save_scheme(scheme_without_mentors())

    with pytest.raises(ValidationFailed) as refused:
        run_cycle(q3)

    assert any("streamers.level: not a level of the scheme" in p for p in refused.value.problems)


def test_the_cli_runs_with_a_progress_line_and_a_summary(q3, cli) -> None:
    worked_example_quarter(make_streamer(level="senior"))
    db.session.commit()

    result = cli("cycle", "run", "2026q3")

    assert result.exit_code == 0, result.output
    assert "100% 100/100 Done" in result.stderr
    assert "Cycle 2026Q3: 1 appraised with scheme version 1" in result.stdout
    assert "total payable ¥12650.00" in result.stdout
    assert MID_Q3  # the worked example's sessions start mid-quarter
