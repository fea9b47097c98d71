"""Appraisal sheets in the browser (issue 12, acceptance 8): HR downloads one streamer's sheet
from the appraisal page and a ZIP of the sheets a filter selects from the cycle page; a
streamer downloads their own sheet and gets 404 for another streamer's."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from playwright.sync_api import Page, expect
from pypdf import PdfReader
from sqlalchemy import select

from tests.browser.conftest import LiveServer
from tests.browser.helpers import (
    BOTH_LANGUAGES,
    DemoAgency,
    button,
    download,
    expect_heading,
    goto,
    link,
    login_as,
    words,
)


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def _appraisals(live_server: LiveServer, code: str) -> dict[str, tuple[int, str, str]]:
    """employee number -> (appraisal id, legal name, team) of the cycle `code`."""
    from hrapp.appraisals.models import Appraisal, AppraisalCycle
    from hrapp.extensions import db
    from hrapp.streamers.models import Streamer

    with live_server.app.app_context():
        rows = db.session.execute(
            select(Streamer.employee_no, Appraisal.id, Streamer.legal_name, Appraisal.team)
            .join(Appraisal, Appraisal.streamer_id == Streamer.id)
            .join(AppraisalCycle, AppraisalCycle.id == Appraisal.cycle_id)
            .where(AppraisalCycle.code == code)
        ).all()
    return {number: (appraisal_id, name, team) for number, appraisal_id, name, team in rows}


@BOTH_LANGUAGES
def test_hr_downloads_one_sheet_and_a_zip_for_a_filtered_set(
    page: Page, demo: DemoAgency, live_server: LiveServer, tmp_path: Path
) -> None:
    quarter = demo.finalized[-1]
    appraisals = _appraisals(live_server, quarter)
    appraisal_id, name, _team = appraisals["E1001"]
    login_as(page, "hr")

    page.goto(f"/appraisals/{appraisal_id}")
    sheet = download(page, link(page, zh="考核表（PDF）", en="Appraisal sheet (PDF)"), tmp_path)
    assert sheet.name == f"{quarter}_E1001_{name}.pdf"
    text = _text(sheet.read_bytes())
    assert name in text and "E1001" in text and "考核表" in text  # Chinese unless asked

    goto(page, f"/appraisals/cycles/{quarter}")
    page.locator("form.review-filters select[name=team]").select_option("一组")
    button(page, zh="筛选", en="Filter").click()
    chosen = sorted(number for number, (_id, _n, team) in appraisals.items() if team == "一组")
    print_button = page.locator("form.print-sheets button[type=submit]")
    expect(print_button).to_contain_text(str(len(chosen)))
    print_button.click()

    expect(page).to_have_url(re.compile(r"/jobs/\d+$"))
    expect(page.locator("[data-progress-status]")).to_contain_text(
        words(page, "已完成。", "Finished."), timeout=120_000
    )
    bundle = download(page, link(page, zh="查看结果", en="See the result"), tmp_path)
    assert bundle.suffix == ".zip"
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        first = archive.read(names[0])
    assert sorted(n.split("_")[1] for n in names) == chosen
    assert first.startswith(b"%PDF")


def test_a_streamer_downloads_their_own_sheet_and_not_anothers(
    page: Page, demo: DemoAgency, live_server: LiveServer, tmp_path: Path
) -> None:
    quarter = demo.finalized[-1]
    appraisals = _appraisals(live_server, quarter)
    own_id, name, _team = appraisals["E1001"]
    other_id = next(
        appraisal_id for number, (appraisal_id, _n, _t) in appraisals.items() if number != "E1001"
    )
    login_as(page, "streamer")  # e1001

    own = download(
        page,
        lambda: page.evaluate(
            "url => { window.location.href = url }", f"/appraisals/{own_id}/sheet.pdf"
        ),
        tmp_path,
    )
    assert name in _text(own.read_bytes())

    goto(page, f"/appraisals/{other_id}/sheet.pdf", status=404)
    expect_heading(page, zh="页面不存在", en="Page not found")
    goto(page, "/appraisals/999999/sheet.pdf", status=404)
