"""The attainment chart leaves room for long Chinese metric names instead of cutting them off."""

from __future__ import annotations

import re

from flask import Flask
from flask_babel import force_locale

from hrapp.appraisals.charts import STYLE, attainment_chart

PLOT_OFFSET = re.compile(r'<g transform="translate\((\d+(?:\.\d+)?), [\d.]+\)" class="plot"')
LONG_NAME = "粉丝增长（净增粉丝数）"


def _plot_left(svg: str) -> float:
    match = PLOT_OFFSET.search(svg)
    assert match, "no plot group in the chart"
    return float(match.group(1))


def test_the_plot_starts_right_of_the_longest_chinese_label(app: Flask) -> None:
    metrics = [
        {"metric": "net_gmv", "attainment": 0.94},
        {"metric": "net_followers", "attainment": 1.02},
    ]
    with app.test_request_context():
        svg = str(attainment_chart(metrics, {"net_gmv": "净GMV", "net_followers": LONG_NAME}))
    # A Chinese character is about as wide as the font is high.
    assert _plot_left(svg) >= len(LONG_NAME) * STYLE.label_font_size
    assert LONG_NAME in svg


def test_latin_labels_keep_a_narrow_margin(app: Flask) -> None:
    metrics = [{"metric": "net_gmv", "attainment": 0.5}]
    with app.test_request_context():
        svg = str(attainment_chart(metrics, {"net_gmv": "Net GMV"}))
    assert _plot_left(svg) < len(LONG_NAME) * STYLE.label_font_size


def test_a_chart_without_any_value_says_so_in_the_readers_language(app: Flask) -> None:
    metrics = [{"metric": "net_gmv", "attainment": None}]
    with app.test_request_context(), force_locale("zh_CN"):
        svg = str(attainment_chart(metrics, {"net_gmv": "净GMV"}))
    assert "暂无数据" in svg  # "No data"
    assert "<script" not in svg
