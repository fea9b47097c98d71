"""Completion charts: status counts per module or team as stacked bars, counts printed on the
bars (see `hrapp.core.charts` for how charts are drawn)."""

from __future__ import annotations

import pygal
from flask_babel import gettext as _
from markupsafe import Markup

from hrapp.core.charts import chart_style, horizontal_bars, render_svg
from hrapp.training.status import STATUSES

STATUS_COLOURS = ("#12805c", "#c01048", "#b54708", "#98a2b3")  # passed, failed, expired, missing
ROW_HEIGHT = 38
MIN_HEIGHT = 180
STYLE = chart_style(STATUS_COLOURS, value_font_size=11)


def status_labels() -> dict[str, str]:
    return {
        "passed": _("Passed"),
        "failed": _("Failed"),
        "expired": _("Expired"),
        "missing": _("Not yet taken"),
    }


def stacked_status_chart(title: str, counts: dict[str, dict[str, int]]) -> Markup:
    """A horizontal stacked bar per label (module or team) of status counts, as inline SVG.

    Bars read top-down in the order of `counts`.
    """
    labels = list(reversed(counts))  # bottom first
    chart = horizontal_bars(
        pygal.HorizontalStackedBar,
        labels,
        style=STYLE,
        title=title,
        height=max(MIN_HEIGHT, ROW_HEIGHT * len(counts) + 110),
        legend_at_bottom=True,
        legend_at_bottom_columns=len(STATUSES),
        print_zeroes=False,
    )
    names = status_labels()
    for status in STATUSES:
        chart.add(names[status], [counts[label][status] for label in labels])
    return render_svg(chart)
