"""Completion charts as inline SVG (pygal), readable without any JavaScript.

The page's Content-Security-Policy forbids inline scripts, so the configuration script pygal
always embeds is removed; counts are printed on the bars instead of shown in tooltips.
"""

from __future__ import annotations

import re
import sys
import unicodedata

import pygal
from flask_babel import gettext as _
from markupsafe import Markup
from pygal.style import Style

from hrapp.training.status import STATUSES

# pygal appends a legacy import hook for its map plugins (unused here); with it in place every
# failed import anywhere (pandas probing for pyarrow, say) emits an ImportWarning. Remove it.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

STATUS_COLOURS = ("#12805c", "#c01048", "#b54708", "#98a2b3")  # passed, failed, expired, missing
ROW_HEIGHT = 38
MIN_HEIGHT = 180
MARGIN = 10
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)
STYLE = Style(
    background="transparent",
    plot_background="transparent",
    colors=STATUS_COLOURS,
    font_family='"PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif',
    value_font_size=11,
    label_font_size=12,
    legend_font_size=12,
)


def status_labels() -> dict[str, str]:
    return {
        "passed": _("Passed"),
        "failed": _("Failed"),
        "expired": _("Expired"),
        "missing": _("Not yet taken"),
    }


def _wide_label_margin(labels: list[str]) -> float:
    """Extra left margin for CJK labels: pygal sizes labels by character count, and a Chinese
    character is about twice as wide as the average Latin one it assumes."""
    wide = max(
        (sum(unicodedata.east_asian_width(ch) in "WF" for ch in label) for label in labels),
        default=0,
    )
    return MARGIN + wide * STYLE.label_font_size * 0.5


def stacked_status_chart(title: str, counts: dict[str, dict[str, int]]) -> Markup:
    """A horizontal stacked bar per label (module or team) of status counts, as inline SVG.

    Bars read top-down in the order of `counts`.
    """
    labels = list(reversed(counts))  # pygal draws the first label at the bottom
    chart = pygal.HorizontalStackedBar(
        js=[],
        style=STYLE,
        title=title,
        height=max(MIN_HEIGHT, ROW_HEIGHT * len(counts) + 110),
        legend_at_bottom=True,
        legend_at_bottom_columns=len(STATUSES),
        print_values=True,
        print_zeroes=False,
        no_data_text=_("No data"),
        show_y_guides=False,
        truncate_label=-1,
        margin=MARGIN,
        margin_left=_wide_label_margin(labels),
    )
    chart.x_labels = labels
    names = status_labels()
    for status in STATUSES:
        chart.add(names[status], [counts[label][status] for label in labels])
    svg = chart.render(is_unicode=True, disable_xml_declaration=True)
    # pygal escaped every label when building the XML tree; the markup is safe to inline.
    return Markup(_SCRIPT.sub("", svg))  # noqa: S704
