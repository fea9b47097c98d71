"""Point 4: pay adjustments, score overrides (re-grading by hand-computed figures) and
comments; conflicts lose nothing, bad input writes nothing, every change is audited."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from hrapp.appraisals import closing, services
from hrapp.appraisals.models import AppraisalAdjustment
from hrapp.appraisals.overrides import regrade
from hrapp.appraisals.runner import run_cycle
from hrapp.core.audit import AuditEntry
from hrapp.core.errors import Conflict, ValidationFailed
from hrapp.core.messages import message
from hrapp.extensions import db
from tests.factories import make_account, make_streamer
from tests.hrapp.appraisals.helpers import MID_Q3, broadcast
from tests.hrapp.closing.conftest import WORKED_COMMISSION_FEN, appraisal_of


def _audits(action: str) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    return list(db.session.scalars(query))


def _adjustment_count() -> int:
    return db.session.scalar(select(func.count(AppraisalAdjustment.id)))


def test_a_pay_adjustment_changes_the_payable_and_is_audited(appraisal, hr) -> None:
    version = appraisal.lock_version
    closing.add_pay_adjustment(appraisal, -20_050, " 迟到扣款 ", version, hr)
    closing.add_pay_adjustment(appraisal, 50_000, "Training bonus", appraisal.lock_version, hr)
    db.session.commit()

    found = appraisal_of(appraisal.cycle, appraisal.streamer)
    assert found.adjustment_fen == -20_050 + 50_000
    assert found.payable_fen == WORKED_COMMISSION_FEN + 29_950
    assert found.commission_fen == WORKED_COMMISSION_FEN  # the commission itself is untouched
    assert found.lock_version > version
    lines = sorted(found.adjustments, key=lambda a: a.id)
    assert [(a.kind, a.amount_fen, a.reason, a.created_by_id) for a in lines] == [
        ("pay", -20_050, "迟到扣款", hr.id),
        ("pay", 50_000, "Training bonus", hr.id),
    ]
    first = _audits("appraisal.adjust")[0]
    assert first.actor_name == hr.username
    assert first.changes["payable_fen"] == [1_265_000, 1_244_950]
    assert first.changes["adjustment_fen"] == [0, -20_050]
    assert first.summary == message(
        "Pay adjustment of %(amount)s: %(reason)s", amount={"fen": -20_050}, reason="迟到扣款"
    )


@pytest.mark.parametrize(
    ("amount", "reason"),
    [(0, "nothing"), (10_000, ""), (10_000, "   "), (10_000, "x" * 501), (10**12, "too much")],
)
def test_a_bad_adjustment_writes_nothing(appraisal, hr, amount, reason) -> None:
    with pytest.raises(ValidationFailed):
        closing.add_pay_adjustment(appraisal, amount, reason, appraisal.lock_version, hr)
    db.session.rollback()
    assert _adjustment_count() == 0
    assert _audits("appraisal.adjust") == []
    assert appraisal_of(appraisal.cycle, appraisal.streamer).payable_fen == WORKED_COMMISSION_FEN


def test_removing_a_pay_adjustment_restores_the_payable(appraisal, hr) -> None:
    line = closing.add_pay_adjustment(appraisal, -10_000, "typo", appraisal.lock_version, hr)
    closing.delete_adjustment(appraisal, line.id, appraisal.lock_version, hr)
    db.session.commit()
    found = appraisal_of(appraisal.cycle, appraisal.streamer)
    assert (found.adjustment_fen, found.payable_fen) == (0, WORKED_COMMISSION_FEN)
    assert _adjustment_count() == 0
    assert len(_audits("appraisal.adjustment_delete")) == 1


def test_a_score_override_regrades_and_recomputes_the_commission(appraisal, hr) -> None:
    closing.add_pay_adjustment(appraisal, -20_000, "deduction", appraisal.lock_version, hr)
    closing.override_score(appraisal, 96, "Carried the 双11 launch", appraisal.lock_version, hr)
    db.session.commit()

    found = appraisal_of(appraisal.cycle, appraisal.streamer)
    # 96 reaches S (≥ 95): ¥11,500 × 1.2 = ¥13,800; payable = 13,800 − 200.
    assert (found.score, found.score_override, found.grade) == (96, 96, "S")
    assert found.multiplier == "1.2"
    assert (found.tier_commission_fen, found.commission_fen) == (1_150_000, 1_380_000)
    assert found.payable_fen == 1_380_000 - 20_000
    explanation = found.explanation
    assert explanation["score"] == 90  # the computed score stays
    assert explanation["score_override"] == {
        "score": 96,
        "computed_score": 90,
        "computed_grade": "A",
        "reason": "Carried the 双11 launch",
    }
    assert explanation["commission"]["commission_fen"] == 1_380_000
    assert explanation["grade_band"]["grade"] == "S"
    score_lines = [a for a in found.adjustments if a.kind == "score"]
    assert [(a.score, a.amount_fen, a.reason) for a in score_lines] == [
        (96, 0, "Carried the 双11 launch")
    ]
    audit = _audits("appraisal.score_override")[0]
    assert audit.changes["grade"] == ["A", "S"]
    assert audit.changes["commission_fen"] == [1_265_000, 1_380_000]


def test_a_lower_override_and_clearing_it(appraisal, hr) -> None:
    closing.override_score(appraisal, 65, "Complaints", appraisal.lock_version, hr)
    # 65 is C (≥ 60): ¥11,500 × 0.8 = ¥9,200.
    assert (appraisal.grade, appraisal.multiplier, appraisal.commission_fen) == (
        "C",
        "0.8",
        920_000,
    )
    closing.clear_score_override(appraisal, "Complaint withdrawn", appraisal.lock_version, hr)
    db.session.commit()
    found = appraisal_of(appraisal.cycle, appraisal.streamer)
    assert (found.score_override, found.score, found.grade) == (None, 90, "A")
    assert found.commission_fen == WORKED_COMMISSION_FEN
    assert "score_override" not in found.explanation
    assert [a.score for a in sorted(found.adjustments, key=lambda a: a.id)] == [65, None]
    assert len(_audits("appraisal.score_override")) == 2


def test_an_override_keeps_the_hours_gate_of_the_run(app, hr) -> None:
    """A senior on air 100 h (graded, but below the 240 h minimum): the gate halves the
    commission before and after the override — S: ¥11,500 × 1.2 × 0.5 = ¥6,900."""
    streamer = make_streamer(level="senior")
    account = make_account(streamer)
    for day in range(4):
        broadcast(
            account,
            start=MID_Q3 + dt.timedelta(days=2 * day),
            hours=25,
            gmv_fen=30_000_000,
            refunds_fen=0,
            avg_watch_seconds=90.0,
            new_followers=3_750,
            unfollows=0,
        )
    cycle = services.create_cycle("2026Q3")
    run_cycle(cycle)
    found = appraisal_of(cycle, streamer)
    assert (found.grade, found.multiplier, found.commission_fen) == ("A", "0.55", 632_500)
    closing.override_score(found, 96, "Calibrated", found.lock_version, hr)
    assert (found.grade, found.multiplier, found.commission_fen) == ("S", "0.60", 690_000)
    kinds = [f["kind"] for f in found.explanation["commission"]["multipliers"]]
    assert kinds == ["grade", "hours_gate"]


def test_a_not_graded_appraisal_cannot_be_graded_by_an_override(app, hr) -> None:
    streamer = make_streamer(level="senior")
    broadcast(make_account(streamer), hours=2, gmv_fen=1_000_000, refunds_fen=0)
    cycle = services.create_cycle("2026Q3")
    run_cycle(cycle)
    found = appraisal_of(cycle, streamer)
    assert found.not_graded
    with pytest.raises(ValidationFailed, match="30"):
        closing.override_score(found, 90, "Was on leave", found.lock_version, hr)
    db.session.rollback()
    assert _adjustment_count() == 0


@pytest.mark.parametrize("score", [-1, 100.5, float("nan"), float("inf")])
def test_a_score_outside_the_scale_is_refused(appraisal, hr, score) -> None:
    with pytest.raises(ValidationFailed):
        closing.override_score(appraisal, score, "reason", appraisal.lock_version, hr)
    db.session.rollback()
    assert appraisal_of(appraisal.cycle, appraisal.streamer).score_override is None


def test_regrade_after_a_rerun_applies_the_override_again(appraisal, hr) -> None:
    """The run rewrites the computed figures and re-applies the override itself: grade,
    commission, and the override's note with HR's reason."""
    closing.override_score(appraisal, 96, "Calibrated", appraisal.lock_version, hr)
    run_cycle(appraisal.cycle)
    found = appraisal_of(appraisal.cycle, appraisal.streamer)
    assert (found.score, found.grade, found.commission_fen) == (96, "S", 1_380_000)
    assert found.payable_fen == 1_380_000
    note = found.explanation["score_override"]
    assert (note["computed_score"], note["computed_grade"], note["reason"]) == (
        90,
        "A",
        "Calibrated",
    )
    regrade(found)  # the page's own re-grade agrees with the run
    assert (found.score, found.grade, found.commission_fen) == (96, "S", 1_380_000)


def test_comments_are_saved_and_audited_and_unchanged_ones_write_nothing(appraisal, hr) -> None:
    assert closing.save_comments(appraisal, "私下：注意", "表现稳定", appraisal.lock_version, hr)
    assert not closing.save_comments(
        appraisal, "私下：注意", "表现稳定", appraisal.lock_version, hr
    )
    db.session.commit()
    found = appraisal_of(appraisal.cycle, appraisal.streamer)
    assert (found.hr_notes, found.shared_comment) == ("私下：注意", "表现稳定")
    audits = _audits("appraisal.comments")
    assert len(audits) == 1
    assert audits[0].changes == {"hr_notes": ["", "私下：注意"], "shared_comment": ["", "表现稳定"]}


def test_a_stale_lock_version_is_a_conflict_and_writes_nothing(appraisal, hr) -> None:
    read_at = appraisal.lock_version
    closing.save_comments(appraisal, "first", "", read_at, hr)  # someone else saves first
    db.session.commit()
    with pytest.raises(Conflict):
        closing.add_pay_adjustment(appraisal, 10_000, "late", read_at, hr)
    with pytest.raises(Conflict):
        closing.save_comments(appraisal, "second", "", read_at, hr)
    with pytest.raises(Conflict):
        closing.override_score(appraisal, 96, "late", read_at, hr)
    db.session.rollback()
    found = appraisal_of(appraisal.cycle, appraisal.streamer)
    assert (found.hr_notes, found.score, found.adjustment_fen) == ("first", 90, 0)
    assert _adjustment_count() == 0


def test_a_save_racing_past_the_check_is_a_conflict_too(appraisal, hr) -> None:
    """Another transaction bumps the version between our read and our flush."""
    table = type(appraisal).__table__
    db.session.execute(
        table.update()
        .where(table.c.id == appraisal.id)
        .values(lock_version=table.c.lock_version + 1)
    )
    with pytest.raises(Conflict):
        closing.save_comments(appraisal, "mine", "", appraisal.lock_version, hr)
