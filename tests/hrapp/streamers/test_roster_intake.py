"""The roster import as an intake: the preview names every problem the confirm would meet.

The demo agency's roster (`hrapp demo load`) and the sample roster file disagree on hire dates:
seven of the sample's streamers were hired, by the file, after their first level change in the
demo's history. The preview once said "update 24" and its confirm then refused the file.
"""

from __future__ import annotations

import pytest

from hrapp.auth.models import Role
from hrapp.core.timeutil import org_zone
from hrapp.demo import services as demo_services
from hrapp.demo.generator import build_demo_set
from hrapp.extensions import db
from hrapp.streamers.roster_import import apply_plan, plan_import
from tests.factories import make_user
from tests.hrapp.streamers.conftest import SAMPLE, TODAY

# The sample's rows whose hire date comes after the demo streamer's first level change.
ROWS_HIRED_AFTER_FIRST_CHANGE = [8, 14, 15, 16, 19, 20, 25]


@pytest.fixture
def demo_roster(app) -> None:
    """Only the roster of the demo agency (its sessions and training do not matter here)."""
    hr = make_user(Role.HR, username="hr")
    demo = build_demo_set(TODAY, org_zone(), 48)
    demo_services._write_roster(demo, changed_by=hr)
    db.session.commit()


def test_the_preview_names_the_hire_dates_the_confirm_would_refuse(demo_roster) -> None:
    plan = plan_import(SAMPLE.read_bytes())

    hire_date_problems = [p for p in plan.problems if p.column == "hire_date"]
    assert [p.row for p in hire_date_problems] == ROWS_HIRED_AFTER_FIRST_CHANGE
    assert all("first level change" in p.text for p in hire_date_problems)
    assert len(plan.problems) == len(ROWS_HIRED_AFTER_FIRST_CHANGE)


def test_without_those_rows_the_preview_and_the_confirm_agree(demo_roster) -> None:
    lines = SAMPLE.read_bytes().splitlines()
    kept = [line for n, line in enumerate(lines, 1) if n not in ROWS_HIRED_AFTER_FIRST_CHANGE]
    data = b"\n".join(kept)

    preview = plan_import(data)
    assert preview.problems == []
    shown = (preview.summary, preview.fingerprint)
    confirmed = plan_import(data, rehearse=False)
    assert (confirmed.summary, confirmed.fingerprint) == shown

    summary = apply_plan(confirmed, "roster.csv")

    assert summary == preview.summary
    assert summary.updated == 24 - len(ROWS_HIRED_AFTER_FIRST_CHANGE)


def test_a_rehearsal_leaves_the_roster_as_it_was(demo_roster) -> None:
    from hrapp.streamers.models import Streamer

    before = {s.employee_no: s.hire_date for s in db.session.scalars(db.select(Streamer))}
    plan_import(SAMPLE.read_bytes())
    db.session.expire_all()
    after = {s.employee_no: s.hire_date for s in db.session.scalars(db.select(Streamer))}
    assert after == before
