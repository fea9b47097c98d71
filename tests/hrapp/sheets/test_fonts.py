"""The sheet's own font (hrapp.reports.fonts): the common characters of Noto Sans CJK SC in a
font of a few thousand glyphs, served to WeasyPrint under one URL, with the full font behind it
for rarer characters — no glyph goes missing and the PDF embeds the small font."""

from __future__ import annotations

import io
import logging

import pytest
from fontTools.ttLib import TTFont

from hrapp.reports import fonts
from hrapp.reports.pdf import APP_ORIGIN, LockedURLFetcher, render_pdf
from tests.hrapp.sheets.pdfcheck import missing_glyphs, reader, squeezed, text_of

COMMON = "考核表龚净提成"  # GB 2312
RARE = "喆"  # not in GB 2312: a name's character the full font must supply
FONT_URL = f"{APP_ORIGIN}/fonts/{fonts.SHEET_FONT_FILE}"


@pytest.fixture(scope="module")
def made() -> TTFont:
    font = fonts.sheet_font()
    assert font is not None, "fonts-noto-cjk and HarfBuzz's subsetter are installed"
    return TTFont(io.BytesIO(font))


def embedded_fonts(pdf: bytes) -> set[str]:
    names = set()
    for page in reader(pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[1])
    return names


def test_the_font_holds_the_common_characters_in_a_few_thousand_glyphs(made: TTFont) -> None:
    characters = made.getBestCmap()
    assert made["maxp"].numGlyphs < 10_000  # of Noto Sans CJK SC's 65,535
    assert all(ord(ch) in characters for ch in COMMON + "ABCxyz0189¥,.%（）：→✓·")
    assert ord(RARE) not in characters
    assert made.sfntVersion == "OTTO"  # the same outlines (CFF) as the system font


def test_the_font_has_no_family_name_of_its_own(made: TTFont) -> None:
    """Else fontconfig could take it for Noto Sans CJK SC, which must stay the full font."""
    kept = {record.nameID for record in made["name"].names}
    assert kept <= set(fonts.NAME_IDS)
    assert 13 in kept  # the licence travels with the font


def test_the_fetcher_serves_the_font_and_nothing_else_under_fonts() -> None:
    fetcher = LockedURLFetcher()
    assert fetcher.fetch(FONT_URL).read() == fonts.sheet_font()
    for url in (f"{APP_ORIGIN}/fonts/other.otf", f"{FONT_URL}?x=1", "file:///usr/share/fonts/"):
        with pytest.raises(PermissionError):
            fetcher.fetch(url)


def test_a_sheet_embeds_the_small_font_and_the_full_one_only_for_rarer_characters(
    caplog: pytest.LogCaptureFixture,
) -> None:
    html = f"<p>{COMMON} 2026Q3 ¥1,200,000.00</p>"
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        common = render_pdf(html, stylesheets=("css/sheet.css",))
        rare = render_pdf(html.replace("龚", "龚" + RARE), stylesheets=("css/sheet.css",))
    assert missing_glyphs(caplog.records) == []
    assert embedded_fonts(common) == {"Sheet-Sans-SC"}
    assert embedded_fonts(rare) == {"Sheet-Sans-SC", "Noto-Sans-CJK-SC"}
    assert COMMON in squeezed(text_of(common))
    assert "龚" + RARE in squeezed(text_of(rare))


def test_without_the_system_font_there_is_no_font_and_sheets_fall_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(fonts, "source_font", lambda: None)
    fonts._made_font.cache_clear()
    try:
        assert fonts.sheet_font() is None
        with pytest.raises(PermissionError):
            LockedURLFetcher().fetch(FONT_URL)
    finally:
        fonts._made_font.cache_clear()
