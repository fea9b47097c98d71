"""Closing a quarter, as HR does it in the browser: late data for a finalized quarter changes
nothing in it and comes back as a clawback in the next cycle; one appraisal adjusted with a
reason; the cycle finalized; the payroll XLSX downloaded.

Each language closes its own new cycle (2026Q4 in Chinese, 2027Q1 in English) after the demo's
newest one, so the journeys leave the demo's own cycles to the other journeys and do not depend
on their order.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from tests.browser.conftest import LiveServer
from tests.browser.helpers import (
    BOTH_LANGUAGES,
    DemoAgency,
    button,
    download,
    expect_heading,
    finish_job,
    goto,
    lang_of,
    link,
    login_as,
    words,
)

NEXT_CYCLE = {"zh": "2026Q4", "en": "2027Q1"}


@dataclass(frozen=True)
class LateSession:
    """A session of the finalized quarter whose refunds will grow, and its streamer's page."""

    employee_no: str
    name: str
    appraisal_id: int  # the streamer's finalized appraisal of the quarter
    csv_row: dict[str, str]


@BOTH_LANGUAGES
def test_hr_closes_a_quarter_with_late_data(
    page: Page, demo: DemoAgency, live_server: LiveServer, tmp_path: Path
) -> None:
    late_quarter = demo.finalized[-1]
    next_cycle = NEXT_CYCLE[lang_of(page)]
    late = _a_session_to_correct(live_server, late_quarter, rank=0 if lang_of(page) == "zh" else 1)
    login_as(page, "hr")

    # The finalized quarter, before: what the streamer was paid.
    goto(page, f"/appraisals/{late.appraisal_id}")
    paid_before = _payable_text(page)

    # HR imports a later export in which refunds grew.
    goto(page, "/imports/")
    page.locator("input[type=file][name=file]").set_input_files(
        files=[{"name": "late.csv", "mimeType": "text/csv", "buffer": _template_csv(late)}]
    )
    button(page, zh="上传并检查", en="Upload and check").click()
    button(page, zh="导入", en="Import").click()
    finish_job(page)

    # Nothing changes in the finalized quarter.
    goto(page, f"/appraisals/{late.appraisal_id}")
    assert _payable_text(page) == paid_before

    # HR opens and runs the next cycle: the clawback line is there, with its reason.
    goto(page, "/appraisals/")
    page.locator("input[name=code]").fill(next_cycle)
    page.locator("form:has(input[name=code]) button[type=submit]").click()
    expect_heading(page, zh=f"考核周期 {next_cycle}", en=f"Cycle {next_cycle}")
    button(page, zh="运行", en="Run").click()
    finish_job(page)
    expect_heading(page, zh=f"考核周期 {next_cycle}", en=f"Cycle {next_cycle}")
    page.locator("input[name=q]").fill(late.employee_no)
    page.locator("form:has(input[name=q]) button[type=submit]").first.click()
    page.locator("main table").get_by_role("link", name=re.compile(late.name)).first.click()
    clawback = page.locator("table.adjustments tr", has_text=late_quarter)
    expect(clawback).to_contain_text(
        words(page, f"追回 {late_quarter}（迟到数据）", f"Clawback for {late_quarter} (late data)")
    )
    expect(clawback.locator("td.num")).to_contain_text(re.compile(r"^-"))

    # HR adjusts this appraisal with a reason, which the streamer will read.
    reason = words(page, "代班两场，补发代班费", "Covered two shifts: shift allowance")
    form = page.locator("form[action$='/adjustments']")
    form.locator("[name=adjust-amount]").fill("150.00")
    form.locator("[name=adjust-reason]").fill(reason)
    button(page, zh="添加调整", en="Add the adjustment").click()
    expect(page.locator("table.adjustments")).to_contain_text(reason)
    expect(page.locator("table.adjustments")).to_contain_text("¥150.00")

    # HR finalizes the cycle (the box must be ticked) and downloads the payroll XLSX.
    link(page, zh="返回考核周期", en="Back to the cycle").click()
    page.locator("#closing input[name=understood]").check()
    button(page, zh="定稿考核周期", en="Finalize the cycle").click()
    expect(page.locator("#closing")).to_contain_text(words(page, "已定稿", "Finalized"))
    export = page.locator("form.export-form")
    export.locator("select[name=format]").select_option("xlsx")
    export.locator("select[name=lang]").select_option(lang_of(page))
    path = download(page, export.get_by_role("button"), tmp_path)
    assert path.name == f"{next_cycle}.xlsx"  # finalized: no 草稿 / draft in the name
    sheet = load_workbook(path).active
    header = [cell.value for cell in sheet[1]]
    assert header[0] == words(page, "工号", "Employee number")
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    adjustment = rows[late.employee_no][header.index(words(page, "调整金额", "Adjustment"))]
    assert isinstance(adjustment, float | int) and adjustment < 150  # the clawback, then +150


def _payable_text(page: Page) -> str:
    """The payable tile of an appraisal page."""
    tile = page.locator(".tile", has_text=words(page, "应发金额", "Payable")).first
    return tile.locator(".tile-value").inner_text()


def _a_session_to_correct(live_server: LiveServer, quarter: str, rank: int) -> LateSession:
    """A big solo session of the finalized quarter (the `rank`-th by GMV, a different streamer
    per language), as a template row whose refunds grow to 90% of its GMV."""
    from hrapp.appraisals.models import Appraisal, AppraisalCycle
    from hrapp.extensions import db
    from hrapp.live_sessions.models import LiveSession, SessionHost
    from hrapp.streamers.models import PlatformAccount, Streamer

    with live_server.app.app_context():
        cycle = db.session.scalars(
            select(AppraisalCycle).where(AppraisalCycle.code == quarter)
        ).one()
        zone = ZoneInfo(cycle.timezone)
        begins = dt.datetime.combine(cycle.starts_on, dt.time(), zone)
        ends = dt.datetime.combine(cycle.ends_on + dt.timedelta(days=1), dt.time(), zone)
        solo = (
            select(SessionHost.session_id)
            .group_by(SessionHost.session_id)
            .having(func.count() == 1)
            .scalar_subquery()
        )
        rows = db.session.execute(
            select(LiveSession, SessionHost.streamer_id)
            .join(SessionHost, SessionHost.session_id == LiveSession.id)
            .where(
                LiveSession.started_at >= begins,
                LiveSession.started_at < ends,
                LiveSession.id.in_(solo),
                LiveSession.gmv_fen.is_not(None),
                LiveSession.ended_at.is_not(None),
            )
            .order_by(LiveSession.gmv_fen.desc())
        ).all()
        biggest: dict[int, LiveSession] = {}  # per streamer, their biggest session
        for candidate, streamer_id in rows:
            biggest.setdefault(streamer_id, candidate)
        streamer_id, session = list(biggest.items())[rank]
        streamer = db.session.get(Streamer, streamer_id)
        account = db.session.get(PlatformAccount, session.platform_account_id)
        appraisal_id = db.session.scalar(
            select(Appraisal.id).where(
                Appraisal.cycle_id == cycle.id, Appraisal.streamer_id == streamer.id
            )
        )

        def local(instant: dt.datetime) -> str:
            return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")

        def yuan(fen: int | None) -> str:
            return "" if fen is None else f"{fen / 100:.2f}"

        row = {
            "platform": account.platform,
            "account_id": account.account_id,
            "nickname": account.nickname,
            "platform_session_id": session.platform_session_id or "",
            "started_at": local(session.started_at),
            "ended_at": local(session.ended_at),
            "viewers": str(session.viewers or ""),
            "views": str(session.views or ""),
            "buyers": str(session.buyers or ""),
            "orders": str(session.orders or ""),
            "gmv": yuan(session.gmv_fen),
            "refunds": yuan(max(session.refunds_fen or 0, session.gmv_fen * 9 // 10)),
            "currency": "",
            "hosts": streamer.employee_no,
        }
        found = LateSession(streamer.employee_no, streamer.legal_name, appraisal_id, row)
        db.session.remove()
    return found


def _template_csv(late: LateSession) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(late.csv_row), lineterminator="\n")
    writer.writeheader()
    writer.writerow(late.csv_row)
    return buffer.getvalue().encode("utf-8")
