"""The sheet's weekly chart: pygal's drawing rewritten as plain SVG for print keeps every shape,
position and text, and carries nothing WeasyPrint would match a stylesheet against."""

from __future__ import annotations

import datetime as dt
import re
from xml.etree import ElementTree

from flask import Flask

from hrapp.reports.charts import STYLE, weekly_trend_chart

STARTS_ON = dt.date(2026, 7, 1)
WEEKS = [
    {"monday": dt.date(2026, 6, 29) + dt.timedelta(weeks=n), "net_gmv_fen": fen}
    for n, fen in enumerate((2_650_000, 10_100_000, 0, 7_000_000, 12_345_678))
]
SVG = "{http://www.w3.org/2000/svg}"


def _elements(svg: str, tag: str) -> list[ElementTree.Element]:
    root = ElementTree.fromstring(svg)  # noqa: S314 - the application's own chart
    return list(root.iter(f"{SVG}{tag}"))


def _texts(svg: str) -> list[str]:
    """The texts in drawing order."""
    return [text.text or "" for text in _elements(svg, "text")]


def test_the_printed_chart_keeps_the_shapes_and_texts_without_styles(app: Flask) -> None:
    with app.test_request_context():
        screen = str(weekly_trend_chart(WEEKS, STARTS_ON))
        printed = str(weekly_trend_chart(WEEKS, STARTS_ON, for_print=True))

    drawn_texts = [
        text
        for text in _elements(screen, "text")
        if not {"value", "label"} & set((text.get("class") or "").split())  # the tooltips'
    ]
    assert _texts(printed) == [text.text or "" for text in drawn_texts]
    assert {"7/1", "7/6", "7/13", "7/20", "7/27", "¥0", "¥120,000"} <= set(_texts(printed))
    bars = [(r.get("x"), r.get("y"), r.get("height")) for r in _elements(printed, "rect")]
    assert bars == [
        (r.get("x"), r.get("y"), r.get("height"))
        for r in _elements(screen, "rect")
        if "reactive" in (r.get("class") or "")
    ]
    assert len(bars) == len(WEEKS)
    assert "<style" not in printed and "class=" not in printed and "<title" not in printed
    assert f'fill="{STYLE.colors[0]}"' in printed  # the columns' colour, as an attribute
    assert re.search(r'<text [^>]*text-anchor="end"[^>]*>¥0<', printed)  # the amounts' axis


def test_a_quarter_without_sales_keeps_its_weeks_and_axis(app: Flask) -> None:
    quiet = [{**week, "net_gmv_fen": 0} for week in WEEKS]
    with app.test_request_context():
        printed = str(weekly_trend_chart(quiet, STARTS_ON, for_print=True))

    assert {"7/1", "7/6", "7/13", "7/20", "7/27", "¥0"} <= set(_texts(printed))
    assert len(_elements(printed, "rect")) == len(WEEKS)
