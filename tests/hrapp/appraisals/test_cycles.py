"""Point 8, creating a cycle: `hrapp cycle create 2026Q3` dates the quarter in the
organisation's zone and refuses duplicates and codes that are not quarters."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from hrapp.appraisals import services
from hrapp.appraisals.models import AppraisalCycle
from hrapp.core.audit import AuditEntry
from hrapp.core.errors import Conflict, ValidationFailed
from hrapp.extensions import db


@pytest.mark.parametrize(
    ("code", "first", "last"),
    [
        ("2026Q3", dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
        ("2026q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
        ("2028Q1", dt.date(2028, 1, 1), dt.date(2028, 3, 31)),
    ],
)
def test_a_cycle_covers_its_quarter_in_the_organisations_zone(app, code, first, last) -> None:
    cycle = services.create_cycle(code)

    assert (cycle.code, cycle.starts_on, cycle.ends_on) == (code.upper(), first, last)
    assert (cycle.timezone, cycle.status) == ("Asia/Shanghai", "open")
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "cycle.create")).one()
    assert entry.changes["starts_on"] == [None, first.isoformat()]


def test_a_second_cycle_for_the_same_quarter_is_refused(app) -> None:
    services.create_cycle("2026Q3")

    with pytest.raises(Conflict, match=re.escape("Cycle 2026Q3 already exists.")):
        services.create_cycle("2026q3")


@pytest.mark.parametrize("code", ["2026Q5", "2026Q0", "26Q3", "Q3 2026", "2026-Q3", "1999Q4", ""])
def test_codes_that_are_not_quarters_are_refused(app, code) -> None:
    with pytest.raises(ValidationFailed, match=re.escape("e.g. 2026Q3")):
        services.create_cycle(code)


def test_the_cli_creates_once_and_explains_refusals(cli) -> None:
    created = cli("cycle", "create", "2026Q3")
    duplicate = cli("cycle", "create", "2026Q3")
    bad = cli("cycle", "create", "2026Q7")

    assert created.exit_code == 0
    assert "Cycle 2026Q3 created: 2026-07-01 to 2026-09-30 (Asia/Shanghai)." in created.stdout
    assert (duplicate.exit_code, bad.exit_code) == (1, 1)
    assert "Cycle 2026Q3 already exists." in duplicate.stderr
    assert "2026Q7 is not a quarter" in bad.stderr
    assert len(db.session.scalars(select(AppraisalCycle)).all()) == 1
