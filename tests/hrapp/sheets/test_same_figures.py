"""The HR appraisal page and the printed sheet read one view model
(`hrapp.appraisals.sheet.appraisal_sheet`): every figure on the PDF's text layer is one the page
shows (issue 12, acceptance 2). Only the sheet's own footer (when it was printed, page x of y)
is the sheet's alone."""

from __future__ import annotations

import re

import pytest

from hrapp.appraisals import closing
from hrapp.reports.sheets import appraisal_pdf
from tests.hrapp.sheets.conftest import NET_GMV, PAYABLE, appraisal_of
from tests.hrapp.sheets.pdfcheck import figures, html_text, text_of

# Every page's footer: "hrapp · E2001 龚喆 · 2026Q3 · 生成于 2026年12月7日 08:04 第 1 页，共 2 页".
FOOTER = re.compile(r"(生成于|generated)|(第 ?\d+ ?页，共 ?\d+ ?页|Page \d+ of \d+)")


def sheet_figures(pdf: bytes) -> set[str]:
    body = [line for line in text_of(pdf).splitlines() if not FOOTER.search(line)]
    return figures("\n".join(body))


def page_figures(client, appraisal_id: int, heading: str = "考核表上的其他内容") -> set[str]:
    response = client.get(f"/appraisals/{appraisal_id}")
    assert response.status_code == 200
    text = html_text(response.get_data(as_text=True))
    assert heading in text  # the page is in the sheet's language
    return figures(text)


@pytest.mark.parametrize("state", ["draft", "finalized"])
def test_every_figure_on_the_sheet_is_on_the_page(q3, senior, hr, login_as, state: str) -> None:
    if state == "finalized":
        closing.finalize_cycle(q3, hr)
    appraisal = appraisal_of(q3, senior)
    _name, pdf = appraisal_pdf(appraisal, "zh")

    on_sheet = sheet_figures(pdf)
    on_page = page_figures(login_as(hr), appraisal.id)

    assert on_sheet - on_page == set()
    # Not vacuous: the sheet prints dozens of figures, the money ones among them.
    assert len(on_sheet) > 60
    assert {NET_GMV, PAYABLE, "¥12,650.00", "-¥500.50", "90.00"} <= on_sheet


def test_in_english_too(q3, senior, hr, login_as) -> None:
    hr.locale = "en"
    appraisal = appraisal_of(q3, senior)
    _name, pdf = appraisal_pdf(appraisal, "en")

    on_page = page_figures(login_as(hr), appraisal.id, "On the appraisal sheet")
    assert sheet_figures(pdf) - on_page == set()


def test_a_figure_the_page_lacks_is_caught(q3, senior, hr, login_as) -> None:
    """The comparison can fail: a sheet printing one figure more than the page is found out."""
    appraisal = appraisal_of(q3, senior)
    _name, pdf = appraisal_pdf(appraisal, "zh")
    on_page = page_figures(login_as(hr), appraisal.id)

    assert (sheet_figures(pdf) | {"¥1,234,567.89"}) - on_page == {"¥1,234,567.89"}
