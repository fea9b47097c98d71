"""The appraisal's weekly trend: net GMV per week of the quarter as columns, the same chart on
the appraisal page and on the printed sheet (see `hrapp.core.charts`: no scripts, CJK fonts).

For print the chart is drawn with `PRINT_CSS` instead of pygal's screen stylesheets (hover
effects, transitions, tooltips: a hundred rules WeasyPrint would match against every element)
and without the tooltips' hidden descriptions: the same texts and figures, in about half the
rendering time.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

import pygal
from flask_babel import gettext as _
from markupsafe import Markup
from pygal.style import Style

from hrapp.core.charts import FONT_FAMILY, MARGIN, chart_style, render_svg
from hrapp.reports.fonts import SHEET_FONT_FAMILY

STYLE = chart_style(("#2e90fa",), value_font_size=9)


def _print_style() -> Style:
    """`STYLE` with the sheet's own font first (see `hrapp.reports.fonts`), as on the rest
    of the sheet: a chart in Noto Sans CJK SC would embed that whole font's subset again."""
    fields = STYLE.to_dict()
    for name in fields:
        if name.endswith("font_family"):
            fields[name] = f'"{SHEET_FONT_FAMILY}", {FONT_FAMILY}'
    return Style(**fields)


PRINT_STYLE = _print_style()
FEN_PER_YUAN = 100
WIDTH, HEIGHT = 720, 240
# What a printed column chart needs of pygal's stylesheets (the chart is an image of its own on
# the sheet: its rules need no chart id).
PRINT_CSS = """
.graph > .background, .plot > .background { fill: none; }
.graph, .axis text { fill: #344054; }
.title { fill: #101828; text-anchor: middle; }
.axis .line { stroke: #667085; }
.axis .guide.line { stroke: #d0d5dd; stroke-dasharray: 4,4; fill: none; }
.axis .major.line { stroke: #98a2b3; }
.axis.x text { text-anchor: middle; }
.axis.y text { text-anchor: end; }
.color-0 { fill: #2e90fa; stroke: #2e90fa; }
.reactive { fill-opacity: 0.85; stroke-width: 1; }
.tooltip, .text-overlay { display: none; }
"""
_DESCRIPTIONS = re.compile(r"<desc\b[^>]*>.*?</desc>", re.DOTALL)


def week_label(monday: dt.date, starts_on: dt.date) -> str:
    """A week by its first day inside the quarter, month/day: the first week of a quarter
    that starts on a Wednesday is labelled by that Wednesday."""
    first = max(monday, starts_on)
    return f"{first.month}/{first.day}"


def weekly_trend_chart(
    weeks: Sequence[dict[str, Any]], starts_on: dt.date, *, for_print: bool = False
) -> Markup:
    """Net GMV (yuan, by host share) of each week of the quarter as a column; the amounts on
    the axis only, so that thirteen columns stay legible in print."""
    print_options = {"css": ["inline:" + PRINT_CSS]} if for_print else {}
    chart = pygal.Bar(
        js=[],
        style=PRINT_STYLE if for_print else STYLE,
        title=_("Net GMV per week"),
        width=WIDTH,
        height=HEIGHT,
        margin=MARGIN,
        show_legend=False,
        x_label_rotation=0,
        truncate_label=-1,
        no_data_text=_("No data"),
        max_scale=6,  # a handful of amounts on the axis: legible in print
        value_formatter=lambda value: f"¥{value:,.0f}",
        **print_options,
    )
    chart.x_labels = [week_label(week["monday"], starts_on) for week in weeks]
    chart.add(_("Net GMV"), [week["net_gmv_fen"] / FEN_PER_YUAN for week in weeks])
    svg = render_svg(chart)
    if for_print:  # the tooltips' texts: never drawn, only parsed
        return Markup(_DESCRIPTIONS.sub("", str(svg)))  # noqa: S704 - pygal's escaped markup
    return svg
