"""The appraisal page's chart: attainment per metric as an inline SVG bar chart (pygal).

No JavaScript: pygal's scripts are switched off (`js=[]`) and the configuration script it still
embeds is removed, because the Content-Security-Policy forbids inline scripts. Values are
printed on the bars instead of shown in tooltips.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Sequence
from typing import Any

import pygal
from flask_babel import gettext as _
from markupsafe import Markup
from pygal.style import Style

# pygal adds an import hook for its map plugins (unused) that turns every failed import
# elsewhere into an ImportWarning; remove it.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)
ROW_HEIGHT = 44
MARGIN = 10
STYLE = Style(
    background="transparent",
    plot_background="transparent",
    colors=("#c01048", "#98a2b3"),
    font_family='"PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif',
    value_font_size=12,
    label_font_size=12,
    legend_font_size=12,
)


def _label_margin(labels: Sequence[str]) -> float:
    """Room for the metric names: pygal sizes labels by character count as if every character
    were Latin, and a Chinese one is about twice as wide, so long Chinese names were cut off."""
    wide = max(
        (sum(unicodedata.east_asian_width(ch) in "WF" for ch in label) for label in labels),
        default=0,
    )
    return MARGIN + wide * STYLE.label_font_size * 0.5


def attainment_chart(metrics: Sequence[dict[str, Any]], labels: dict[str, str]) -> Markup:
    """Attainment (percent of target) per metric; metrics without a value show no bar."""
    # Horizontal bars are drawn from the bottom up: reversed, the first metric is on top.
    shown = list(reversed(metrics))
    names = [labels.get(m["metric"], m["metric"]) for m in shown]
    chart = pygal.HorizontalBar(
        js=[],
        style=STYLE,
        title=_("Attainment per metric"),
        height=max(200, ROW_HEIGHT * len(metrics) + 120),
        show_legend=False,
        print_values=True,
        value_formatter=lambda value: f"{value:.0f}%",
        show_y_guides=False,
        truncate_label=-1,
        margin=MARGIN,
        margin_left=_label_margin(names),
    )
    chart.x_labels = names
    chart.add(
        _("Attainment"),
        [None if m["attainment"] is None else round(m["attainment"] * 100, 1) for m in shown],
    )
    svg = chart.render(is_unicode=True, disable_xml_declaration=True)
    # pygal escaped every label while building the XML tree; the markup is safe to inline.
    return Markup(_SCRIPT.sub("", svg))  # noqa: S704
