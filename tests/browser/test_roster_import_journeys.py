"""HR imports a roster file into the demo agency: the sample roster's preview names the hire
dates the roster's history refuses (grouped, nothing to confirm); a file adding a streamer is
previewed, confirmed as a batch of the import history, and rolled back from the batch's page.

Each language adds its own streamer (own employee number and account), so the journeys do not
meet, whatever ran before.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.helpers import (
    BOTH_LANGUAGES,
    DemoAgency,
    button,
    expect_heading,
    goto,
    lang_of,
    login_as,
    unique,
    words,
)

SAMPLE = Path(__file__).parents[1] / "data" / "roster" / "roster.csv"
HEADER = "employee_no,name,stage_name,level,category,team,hire_date,platform,account_id,nickname"


def _upload(page: Page, name: str, data: bytes) -> None:
    goto(page, "/streamers/import")
    page.locator("input[type=file][name=file]").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": data}]
    )
    button(page, zh="检查文件", en="Check the file").click()


@BOTH_LANGUAGES
def test_hr_sees_the_roster_refusals_at_the_preview(
    page: Page, demo: DemoAgency, live_server: LiveServer
) -> None:
    login_as(page, "hr")

    _upload(page, "roster.csv", SAMPLE.read_bytes())

    expect_heading(page, zh="导入花名册文件", en="Import a roster file")
    problems = page.locator("table.problem-groups")
    expect(problems).to_contain_text(
        words(page, "入职日期不能晚于第一次级别变更", "The hire date cannot be after the first")
    )
    expect(page.locator("form[action$='/streamers/import/confirm']")).to_have_count(0)


@BOTH_LANGUAGES
def test_hr_imports_a_new_streamer_and_rolls_the_batch_back(
    page: Page, demo: DemoAgency, live_server: LiveServer
) -> None:
    number = "E7" + ("1" if lang_of(page) == "zh" else "2") + unique("")[-6:]
    row = (
        f"{number},测试新人,新人,assistant,beauty,一组,2026-09-01,douyin,{number[1:]}9,新人的直播间"
    )
    name = f"{unique('roster-')}.csv"
    login_as(page, "hr")

    _upload(page, name, f"{HEADER}\n{row}\n".encode())
    expect(page.locator("main table").first).to_contain_text(number)
    button(page, zh="导入这些变更", en="Import these changes").click()

    expect(page).to_have_url(re.compile(r"/streamers/import/batches/\d+$"))
    expect(page.locator("main")).to_contain_text(name)
    page.locator("input[type=checkbox][name=confirm]").check()
    button(page, zh="回滚本次导入", en="Roll back this import").click()

    expect(page.locator(".flash").first).to_contain_text(
        words(page, "删除 1 名主播", "1 streamer removed")
    )
    expect(page.locator("form[action$='/rollback']")).to_have_count(0)
    goto(page, f"/streamers/?q={number}")
    expect(page.locator("main")).not_to_contain_text(number)
