"""HR's journeys: the overview in the reader's language, and running a quarter from the page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    BOTH_LANGUAGES,
    ENGLISH,
    DemoAgency,
    button,
    expect_heading,
    expect_no_text,
    expect_text,
    finish_job,
    link,
    login_as,
    words,
)


def test_hr_sees_the_overview_in_chinese(page: Page, demo: DemoAgency) -> None:
    login_as(page, "hr")

    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect_heading(page, zh="概览", en="Overview")
    expect_text(page, zh="在职主播", en="Active streamers")
    expect_text(page, zh="场次数据", en="Session data")
    expect_text(page, zh="最近导入", en="Latest imports")
    expect(page.locator("nav.nav")).to_contain_text("绩效考核")
    expect_no_text(
        page, "Overview", "Active streamers", "Session data", "Latest imports", "Log out"
    )


@ENGLISH
def test_hr_in_english_sees_english_headings(page: Page, demo: DemoAgency) -> None:
    login_as(page, "hr")

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect_heading(page, zh="概览", en="Overview")
    expect_text(page, zh="在职主播", en="Active streamers")
    expect(page.locator("nav.nav")).to_contain_text("Appraisals")
    expect_no_text(page, "概览", "在职主播", "最近导入", "退出登录")


@BOTH_LANGUAGES
def test_hr_runs_the_last_quarter_from_its_page(page: Page, demo: DemoAgency) -> None:
    quarter = demo.last_quarter
    login_as(page, "hr")
    page.locator("nav.nav").get_by_role("link", name=words(page, "绩效考核", "Appraisals")).click()
    expect_heading(page, zh="考核周期", en="Appraisal cycles")

    link(page, zh=quarter, en=quarter).click()
    expect_heading(page, zh=f"考核周期 {quarter}", en=f"Cycle {quarter}")
    button(page, zh="重新运行", en="Run again").click()

    # A re-run first computes what it would change (a job), and applies only when confirmed.
    finish_job(page)
    expect_heading(
        page, zh=f"重新运行周期 {quarter}：变化一览", en=f"Re-run of cycle {quarter}: the changes"
    )
    expect_text(page, zh="尚未做任何更改", en="Nothing has been changed yet")
    button(page, zh="应用这些变化", en="Apply these changes").click()
    finish_job(page)

    expect_heading(page, zh=f"考核周期 {quarter}", en=f"Cycle {quarter}")
    appraised = page.locator(".tile", has_text=words(page, "已考核", "Appraised"))
    expect(appraised.locator(".tile-value")).to_have_text(str(demo.appraised))
    linked = page.eval_on_selector_all(
        "main a[href]", "links => links.map(a => new URL(a.href).pathname)"
    )
    assert len({path for path in linked if re.fullmatch(r"/appraisals/\d+", path)}) == (
        demo.appraised
    ), "the cycle page links to every appraisal"
