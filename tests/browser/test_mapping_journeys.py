"""HR imports an export in a layout no format knows: maps its columns (the preview follows each
choice as it is made), saves the mapping, imports the file with it, and rolls the batch back.

The file names an account of the demo agency; its sessions start in a quarter after every cycle
the journeys run, on days of their own per language, and are rolled back at the end.
"""

from __future__ import annotations

import csv
import io

from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.browser.conftest import LiveServer
from tests.browser.helpers import (
    BOTH_LANGUAGES,
    DemoAgency,
    button,
    expect_heading,
    finish_job,
    goto,
    lang_of,
    link,
    login_as,
    unique,
    words,
)
from tests.browser.test_import_journeys import _roll_back

DAYS = {"zh": ("2027-11-20", "2027-11-21"), "en": ("2027-11-24", "2027-11-25")}
# Each language's file spells its GMV its own way: a mapping saved by one language's journey
# would otherwise read the other's file without asking (as it should: see the end).
GMV_HEADERS = {"zh": "销售额", "en": "成交额"}


@BOTH_LANGUAGES
def test_hr_maps_an_unfamiliar_export_and_imports_it(
    page: Page, demo: DemoAgency, live_server: LiveServer
) -> None:
    platform, account_id = _an_account_of_the_demo(live_server)
    name = f"{unique('chanmama-')}.csv"
    login_as(page, "hr")

    _upload(page, name, _export(account_id, page))
    link(page, zh="指定列映射", en="Map the columns").click()
    expect_heading(page, zh=f"为 {name} 指定列", en=f"Map the columns of {name}")

    # Suggested from the spellings and the values; the rows as read follow each choice.
    gmv = page.locator("select#col-4")
    expect(gmv).to_have_value("gmv")
    page.locator("select#platform").select_option(platform)
    preview = page.locator("[data-mapping-preview]")
    expect(preview).to_contain_text("1,500.00")
    gmv.select_option("")
    expect(preview).to_contain_text(
        words(page, "没有列映射到必填字段", "No column is mapped to the required field")
    )
    gmv.select_option("gmv")
    expect(preview).to_contain_text("2,345.60")

    page.locator("input#mapping_name").fill(unique("蝉妈妈 "))
    button(page, zh="保存映射并检查文件", en="Save the mapping and check the file").click()
    expect_heading(page, zh=f"检查 {name}", en=f"Check {name}")
    expect(page.locator("main")).to_contain_text(words(page, "列映射", "Column mapping"))
    new = page.locator(".tile", has_text=words(page, "新增场次", "new sessions"))
    expect(new.locator(".tile-value")).to_have_text("2")

    button(page, zh="导入", en="Import").click()
    finish_job(page)
    inserted = page.locator(".tile", has_text=words(page, "新增", "inserted"))
    expect(inserted.locator(".tile-value").first).to_have_text("2")
    _roll_back(page)
    expect(page.locator("h1")).to_contain_text(words(page, "已回滚", "rolled back"))

    # The next file with the same headers is read with the saved mapping without asking.
    later = f"{unique('chanmama-')}.csv"
    _upload(page, later, _export(account_id, page, ("¥1,600", "¥2,000")))
    expect(page.locator("main")).to_contain_text(words(page, "列映射", "Column mapping"))
    expect(page.locator("[data-map-columns]")).to_have_count(0)
    expect(new.locator(".tile-value")).to_have_text("2")


def _upload(page: Page, name: str, data: bytes) -> None:
    goto(page, "/imports/")
    page.locator("input[type=file][name=file]").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": data}]
    )
    button(page, zh="上传并检查", en="Upload and check").click()
    expect_heading(page, zh=f"检查 {name}", en=f"Check {name}")


def _export(
    account_id: str, page: Page, amounts: tuple[str, str] = ("¥1,500", "¥2,345.6")
) -> bytes:
    """A 蝉妈妈-style list: a title row above its own headers, two evening sessions."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["蝉妈妈 · 直播记录导出"])
    writer.writerow(["达人", "达人抖音号", "开播", "下播", GMV_HEADERS[lang_of(page)], "退款"])
    for day, amount in zip(DAYS[lang_of(page)], amounts, strict=True):
        slash = day.replace("-", "/")
        writer.writerow(["达人", account_id, f"{slash} 19:00", f"{slash} 21:00", amount, "¥0"])
    return buffer.getvalue().encode("utf-8-sig")


def _an_account_of_the_demo(live_server: LiveServer) -> tuple[str, str]:
    """(platform, account id) of an active streamer's account in the demo agency."""
    from hrapp.extensions import db
    from hrapp.streamers.models import PlatformAccount, Streamer

    with live_server.app.app_context():
        platform, account_id = db.session.execute(
            select(PlatformAccount.platform, PlatformAccount.account_id)
            .join(Streamer, Streamer.id == PlatformAccount.streamer_id)
            .where(Streamer.status == "active")
            .order_by(PlatformAccount.id)
            .limit(1)
        ).one()
        db.session.remove()
    return platform, account_id
