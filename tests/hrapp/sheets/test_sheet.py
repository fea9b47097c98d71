"""The sheet itself (issue 12, acceptance 1, 6 and 7): what it prints, read back from the PDF's
text layer; A4 portrait, page numbers, the draft watermark, Chinese by default and English on
request, the CJK name round-tripping with no missing-glyph box, and one page kept as PNG."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess

import pytest

from hrapp.reports.pdf import render_pdf
from hrapp.reports.sheets import appraisal_pdf, sheet_filename
from tests.hrapp.sheets.conftest import (
    ADJUSTMENT_REASON,
    ARTIFACTS,
    BATCH_FILE,
    NAME,
    NET_GMV,
    PAYABLE,
    PRIVATE_NOTE,
    SHARED_COMMENT,
    STAGE_NAME,
    appraisal_of,
)
from tests.hrapp.sheets.pdfcheck import (
    A4_POINTS,
    missing_glyphs,
    page_sizes,
    reader,
    squeezed,
    text_of,
)


@pytest.fixture
def finalized_pdf(finalized, senior) -> bytes:
    _name, pdf = appraisal_pdf(appraisal_of(finalized, senior))
    return pdf


def test_the_text_layer_has_the_name_number_net_gmv_and_payable(finalized_pdf: bytes) -> None:
    text = text_of(finalized_pdf)
    flat = squeezed(text)

    assert NAME in text and STAGE_NAME in text
    assert "E2001" in text
    assert NET_GMV in text
    assert f"={PAYABLE}" in flat  # 应发金额：提成 … + 调整 … = ¥12,149.50
    assert ADJUSTMENT_REASON in text and SHARED_COMMENT in text


def test_the_sheet_carries_every_part_of_the_paper_form(finalized_pdf: bytes) -> None:
    flat = squeezed(text_of(finalized_pdf))

    for words in (
        "考核表",  # the title
        "hrapp",  # the organisation (ORG_NAME)
        "2026Q3",  # the cycle
        "已定稿",  # finalized
        "方案版本1",  # scheme version
        "资深主播",  # the level
        "一组",  # the team
        "美妆",  # the category
        "考核人",
        "张经理",  # the appraiser: the HR user who finalized
        "指标定义",
        "¥1,500,000.00",  # the net GMV target of a senior
        "90.00",  # the score
        "绩效系数",
        "分段累计",  # the commission statement
        "等级A",  # the grade multiplier's reason
        "晋升",  # the promotion checklist
        "COMPLIANCE-1合规与广告法",  # training completed in the quarter
        "92.5",
        "每周趋势",
        "¥600,000",  # the weekly chart's axis
        "备注",
        "主播确认",
        "数据来源",
        squeezed(BATCH_FILE),  # the import behind the figures
        "主播签字",
        "人事签字",
        "主管签字",
        "第1页，共2页",
        "生成于",
    ):
        assert words in flat, words


def test_hr_private_notes_never_reach_the_sheet(finalized_pdf: bytes) -> None:
    assert "HR-ONLY-SENTINEL" not in text_of(finalized_pdf)
    assert squeezed(PRIVATE_NOTE) not in squeezed(text_of(finalized_pdf))


def test_a4_portrait_pages_numbered_x_of_y(finalized_pdf: bytes) -> None:
    sizes = page_sizes(finalized_pdf)

    assert len(sizes) == 2
    assert set(sizes) == {A4_POINTS}
    flat = squeezed(text_of(finalized_pdf))
    assert "第1页，共2页" in flat and "第2页，共2页" in flat


def test_a_draft_is_watermarked_and_a_finalized_sheet_is_not(
    q3, senior, finalized_pdf: bytes
) -> None:
    # `finalized_pdf` finalized the cycle: a draft sheet is made from a fresh, open cycle.
    assert "草稿" not in text_of(finalized_pdf)


def test_a_draft_sheet_says_draft_on_every_page(q3, senior) -> None:
    _name, pdf = appraisal_pdf(appraisal_of(q3, senior))

    pages = [page.extract_text() for page in reader(pdf).pages]
    assert all("草稿" in page for page in pages)
    assert "考核人" in squeezed(pages[0]) and "尚未定稿" in squeezed(pages[0])


def test_english_on_request(finalized, senior) -> None:
    _name, pdf = appraisal_pdf(appraisal_of(finalized, senior), "en")
    flat = squeezed(text_of(pdf))

    for words in (
        "Appraisalsheet",
        "Appraiser",
        "Howitiscomputed",
        "Commissionstatement",
        "Page1of2",
        NAME,  # names stay as written
        NET_GMV,
    ):
        assert words in flat, words
    assert "考核表" not in flat


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_chinese_name_round_trips_with_no_missing_glyph(
    finalized, senior, lang: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Every character finds a glyph in the font list (Noto Sans CJK SC first): WeasyPrint
    reports none drawn as the missing-glyph box, and the name reads back exactly."""
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        _name, pdf = appraisal_pdf(appraisal_of(finalized, senior), lang)

    assert missing_glyphs(caplog.records) == []
    assert any(NAME in line for line in text_of(pdf).splitlines())


def test_the_missing_glyph_check_sees_a_box(caplog: pytest.LogCaptureFixture) -> None:
    """The check above can fail: a private-use character no font has is reported."""
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        render_pdf("<p>龚喆</p>")
        assert missing_glyphs(caplog.records) == []
        render_pdf("<p>龚\ue000喆</p>")
    assert missing_glyphs(caplog.records) == ["U+E000"]


def test_the_file_name(finalized, senior) -> None:
    name, _pdf = appraisal_pdf(appraisal_of(finalized, senior))

    assert name == f"2026Q3_E2001_{NAME}.pdf"


def test_a_file_name_takes_no_path_or_control_characters() -> None:
    sheet = {
        "cycle": {"code": "2026Q3"},
        "streamer": {"employee_no": "E1/../9", "name": '../a\\b:c*?"<d>|\n'},
    }
    assert sheet_filename(sheet) == "2026Q3_E1_.._9__a_b_c_d_.pdf"


def test_the_first_page_as_png_is_kept(finalized_pdf: bytes) -> None:
    """pdftoppm (poppler-utils, installed by `scripts/system-packages.sh pdftools`, which
    `make test` runs) draws page 1; the PNG stays in tmp/artifacts/ for a person to look at."""
    pdftoppm = os.environ.get("HRAPP_PDFTOPPM") or shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.fail("pdftoppm not found: run `bash scripts/system-packages.sh pdftools` as root")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = ARTIFACTS / "sheet-2026Q3-E2001"
    source = stem.with_suffix(".pdf")
    source.write_bytes(finalized_pdf)
    page_one = ("-f", "1", "-l", "1", "-singlefile")
    subprocess.run(
        [pdftoppm, "-png", "-r", "80", *page_one, str(source), str(stem)],
        check=True,
        timeout=60,
    )
    png = stem.with_suffix(".png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 20_000
