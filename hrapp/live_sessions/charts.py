"""The on-air care chart: the longest weeks as horizontal bars of hours, the legal limit in the
title (see `hrapp.core.charts` for how charts are drawn)."""

from __future__ import annotations

import pygal
from flask_babel import gettext as _
from markupsafe import Markup

from hrapp.core.charts import chart_style, horizontal_bars, render_svg
from hrapp.live_sessions.care import LONG_WEEK_SECONDS, LongWeek

BARS_SHOWN = 20
ROW_HEIGHT = 30
STYLE = chart_style(("#b54708",), value_font_size=11)


def long_weeks_chart(weeks: list[LongWeek]) -> Markup:
    """The longest weeks (at most 20), hours on air each, longest at the top."""
    shown = list(reversed(weeks[:BARS_SHOWN]))  # pygal draws the first bar at the bottom
    labels = [f"{w.name} · {w.monday.isoformat()}" for w in shown]
    chart = horizontal_bars(
        pygal.HorizontalBar,
        labels,
        style=STYLE,
        title=_("Hours on air in the week (limit %(hours)d)", hours=LONG_WEEK_SECONDS // 3600),
        height=ROW_HEIGHT * len(shown) + 100,
        show_legend=False,
        value_formatter=lambda hours: f"{hours:.1f}",
    )
    chart.add(_("Hours on air"), [round(w.on_air_seconds / 3600, 1) for w in shown])
    return render_svg(chart)
