"""我的考核 in the browser (issue 11, acceptance 10 and 11): e1001 logs in and reads the running
quarter, tries a what-if (updated as they type), opens a finalized quarter and disputes it; HR
sees the dispute on the overview and answers it; e1001 reads the answer; e1001 changes a URL to
e1002's appraisal and gets 404. The scorecard is read at 390 px wide without sideways
scrolling (a screenshot is kept), and works with JavaScript turned off.

Each language disputes its own finalized quarter of the demo agency (the newest in Chinese, the
one before in English), so the two runs do not depend on each other.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from tests.browser.conftest import ARTIFACTS, LiveServer
from tests.browser.helpers import (
    BOTH_LANGUAGES,
    DemoAgency,
    button,
    expect_heading,
    expect_text,
    goto,
    lang_of,
    login_as,
    logout,
    unique,
    words,
)

PHONE = {"width": 390, "height": 844}


def _appraisal_id(live_server: LiveServer, username: str, code: str | None = None) -> int:
    """The user's appraisal of quarter `code` (any cycle's, the newest, without one)."""
    from hrapp.appraisals.models import Appraisal, AppraisalCycle
    from hrapp.auth.models import User
    from hrapp.extensions import db

    with live_server.app.app_context():
        user = db.session.scalars(select(User).where(User.username == username)).one()
        query = (
            select(Appraisal.id)
            .join(AppraisalCycle, AppraisalCycle.id == Appraisal.cycle_id)
            .where(Appraisal.streamer_id == user.streamer_id)
            .order_by(AppraisalCycle.starts_on.desc())
        )
        if code is not None:
            query = query.where(AppraisalCycle.code == code)
        found = db.session.scalars(query).first()
        assert found is not None, f"{username} has no appraisal {code or ''}"
        db.session.remove()
        return found


@BOTH_LANGUAGES
def test_a_streamer_reads_tries_disputes_and_reads_the_answer(
    page: Page, demo: DemoAgency, live_server: LiveServer
) -> None:
    quarter = demo.finalized[-1] if lang_of(page) == "zh" else demo.finalized[-2]
    own = _appraisal_id(live_server, "e1001", quarter)
    other = _appraisal_id(live_server, "e1002")
    login_as(page, "streamer")

    # The landing page: the running quarter, provisional, and the finalized quarters.
    expect(page).to_have_url(f"{live_server.url}/me/")
    expect_heading(page, zh="我的考核", en="My scorecard")
    expect_text(page, zh="截至目前", en="so far")
    expect_text(page, zh="预估", en="Provisional")
    expect(page.locator(".metric-card")).not_to_have_count(0)
    expect(page.locator(".chart svg")).to_have_count(1)

    # A what-if, updated while typing (the JSON twin of the form).
    page.locator("nav.subnav").get_by_role("link", name=words(page, "模拟测算", "What-if")).click()
    score = page.locator("[data-what-if-score]")
    before = score.inner_text()
    page.locator("input[name=net_gmv]").fill("5000000")
    page.locator("input[name=watch_seconds]").fill("150")
    expect(page.locator("[data-what-if-result][data-updated]")).to_have_count(1)
    expect(score).not_to_have_text(before)
    assert "net_gmv=5000000" in page.url  # the address can be shared and reloaded

    # A finalized quarter, disputed.
    goto(page, "/me/")
    page.locator("#quarters").get_by_role("link", name=quarter, exact=True).click()
    expect_heading(page, zh=quarter, en=quarter)
    text = unique("少算了一场 / one session missing ")
    page.locator("select[name=line]").select_option("net_gmv")
    page.locator("textarea[name=text]").fill(text)
    button(page, zh="把异议发给人事", en="Send the dispute to HR").click()
    expect_text(page, zh="您的异议已发给人事", en="Your dispute was sent to HR")
    expect(page.locator(".thread")).to_contain_text(text)
    logout(page)

    # HR sees it on the overview and answers it.
    login_as(page, "hr")
    goto(page, "/dashboard")
    expect_text(page, zh="待处理异议", en="Open disputes")
    goto(page, "/disputes/?show=all")
    page.locator(f"a[href='/disputes/{_response_id(live_server, own)}']").click()
    expect(page.locator(".thread")).to_contain_text(text)
    answer = unique("已找到，下季度补发 / found, paid next quarter ")
    page.locator("form[action$='/answer'] textarea[name=text]").fill(answer)
    button(page, zh="发送答复", en="Send the answer").click()
    expect(page.locator(".thread")).to_contain_text(answer)
    logout(page)

    # The streamer reads the answer, flagged as new.
    login_as(page, "streamer")
    expect_text(page, zh="新答复", en="New answer")
    goto(page, f"/me/quarters/{own}")
    expect(page.locator(".thread")).to_contain_text(answer)

    # Somebody else's appraisal does not exist for them.
    goto(page, f"/me/quarters/{other}", status=404)


def _response_id(live_server: LiveServer, appraisal_id: int) -> int:
    from hrapp.extensions import db
    from hrapp.portal.models import AppraisalResponse

    with live_server.app.app_context():
        found = db.session.scalars(
            select(AppraisalResponse.id).where(AppraisalResponse.appraisal_id == appraisal_id)
        ).one()
        db.session.remove()
        return found


@BOTH_LANGUAGES
def test_the_scorecard_fits_a_phone_and_works_without_javascript(
    browser: Browser, demo: DemoAgency, live_server: LiveServer, locale: str, tmp_path: Path
) -> None:
    context = browser.new_context(
        base_url=live_server.url,
        locale=locale,
        timezone_id="Asia/Shanghai",
        viewport={"width": 1280, "height": 900},
        java_script_enabled=False,
    )
    page = context.new_page()
    try:
        # Logged in on a wide screen (the header's language switch folds into the menu on a
        # phone), then read on a phone.
        login_as(page, "streamer", username="e1003")
        page.set_viewport_size(PHONE)
        for path in ("/me/", "/me/what-if", "/me/promotion", "/me/sessions"):
            goto(page, path)
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= PHONE["width"], f"{path} is {wide} px wide at {PHONE['width']} px"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        goto(page, "/me/")
        page.screenshot(path=str(tmp_path / f"scorecard-390-{locale}.png"), full_page=True)
        page.screenshot(path=str(ARTIFACTS / f"scorecard-390-{locale}.png"), full_page=True)

        # Without JavaScript the what-if form submits and the server answers in full.
        goto(page, "/me/what-if")
        page.locator("input[name=net_gmv]").fill("3000000")
        page.locator("form.what-if button[type=submit]").click()
        page.wait_for_load_state()
        assert "net_gmv=3000000" in page.url
        expect(page.locator("[data-what-if-score]")).to_have_count(1)
    finally:
        context.close()
