"""An administrator manages accounts in the browser (issue 10: any combination of roles)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    BOTH_LANGUAGES,
    DemoAgency,
    button,
    expect_heading,
    expect_text,
    link,
    login_as,
    logout,
    unique,
)

NEW_PASSWORD = "Browser-Journey-2026"


def role_box(page: Page, role: str):
    return page.locator(f"input[name=roles][value={role}]")


@BOTH_LANGUAGES
def test_admin_creates_an_hr_account_with_only_the_hr_role(page: Page, demo: DemoAgency) -> None:
    username = unique("hrjourney")
    login_as(page, "admin")
    page.locator("nav.nav a[href$='/accounts']").click()
    expect_heading(page, zh="账号管理", en="Accounts")
    link(page, zh="新建账号", en="New account").click()
    expect_heading(page, zh="新建账号", en="New account")

    page.locator("input[name=username]").fill(username)
    page.locator("input[name=display_name]").fill("人事 测试")
    page.locator("input[name=password]").fill(NEW_PASSWORD)
    button(page, zh="保存", en="Save").click()  # no role: the server, not the browser, says so
    expect_text(page, zh="请至少选择一个角色。", en="Choose at least one role.")

    page.locator("input[name=password]").fill(NEW_PASSWORD)
    role_box(page, "hr").check()
    button(page, zh="保存", en="Save").click()

    expect_text(page, zh="账号已创建。", en="Account created.")
    expect_heading(page, zh="账号管理", en="Accounts")
    page.locator("main").get_by_role("link", name=username, exact=True).click()
    expect(role_box(page, "hr")).to_be_checked()
    for other in ("admin", "trainer", "streamer"):
        expect(role_box(page, other)).not_to_be_checked()

    # Editing keeps working with a partial set of roles too.
    role_box(page, "trainer").check()
    button(page, zh="保存", en="Save").click()
    expect_text(page, zh="账号已保存。", en="Account saved.")
    page.locator("main").get_by_role("link", name=username, exact=True).click()
    expect(role_box(page, "trainer")).to_be_checked()
    expect(role_box(page, "admin")).not_to_be_checked()

    # The new account logs in, and is staff but no administrator: its start is the overview.
    logout(page)
    login_as(page, "hr", username=username, password=NEW_PASSWORD)
    expect_heading(page, zh="概览", en="Overview")
    expect(page.locator("nav.nav a[href$='/accounts']")).to_have_count(0)
