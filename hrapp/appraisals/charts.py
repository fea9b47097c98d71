"""The appraisal page's chart: attainment per metric as bars, the percentage printed on each
(see `hrapp.core.charts` for how charts are drawn)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pygal
from flask_babel import gettext as _
from markupsafe import Markup

from hrapp.core.charts import chart_style, horizontal_bars, render_svg

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
