"""The appraisal's weekly trend: net GMV per week of the quarter as columns, the same SVG on the
appraisal page and on the printed sheet (see `hrapp.core.charts`: no scripts, CJK fonts)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pygal
from flask_babel import gettext as _
from markupsafe import Markup

from hrapp.core.charts import MARGIN, chart_style, render_svg

STYLE = chart_style(("#2e90fa",), value_font_size=9)
FEN_PER_YUAN = 100
WIDTH, HEIGHT = 720, 240


def week_label(monday: dt.date, starts_on: dt.date) -> str:
    """A week by its first day inside the quarter, month/day: the first week of a quarter
    that starts on a Wednesday is labelled by that Wednesday."""
    first = max(monday, starts_on)
    return f"{first.month}/{first.day}"


def weekly_trend_chart(weeks: Sequence[dict[str, Any]], starts_on: dt.date) -> Markup:
    """Net GMV (yuan, by host share) of each week of the quarter as a column; the amounts on
    the axis only, so that thirteen columns stay legible in print."""
    chart = pygal.Bar(
        js=[],
        style=STYLE,
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
    )
    chart.x_labels = [week_label(week["monday"], starts_on) for week in weeks]
    chart.add(_("Net GMV"), [week["net_gmv_fen"] / FEN_PER_YUAN for week in weeks])
    return render_svg(chart)
