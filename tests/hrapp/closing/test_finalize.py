"""Points 5 and 6: finalizing locks a cycle for good (no import, roster change, training
record or re-run changes it), reopening is an audited administrator's action that keeps the
finalized state as a numbered revision, and finalizing again makes the next revision."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from hrapp.appraisals import closing, services
from hrapp.appraisals.models import Appraisal, AppraisalRevision
from hrapp.appraisals.runner import run_cycle
from hrapp.core.audit import AuditEntry
from hrapp.core.db import utcnow
from hrapp.core.errors import Locked, ValidationFailed
from hrapp.extensions import db
from hrapp.streamers.services import change_level
from hrapp.training.curriculum import ensure_default_curriculum
from hrapp.training.services import ScoreInput, log_record, module_by_code
from tests.factories import make_account
from tests.hrapp.appraisals.helpers import MID_Q3, broadcast
from tests.hrapp.closing.conftest import WORKED_COMMISSION_FEN, appraisal_of

FIGURES = (
    "status",
    "level",
    "sessions",
    "on_air_seconds",
    "net_gmv_fen",
    "score",
    "grade",
    "multiplier",
    "commission_fen",
    "adjustment_fen",
    "payable_fen",
    "scheme_version_id",
    "explanation",
)


def _state(appraisal: Appraisal) -> dict[str, object]:
    found = appraisal_of(appraisal.cycle, appraisal.streamer)
    return {name: getattr(found, name) for name in FIGURES}


def _revisions(appraisal: Appraisal) -> list[AppraisalRevision]:
    query = select(AppraisalRevision).where(AppraisalRevision.appraisal_id == appraisal.id)
    return list(db.session.scalars(query.order_by(AppraisalRevision.revision)))


def _audits(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_finalize_locks_the_cycle_and_keeps_revision_1(q3, appraisal, hr) -> None:
    closing.add_pay_adjustment(appraisal, -5_000, "Late twice", appraisal.lock_version, hr)
    done = closing.finalize_cycle(q3, hr)
    db.session.commit()

    assert (done.code, done.appraisals, done.revision) == ("2026Q3", 1, 1)
    assert (q3.status, q3.finalized_by_id) == ("finalized", hr.id)
    assert q3.finalized_at is not None and q3.scheme_version_id is not None
    found = appraisal_of(q3, appraisal.streamer)
    assert found.status == "finalized" and found.finalized_at is not None
    [revision] = _revisions(found)
    snapshot = revision.snapshot
    assert (revision.revision, revision.created_by_id) == (1, hr.id)
    assert snapshot["grade"] == "A" and snapshot["score"] == 90
    assert snapshot["commission_fen"] == WORKED_COMMISSION_FEN
    assert snapshot["payable_fen"] == WORKED_COMMISSION_FEN - 5_000
    assert snapshot["level"] == "senior"
    assert snapshot["explanation"] == found.explanation
    assert [(a["kind"], a["amount_fen"], a["reason"]) for a in snapshot["adjustments"]] == [
        ("pay", -5_000, "Late twice")
    ]
    [entry] = _audits("cycle.finalize")
    assert entry.actor_id == hr.id and entry.changes["status"] == ["open", "finalized"]


def test_a_finalized_appraisal_refuses_every_change(q3, appraisal, hr) -> None:
    closing.finalize_cycle(q3, hr)
    db.session.commit()
    found = appraisal_of(q3, appraisal.streamer)
    version = found.lock_version
    for change in (
        lambda: closing.add_pay_adjustment(found, 100, "x", version, hr),
        lambda: closing.override_score(found, 96, "x", version, hr),
        lambda: closing.save_comments(found, "x", "y", version, hr),
    ):
        with pytest.raises(Locked):
            change()
    with pytest.raises(Locked):
        closing.finalize_cycle(q3, hr)


def test_nothing_later_changes_a_finalized_appraisal(q3, appraisal, senior, hr) -> None:
    """New sessions, a level change dated inside the quarter, a training record; then a re-run
    of the cycle (refused) and a run of the next quarter: the figures stay as finalized."""
    closing.finalize_cycle(q3, hr)
    db.session.commit()
    before = _state(appraisal)

    broadcast(make_account(senior), start=MID_Q3, hours=40, gmv_fen=90_000_000, refunds_fen=0)
    change_level(senior, "mentor", dt.date(2026, 8, 1), "Promoted")
    ensure_default_curriculum()
    log_record(senior, module_by_code("MENTOR-1"), dt.date(2026, 9, 1), ScoreInput(score=95))
    db.session.commit()
    with pytest.raises(Locked):
        run_cycle(q3)
    db.session.rollback()
    run_cycle(services.create_cycle("2026Q4"))
    db.session.commit()

    assert _state(appraisal) == before
    assert len(_revisions(appraisal)) == 1


def test_finalize_is_refused_before_a_run_and_when_out_of_date(senior, hr, english) -> None:
    cycle = services.create_cycle("2026Q3")
    with pytest.raises(ValidationFailed, match="never been run"):
        closing.finalize_cycle(cycle, hr)
    run_cycle(cycle)
    cycle.stale_since = utcnow()
    with pytest.raises(ValidationFailed, match="out of date"):
        closing.finalize_cycle(cycle, hr)
    db.session.rollback()
    assert db.session.scalar(select(AppraisalRevision.id)) is None
    assert _audits("cycle.finalize") == []


def test_reopen_keeps_revision_1_and_refinalizing_makes_revision_2(
    q3, appraisal, senior, hr, admin
) -> None:
    closing.finalize_cycle(q3, hr)
    db.session.commit()
    broadcast(make_account(senior), start=MID_Q3, hours=10, gmv_fen=30_000_000, refunds_fen=0)

    done = closing.reopen_cycle(q3, "Late refunds from the platform", admin)
    db.session.commit()
    assert (done.appraisals, done.revision) == (1, 1)
    assert q3.status == "open" and q3.finalized_at is None
    found = appraisal_of(q3, senior)
    assert (found.status, found.finalized_at) == ("draft", None)
    [entry] = _audits("cycle.reopen")
    assert entry.actor_id == admin.id
    assert entry.changes["reason"] == "Late refunds from the platform"

    run_cycle(q3)  # allowed again: the new session counts now
    db.session.commit()
    found = appraisal_of(q3, senior)
    assert found.net_gmv_fen == 120_000_000 + 30_000_000
    comparison = closing.revision_comparison(found)
    assert comparison is not None and comparison["revision"] == 1 and comparison["changed"]
    rows = {row["field"]: row for row in comparison["rows"]}
    assert rows["commission_fen"]["revision"] == WORKED_COMMISSION_FEN
    assert rows["commission_fen"]["current"] == found.commission_fen != WORKED_COMMISSION_FEN

    closing.finalize_cycle(q3, hr)
    db.session.commit()
    revisions = _revisions(found)
    assert [r.revision for r in revisions] == [1, 2]
    assert revisions[0].snapshot["commission_fen"] == WORKED_COMMISSION_FEN  # kept as it was
    assert revisions[1].snapshot["net_gmv_fen"] == 150_000_000


def test_reopen_needs_an_administrator_a_reason_and_a_finalized_cycle(
    q3, hr, admin, english
) -> None:
    with pytest.raises(ValidationFailed, match="not finalized"):
        closing.reopen_cycle(q3, "why", admin)
    closing.finalize_cycle(q3, hr)
    with pytest.raises(ValidationFailed, match="administrator"):
        closing.reopen_cycle(q3, "why", hr)
    with pytest.raises(ValidationFailed):
        closing.reopen_cycle(q3, "  ", admin)
    assert q3.status == "finalized"
    assert _audits("cycle.reopen") == []


def test_finalize_updates_every_appraisal_of_the_cycle_only(q3, appraisal, hr) -> None:
    """Many appraisals in one statement, none of another cycle's."""
    q4 = services.create_cycle("2026Q4")
    run_cycle(q4)
    closing.finalize_cycle(q3, hr)
    db.session.commit()
    statuses = dict(db.session.execute(select(Appraisal.cycle_id, Appraisal.status)).all())
    assert statuses == {q3.id: "finalized", q4.id: "draft"}
