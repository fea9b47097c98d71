"""A trainer's journey: log a class of the curriculum with its attendees and their scores.

Each language logs its class for three streamers of its own (no record of theirs for that
module on that day), with a note of its own, so the journeys do not meet each other or the
demo's records, in whatever order they run.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.browser.conftest import LiveServer
from tests.browser.helpers import (
    BOTH_LANGUAGES,
    DemoAgency,
    button,
    expect_heading,
    expect_text,
    lang_of,
    login_as,
    unique,
    words,
)


@dataclass(frozen=True)
class Attendee:
    streamer_id: int
    employee_no: str
    score: str
    passed: bool


@dataclass(frozen=True)
class Plan:
    module_id: int
    code: str
    held_on: dt.date
    attendees: list[Attendee]


@BOTH_LANGUAGES
def test_trainer_logs_a_class(page: Page, demo: DemoAgency, live_server: LiveServer) -> None:
    plan = _a_class_to_log(live_server, demo.today, first=0 if lang_of(page) == "zh" else 3)
    note = unique(words(page, "直播话术练习", "Pitch practice "))
    login_as(page, "trainer")

    # The training pages, then the class form of one module.
    page.locator("nav.nav").get_by_role(
        "link", name=words(page, "培训", "Training"), exact=True
    ).click()
    page.locator("main").get_by_role("link", name=words(page, "登记培训班", "Log a class")).click()
    expect_heading(page, zh="登记培训班", en="Log a class")
    page.locator("main form.filters select[name=module]").select_option(str(plan.module_id))
    button(page, zh="显示", en="Show").click()
    form = page.locator("main form[method=post]")
    expect(form.locator("input[name=held_on]")).to_be_visible()

    # The date, the attendees and their scores, a note; saved.
    form.locator("input[name=held_on]").fill(plan.held_on.isoformat())
    for attendee in plan.attendees:
        form.locator(f"input[name=attendee][value='{attendee.streamer_id}']").check()
        form.locator(f"input[name='score-{attendee.streamer_id}']").fill(attendee.score)
    form.locator("textarea[name=notes]").fill(note)
    button(page, zh="保存培训班", en="Save the class").click()

    # The class page: one record per attendee, passed or not by the module's pass mark.
    expect(page).to_have_url(re.compile(r"/training/classes/\d+$"))
    expect(page.locator(".flash").first).to_contain_text(
        words(page, "共 3 名学员", "Class saved with 3 attendees.")
    )
    expect_heading(page, zh=plan.code, en=plan.code)
    expect_text(page, zh=note, en=note)
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(len(plan.attendees))
    for attendee in plan.attendees:
        row = rows.filter(has_text=attendee.employee_no)
        expect(row).to_have_count(1)
        expect(row.locator("td").nth(1)).to_have_text(attendee.score)
        expect(row.locator("td").nth(2)).to_have_text(
            words(page, "已通过", "passed")
            if attendee.passed
            else words(page, "未通过", "not passed")
        )
    class_url = page.url

    # The class is listed among the module's classes, with its counts.
    page.get_by_role("link", name=words(page, "培训班", "Classes"), exact=True).first.click()
    expect_heading(page, zh="培训班", en="Classes")
    page.locator("main form.filters select[name=module]").select_option(str(plan.module_id))
    page.locator("main form.filters button[type=submit]").click()
    listed = page.locator("main table tbody tr").filter(
        has=page.locator(f"a[href$='{class_url.removeprefix(live_server.url)}']")
    )
    expect(listed).to_have_count(1)
    expect(listed.locator("td").nth(3)).to_have_text(str(len(plan.attendees)))
    passed = sum(attendee.passed for attendee in plan.attendees)
    expect(listed.locator("td").nth(4)).to_have_text(str(passed))

    # One attendee's record, from the class page.
    page.goto(class_url)
    first = plan.attendees[0]
    page.locator("main table tbody tr", has_text=first.employee_no).get_by_role(
        "link", name=words(page, "记录", "Record"), exact=True
    ).click()
    expect(page).to_have_url(re.compile(r"/training/records/\d+$"))
    expect(page.locator("main")).to_contain_text(first.employee_no)
    expect(page.locator("main")).to_contain_text(plan.code)


def _a_class_to_log(live_server: LiveServer, today: dt.date, first: int) -> Plan:
    """An active module with a pass mark and no rubric, and three active streamers (from the
    `first`-th) without a record of it today: two pass, one does not."""
    from hrapp.extensions import db
    from hrapp.streamers.models import Streamer
    from hrapp.training.models import Module, TrainingRecord

    with live_server.app.app_context():
        module = next(
            m
            for m in db.session.scalars(
                select(Module)
                .where(Module.active.is_(True), Module.pass_mark.is_not(None))
                .order_by(Module.id)
            )
            if not m.rubric
        )
        taken = set(
            db.session.scalars(
                select(TrainingRecord.streamer_id).where(
                    TrainingRecord.module_id == module.id, TrainingRecord.completed_on == today
                )
            )
        )
        streamers = [
            s
            for s in db.session.scalars(
                select(Streamer).where(Streamer.status == "active").order_by(Streamer.employee_no)
            )
            if s.id not in taken
        ][first : first + 3]
        mark = module.pass_mark
        scores = [min(100.0, mark + 20), min(100.0, mark + 5.5), max(0.0, mark - 20)]
        plan = Plan(
            module.id,
            module.code,
            today,
            [
                Attendee(s.id, s.employee_no, f"{score:g}", score >= mark)
                for s, score in zip(streamers, scores, strict=True)
            ],
        )
        db.session.remove()
    return plan
