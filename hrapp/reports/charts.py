"""The appraisal's weekly trend: net GMV per week of the quarter as columns, the same chart on
the appraisal page and on the printed sheet (see `hrapp.core.charts`: no scripts, CJK fonts).

For print, pygal's SVG is rewritten into a plain drawing (`print_svg`): the same shapes at the
same coordinates, the same texts, the colours and sizes of `PRINT_RULES` written on the shapes
as presentation attributes, and nothing else — no stylesheet (WeasyPrint would parse it for
every sheet and match every element against it), no class names, no hover effects, tooltips or
titles that are never drawn, no empty or bare groups: 60 plain elements instead of 110 matched
against a stylesheet, drawn to the same pixels. (WeasyPrint still lays out and places every
letter of an SVG text on its own: the chart's texts are most of what it costs.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape
from typing import Any
from xml.etree import ElementTree

import pygal
from flask_babel import gettext as _
from markupsafe import Markup
from pygal.style import Style

from hrapp.core.charts import FONT_FAMILY, MARGIN, chart_style, render_svg
from hrapp.reports.fonts import SHEET_FONT_FAMILY

STYLE = chart_style(("#2e90fa",), value_font_size=9)
PRINT_FONT_FAMILY = f'"{SHEET_FONT_FAMILY}", {FONT_FAMILY}'


def _print_style() -> Style:
    """`STYLE` with the sheet's own font first (see `hrapp.reports.fonts`), as on the rest
    of the sheet: a chart in Noto Sans CJK SC would embed that whole font's subset again."""
    fields = STYLE.to_dict()
    for name in fields:
        if name.endswith("font_family"):
            fields[name] = PRINT_FONT_FAMILY
    return Style(**fields)


PRINT_STYLE = _print_style()
FEN_PER_YUAN = 100
WIDTH, HEIGHT = 720, 240
SVG_NS = "{http://www.w3.org/2000/svg}"
DRAWN = frozenset({"g", "text", "tspan", "path", "rect"})
TEXTS = frozenset({"text", "tspan"})
GRAPH_FILL = "#344054"  # the axes' labels
# What pygal's stylesheets give the shapes of a printed column chart, as presentation attributes:
# (element or None for any, a class of its own or "" for any, a class of an ancestor or None for
# any, the attributes). Every rule that matches
# applies, later ones over earlier ones, as in a stylesheet. Fill and stroke are inherited from
# the groups that carry them, as they would be from a class rule.
PRINT_RULES: tuple[tuple[str | None, str, str | None, dict[str, str]], ...] = (
    (None, "graph", None, {"fill": GRAPH_FILL}),
    ("text", "title", None, {"fill": "#101828", "text-anchor": "middle"}),
    ("text", "title", None, {"font-size": str(PRINT_STYLE.title_font_size)}),
    ("text", "", "axis", {"fill": GRAPH_FILL, "font-size": str(PRINT_STYLE.label_font_size)}),
    ("text", "major", "axis", {"font-size": str(PRINT_STYLE.major_label_font_size)}),
    ("text", "no_data", None, {"font-size": str(PRINT_STYLE.no_data_font_size)}),
    ("text", "", "x", {"text-anchor": "middle"}),
    ("text", "", "y", {"text-anchor": "end"}),
    ("path", "line", "axis", {"stroke": "#667085"}),
    ("path", "guide", "axis", {"stroke": "#d0d5dd", "stroke-dasharray": "4,4", "fill": "none"}),
    ("path", "major", "axis", {"stroke": "#98a2b3"}),
    (None, "color-0", None, {"fill": STYLE.colors[0], "stroke": STYLE.colors[0]}),
    (None, "reactive", None, {"fill-opacity": "0.85", "stroke-width": "1"}),
)
# Never drawn on paper: the backgrounds (transparent), the tooltips and the hidden overlays.
UNPRINTED_CLASSES = frozenset({"background", "tooltip", "text-overlay", "tooltip-overlay"})
# Attributes that place or shape an element; class, id and style are replaced by the rules.
GEOMETRY = frozenset(
    {"x", "y", "width", "height", "rx", "ry", "d", "transform", "viewBox", "x1", "y1", "x2", "y2"}
)


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
    print_options: dict[str, Any] = {"css": []} if for_print else {}
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
    return print_svg(str(svg)) if for_print else svg


def print_svg(svg: str) -> Markup:
    """pygal's `svg` as a plain drawing for print: see the module's description."""
    root = ElementTree.fromstring(svg)  # noqa: S314 - pygal's own markup, not a reader's
    drawing = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{escape(root.get("viewBox", ""))}" '
        f'font-family="{escape(PRINT_FONT_FAMILY)}">'
    ]
    for child in root:
        _print_element(child, (), drawing)
    drawing.append("</svg>")
    return Markup("".join(drawing))  # noqa: S704 - every text and attribute escaped


def _print_element(element: ElementTree.Element, within: tuple[str, ...], out: list[str]) -> None:
    tag = element.tag.removeprefix(SVG_NS)
    classes = (element.get("class") or "").split()
    if tag not in DRAWN or UNPRINTED_CLASSES.intersection(classes):
        return
    attributes = {name: value for name, value in element.attrib.items() if name in GEOMETRY}
    for rule_tag, rule_class, ancestor, values in PRINT_RULES:
        if (
            rule_tag in (None, tag)
            and (not rule_class or rule_class in classes)
            and (ancestor is None or ancestor in within)
        ):
            attributes.update(values)
    inner = [escape(element.text or "")] if tag in TEXTS else []
    for child in element:
        _print_element(child, (*within, *classes), inner)
        if tag in TEXTS:
            inner.append(escape(child.tail or ""))
    if tag == "g" and not inner:
        return  # an empty group draws nothing
    if tag == "g" and not attributes:
        out.extend(inner)  # a group that sets nothing: its shapes alone draw the same
        return
    start = f"<{tag}" + "".join(f' {name}="{escape(v)}"' for name, v in attributes.items())
    out.append(f"{start}>{''.join(inner)}</{tag}>" if inner else f"{start} />")
