"""Charts as inline SVG (pygal) that read without any JavaScript, with room for Chinese labels.

The pages' Content-Security-Policy forbids inline scripts, so pygal's scripts are switched off
(`js=[]`) and the configuration script it still embeds is removed; values are printed on the
bars instead of shown in tooltips. The same SVG renders inside WeasyPrint.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup
from pygal.graph.graph import Graph
from pygal.style import Style

# pygal appends a legacy import hook for its map plugins (unused here); with it in place every
# failed import anywhere (pandas probing for pyarrow, say) emits an ImportWarning, an error in
# the tests. Removed once, here, after the imports above loaded pygal.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

MARGIN = 10
FONT_FAMILY = '"PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif'
LABEL_FONT_SIZE = 12
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)


def chart_style(colours: Sequence[str], *, value_font_size: int = 12) -> Style:
    """The house style: transparent background, CJK fonts first, the given series colours."""
    return Style(
        background="transparent",
        plot_background="transparent",
        colors=tuple(colours),
        font_family=FONT_FAMILY,
        value_font_size=value_font_size,
        label_font_size=LABEL_FONT_SIZE,
        legend_font_size=LABEL_FONT_SIZE,
    )


def cjk_label_margin(labels: Sequence[str], font_size: float = LABEL_FONT_SIZE) -> float:
    """The left margin that keeps the longest label whole: pygal sizes labels by character
    count as if every character were Latin, and a Chinese one is about twice as wide, so long
    Chinese names were cut off."""
    wide = max(
        (sum(unicodedata.east_asian_width(ch) in "WF" for ch in label) for label in labels),
        default=0,
    )
    return MARGIN + wide * font_size * 0.5


def horizontal_bars(
    kind: type[Graph], labels: Sequence[str], *, style: Style, **options: Any
) -> Graph:
    """A horizontal bar chart of `kind`, one bar (or stack) per label, values printed on the
    bars and labels never truncated.

    pygal draws the first label at the bottom: give the labels, and the values of each series,
    bottom first.
    """
    chart = kind(
        js=[],
        style=style,
        print_values=True,
        show_y_guides=False,
        truncate_label=-1,
        no_data_text=_("No data"),
        margin=MARGIN,
        margin_left=cjk_label_margin(labels, style.label_font_size),
        **options,
    )
    chart.x_labels = list(labels)
    return chart


def render_svg(chart: Graph) -> Markup:
    """The chart as inline SVG markup without pygal's script."""
    svg = chart.render(is_unicode=True, disable_xml_declaration=True)
    # pygal escaped every label while building the XML tree; the markup is safe to inline.
    return Markup(_SCRIPT.sub("", svg))  # noqa: S704
