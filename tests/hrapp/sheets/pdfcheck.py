"""Reading rendered sheets back: the text layer, pages, page size and missing glyphs."""

from __future__ import annotations

import io
import logging
import re
from html.parser import HTMLParser

from pypdf import PdfReader

A4_POINTS = (595, 842)
# A figure as pages and sheets print it: ¥-3,837.15, 90.00, 16.61%, 2026.
FIGURE = re.compile(r"-?¥?-?\d[\d,]*(?:\.\d+)?%?")


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in reader(pdf).pages)


def page_sizes(pdf: bytes) -> list[tuple[int, int]]:
    return [
        (round(float(page.mediabox.width)), round(float(page.mediabox.height)))
        for page in reader(pdf).pages
    ]


def missing_glyphs(records: list[logging.LogRecord]) -> list[str]:
    """The characters WeasyPrint drew as the missing-glyph box (.notdef: no font in the list
    has them), from the warnings it logged while rendering."""
    found = []
    for record in records:
        text = record.getMessage()
        if record.name.startswith("weasyprint") and ".notdef" in text:
            found.extend(re.findall(r"U\+[0-9A-F]{4,6}", text) or [text])
    return found


def squeezed(text: str) -> str:
    """Without white space: words of a table cell may come out of a PDF over several lines."""
    return re.sub(r"\s+", "", text)


class _Text(HTMLParser):
    """The text a browser shows: every text node outside <script> and <style>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


def figures(text: str) -> set[str]:
    return set(FIGURE.findall(text))
