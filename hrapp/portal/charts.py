"""The scorecard's chart: net GMV so far, week by week, against the pace of the quarter's target
(see `hrapp.core.charts` for how charts are drawn: SVG without scripts)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pygal
from flask_babel import gettext as _
from markupsafe import Markup

from hrapp.core.charts import MARGIN, chart_style, render_svg

STYLE = chart_style(("#c01048", "#98a2b3"), value_font_size=10)
FEN_PER_YUAN = 100


def _yuan(fen: int | None) -> float | None:
    return None if fen is None else fen / FEN_PER_YUAN


def weekly_chart(weeks: Sequence[dict[str, Any]]) -> Markup:
    """Two lines over the weeks of the quarter: the running total of net GMV (weeks begun so
    far) and the target pace; the amounts in yuan."""
    chart = pygal.Line(
        js=[],
        style=STYLE,
        title=_("Net GMV so far against the target pace"),
        height=300,
        width=640,
        margin=MARGIN,
        show_dots=True,
        dots_size=3,
        legend_at_bottom=True,
        truncate_legend=-1,
        no_data_text=_("No data"),
        x_label_rotation=0,
        show_minor_x_labels=False,
        value_formatter=lambda value: f"¥{value:,.0f}",
    )
    chart.x_labels = [str(week["week"]) for week in weeks]
    chart.x_labels_major = [str(week["week"]) for week in weeks[:: max(1, len(weeks) // 7)]]
    chart.x_title = _("Week of the quarter")
    chart.add(_("Net GMV so far"), [_yuan(week["cumulative_fen"]) for week in weeks])
    if any(week["pace_fen"] is not None for week in weeks):
        chart.add(
            _("Target pace"),
            [_yuan(week["pace_fen"]) for week in weeks],
            stroke_style={"dasharray": "6, 4"},
        )
    return render_svg(chart)
