"""The appraisal pages' charts: attainment per metric as bars, the percentage printed on each;
a cycle's appraisals per grade (see `hrapp.core.charts` for how charts are drawn)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pygal
from flask_babel import gettext as _
from markupsafe import Markup

from hrapp.core.charts import MARGIN, chart_style, horizontal_bars, render_svg

ROW_HEIGHT = 44
STYLE = chart_style(("#c01048", "#98a2b3"))


def attainment_chart(metrics: Sequence[dict[str, Any]], labels: dict[str, str]) -> Markup:
    """Attainment (percent of target) per metric, top-down in the order given; metrics without
    a value show no bar."""
    shown = list(reversed(metrics))  # bottom first
    chart = horizontal_bars(
        pygal.HorizontalBar,
        [labels.get(m["metric"], m["metric"]) for m in shown],
        style=STYLE,
        title=_("Attainment per metric"),
        height=max(200, ROW_HEIGHT * len(metrics) + 120),
        show_legend=False,
        value_formatter=lambda value: f"{value:.0f}%",
    )
    chart.add(
        _("Attainment"),
        [None if m["attainment"] is None else round(m["attainment"] * 100, 1) for m in shown],
    )
    return render_svg(chart)


GRADE_STYLE = chart_style(("#2e90fa",))
OVER_COLOUR = "#d92d20"


def grade_chart(counts: Sequence[tuple[str | None, int]], over: set[str]) -> Markup:
    """Appraisals per grade as columns, best grade first and "not graded" last; grades of an
    exceeded forced-distribution limit are drawn red (the page says so in words too)."""
    chart = pygal.Bar(
        js=[],
        style=GRADE_STYLE,
        print_values=True,
        show_legend=False,
        title=_("Appraisals per grade"),
        height=300,
        no_data_text=_("No data"),
        margin=MARGIN,
        value_formatter=lambda value: f"{value:.0f}",
    )
    chart.x_labels = [grade or _("Not graded") for grade, _count in counts]
    chart.add(
        _("Appraisals"),
        [
            {"value": count, "color": OVER_COLOUR} if grade in over else count
            for grade, count in counts
        ],
    )
    return render_svg(chart)
