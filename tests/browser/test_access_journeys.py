"""What a streamer's browser is refused."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    BOTH_LANGUAGES,
    DemoAgency,
    expect_heading,
    expect_text,
    goto,
    login_as,
    words,
)


@BOTH_LANGUAGES
def test_a_streamer_cannot_open_the_appraisals(page: Page, demo: DemoAgency) -> None:
    login_as(page, "streamer")
    expect(page.locator("nav.nav")).not_to_contain_text(words(page, "绩效考核", "Appraisals"))

    goto(page, "/appraisals/", status=403)

    expect_heading(page, zh="无权访问", en="No access")
    expect_text(
        page, zh="您的角色无权访问此页面。", en="Your role does not give access to this page."
    )
    expect(page.locator("main")).not_to_contain_text(demo.last_quarter)
