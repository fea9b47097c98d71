"""HR uploads a few 直播大屏 per-session downloads at once (two workbooks and a ZIP of a third):
one check naming each file, one batch, the session marked as having its GMV from the buyer-paid
amount; then the batch is rolled back.

The sessions start in December 2027, after every cycle the journeys run, on days no other
journey uses (each language its own), on a Douyin account of the demo agency.
"""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.browser.conftest import LiveServer
from tests.browser.helpers import (
    BOTH_LANGUAGES,
    DemoAgency,
    button,
    finish_job,
    goto,
    lang_of,
    link,
    login_as,
    words,
)
from tests.browser.test_import_journeys import _roll_back
from tests.live_sessions_parsing.dashboard_builders import Session, session_workbook, zip_of

DAYS = {"zh": (1, 2, 3), "en": (8, 9, 10)}  # of December 2027
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@BOTH_LANGUAGES
def test_hr_imports_a_month_of_per_session_downloads_at_once(
    page: Page, demo: DemoAgency, live_server: LiveServer
) -> None:
    account, nickname = _a_douyin_account(live_server)
    sessions = [
        Session(
            dt.datetime(2027, 12, day, 19, 0, 0),
            dt.datetime(2027, 12, day, 22, 15, 0),
            account=account,
            nickname=nickname,
        )
        for day in DAYS[lang_of(page)]
    ]
    archive = zip_of({sessions[2].filename(): session_workbook(sessions[2])})
    login_as(page, "hr")

    goto(page, "/imports/")
    page.locator("input[type=file][name=file]").set_input_files(
        files=[
            *(
                {"name": s.filename(), "mimeType": XLSX, "buffer": session_workbook(s)}
                for s in sessions[:2]
            ),
            {"name": "third.zip", "mimeType": "application/zip", "buffer": archive},
        ]
    )
    button(page, zh="上传并检查", en="Upload and check").click()

    # One check of the three: each preview row names its file.
    new = page.locator(".tile", has_text=words(page, "新增场次", "new sessions"))
    expect(new.locator(".tile-value")).to_have_text("3")
    expect(page.locator("main")).to_contain_text(words(page, "未发现问题。", "No problems found."))
    preview = page.locator("main section", has_text=words(page, "前几行", "The first rows"))
    expect(preview.locator("tbody tr")).to_have_count(3)
    expect(preview.locator("tbody")).to_contain_text(sessions[0].filename())
    expect(preview.locator("tbody")).to_contain_text(f"third.zip/{sessions[2].filename()}")

    button(page, zh="导入", en="Import").click()
    finish_job(page)
    batch_url = page.url
    assert re.search(r"/imports/batches/\d+$", batch_url), batch_url
    inserted = page.locator(".tile", has_text=words(page, "新增", "inserted"))
    expect(inserted.locator(".tile-value").first).to_have_text("3")

    # A session of the batch: its GMV is the buyer-paid amount, and says so.
    link(page, zh="本次导入的场次", en="Sessions of this import").click()
    page.locator("main table tbody tr a[href*='/sessions/']").first.click()
    expect(page.locator("[data-gmv-basis]")).to_have_text(
        words(page, "成交金额取自用户支付金额", "GMV from buyer-paid amount")
    )

    page.goto(batch_url)
    _roll_back(page)
    expect(page.locator("h1")).to_contain_text(words(page, "已回滚", "rolled back"))


def _a_douyin_account(live_server: LiveServer) -> tuple[str, str]:
    """A Douyin account of an active streamer of the demo agency (the first by id)."""
    from hrapp.extensions import db
    from hrapp.streamers.models import PlatformAccount, Streamer

    with live_server.app.app_context():
        account = db.session.scalars(
            select(PlatformAccount)
            .join(Streamer, Streamer.id == PlatformAccount.streamer_id)
            .where(Streamer.status == "active", PlatformAccount.platform == "douyin")
            .order_by(PlatformAccount.id)
            .limit(1)
        ).one()
        found = (account.account_id, account.nickname or "直播间")
        db.session.remove()
    return found
