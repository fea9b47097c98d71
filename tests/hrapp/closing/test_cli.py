"""`hrapp cycle finalize` and `hrapp cycle reopen`: no prompts, exit 1 with the reason on a
refusal (nothing written), the audit log names the --user."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hrapp.appraisals import services
from hrapp.appraisals.models import AppraisalCycle, AppraisalRevision
from hrapp.core.audit import AuditEntry
from hrapp.extensions import db


@pytest.fixture(autouse=True)
def _english(english: None) -> None:
    """The commands' messages are checked in their English source text."""


def _status(code: str) -> str:
    return db.session.scalar(
        select(AppraisalCycle.status)
        .where(AppraisalCycle.code == code)
        .execution_options(populate_existing=True)
    )


def _actors(action: str) -> list[str]:
    return list(
        db.session.scalars(select(AuditEntry.actor_name).where(AuditEntry.action == action))
    )


def test_finalize_then_reopen_then_finalize_again(cli, q3, hr, admin) -> None:
    result = cli("cycle", "finalize", "2026q3", "--user", hr.username)
    assert result.exit_code == 0, result.output
    assert "Cycle 2026Q3 finalized: 1 appraisals are final (revision 1)." in result.output
    assert _status("2026Q3") == "finalized"
    assert _actors("cycle.finalize") == [hr.username]

    result = cli(
        "cycle", "reopen", "2026Q3", "--reason", "Refunds arrived", "--user", admin.username
    )
    assert result.exit_code == 0, result.output
    assert "revision 1 is kept" in result.output
    assert _status("2026Q3") == "open"
    assert _actors("cycle.reopen") == [admin.username]

    assert cli("cycle", "finalize", "2026Q3").exit_code == 0
    revisions = db.session.scalars(select(AppraisalRevision.revision)).all()
    assert sorted(revisions) == [1, 2]


def test_refusals_exit_1_with_the_reason_and_write_nothing(cli, senior, hr) -> None:
    services.create_cycle("2026Q3")
    db.session.commit()
    result = cli("cycle", "finalize", "2026Q3")
    assert result.exit_code == 1 and "has never been run" in result.output
    assert _status("2026Q3") == "open"

    result = cli("cycle", "reopen", "2026Q3", "--reason", "why")
    assert result.exit_code == 1 and "is not finalized" in result.output

    result = cli("cycle", "finalize", "2031Q1")
    assert result.exit_code == 1 and "There is no cycle 2031Q1" in result.output
    assert _actors("cycle.finalize") == [] and _actors("cycle.reopen") == []


def test_reopen_needs_an_admin_and_a_reason(cli, q3, hr) -> None:
    assert cli("cycle", "finalize", "2026Q3").exit_code == 0
    result = cli("cycle", "reopen", "2026Q3", "--reason", "why", "--user", hr.username)
    assert result.exit_code == 1 and "Only an administrator" in result.output
    result = cli("cycle", "reopen", "2026Q3")
    assert result.exit_code == 2 and "--reason" in result.output  # click: a missing option
    result = cli("cycle", "reopen", "2026Q3", "--reason", "  ")
    assert result.exit_code == 1 and "Give a reason" in result.output
    assert _status("2026Q3") == "finalized"
