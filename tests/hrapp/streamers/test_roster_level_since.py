"""Point 1, the roster import's optional `level_since` (级别生效日期): a changed level takes
effect on that date, or on the import day when the cell is blank; a date that would put the
history out of order is refused with its row, column and reason; cycles are marked stale."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from hrapp.appraisals.models import AppraisalCycle
from hrapp.appraisals.services import create_cycle
from hrapp.core.db import utcnow
from hrapp.extensions import db
from hrapp.streamers.models import Streamer
from hrapp.streamers.roster_import import apply_plan, plan_import
from tests.hrapp.streamers.conftest import TODAY, audit_entries

HEADER = "employee_no,name,level,category,hire_date,level_since"


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return "\n".join([header, *rows]).encode()


def _import(data: bytes) -> None:
    apply_plan(plan_import(data), "roster.csv")
    db.session.commit()


def _streamer() -> Streamer:
    return db.session.scalars(select(Streamer).where(Streamer.employee_no == "E1")).one()


def _hired_assistant() -> None:
    _import(_csv("E1,甲,assistant,beauty,2024-02-03,"))


def test_a_changed_level_takes_effect_on_level_since(app) -> None:
    _hired_assistant()

    _import(_csv("E1,甲,senior,beauty,2024-02-03,2026-08-16"))

    streamer = _streamer()
    change = streamer.level_changes[-1]
    assert (change.from_level, change.to_level, change.effective_on) == (
        "assistant",
        "senior",
        dt.date(2026, 8, 16),
    )
    assert (streamer.level, streamer.level_since) == ("senior", dt.date(2026, 8, 16))
    [entry] = audit_entries("streamer.level_change")
    assert entry.changes["level_since"] == ["2024-02-03", "2026-08-16"]


def test_the_chinese_header_and_date_spelling_are_read(app) -> None:
    _hired_assistant()

    _import(
        _csv(
            "E1,甲,资深主播,美妆,2024-02-03,2026年8月16日",
            header="工号,姓名,级别,品类,入职日期,级别生效日期",
        )
    )

    assert _streamer().level_changes[-1].effective_on == dt.date(2026, 8, 16)


def test_without_the_column_or_with_a_blank_cell_the_change_is_dated_today(app) -> None:
    _hired_assistant()
    _import(_csv("E1,甲,senior,beauty,2024-02-03,"))
    assert _streamer().level_changes[-1].effective_on == TODAY

    _import(
        _csv("E1,甲,mentor,beauty,2024-02-03", header="employee_no,name,level,category,hire_date")
    )
    assert _streamer().level_changes[-1].effective_on == TODAY


def test_an_unchanged_level_ignores_level_since(app) -> None:
    _hired_assistant()

    plan = plan_import(_csv("E1,甲,assistant,beauty,2024-02-03,2025-01-01"))

    assert not plan.problems
    assert plan.changed == []


def test_a_level_since_before_the_hire_date_is_refused_with_row_and_column(app) -> None:
    _hired_assistant()

    problems = [
        str(p) for p in plan_import(_csv("E1,甲,senior,beauty,2024-02-03,2024-01-31")).problems
    ]

    assert problems == [
        "Row 2, column Level since, value “2024-01-31”: The level change cannot take effect "
        "before the hire date (3 Feb 2024)."
    ]


def test_a_level_since_before_the_last_change_is_refused(app) -> None:
    _hired_assistant()
    _import(_csv("E1,甲,senior,beauty,2024-02-03,2026-08-16"))

    plan = plan_import(_csv("E1,甲,mentor,beauty,2024-02-03,2026-07-01"))

    [problem] = plan.problems
    assert (problem.row, problem.column, problem.value) == (2, "level_since", "2026-07-01")
    assert "already has a change on 16 Aug 2026" in problem.text
    assert _streamer().level == "senior"


def test_a_level_since_in_the_future_is_refused(app) -> None:
    _hired_assistant()

    [problem] = plan_import(_csv("E1,甲,senior,beauty,2024-02-03,2026-10-01")).problems

    assert problem.column == "level_since"
    assert "future" in problem.text


def test_a_level_since_that_is_not_a_date_is_refused(app) -> None:
    _hired_assistant()

    [problem] = plan_import(_csv("E1,甲,senior,beauty,2024-02-03,soon")).problems

    assert (problem.column, problem.value) == ("level_since", "soon")


def test_the_cycles_from_level_since_on_are_marked_out_of_date(app) -> None:
    _hired_assistant()
    q2, q3 = create_cycle("2026Q2"), create_cycle("2026Q3")
    q2.last_run_at = q3.last_run_at = utcnow()
    db.session.commit()

    _import(_csv("E1,甲,senior,beauty,2024-02-03,2026-08-16"))

    stale = {c.code: c.stale_reasons for c in db.session.scalars(select(AppraisalCycle))}
    assert stale["2026Q2"] == []
    [reason] = stale["2026Q3"]
    assert (reason["key"], reason["who"]) == ("level_changed", "E1")
