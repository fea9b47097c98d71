"""Stored messages are rendered in the reader's language, and every code has one label per kind."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from flask import Flask
from flask_babel import force_locale

from hrapp.auth.models import Role
from hrapp.core import labels
from hrapp.core.messages import coded, day, message, money, render
from hrapp.streamers.models import CATEGORIES, Level, Platform


def test_a_message_is_json_and_reads_in_each_language(app: Flask) -> None:
    stored = json.loads(
        json.dumps(
            message("Cycle %(code)s exported as CSV (%(n)d appraisals).", code="2026Q3", n=3)
        )
    )
    with app.test_request_context(), force_locale("en"):
        assert render(stored) == "Cycle 2026Q3 exported as CSV (3 appraisals)."
    with app.test_request_context(), force_locale("zh_CN"):
        chinese = render(stored)
    assert "2026Q3" in chinese and "3" in chinese and "exported" not in chinese


def test_parameters_show_codes_money_and_dates_for_the_reader(app: Flask) -> None:
    stored = message(
        "%(level)s from %(date)s, %(amount)s",
        level=coded("level", Level.SENIOR),
        date=day(dt.date(2026, 9, 30)),
        amount=money(123456),
    )
    assert stored["params"]["level"] == {"label": "level", "code": "senior"}
    with app.test_request_context(), force_locale("en"):
        assert render(stored) == "Senior streamer from 30 Sep 2026, ¥1,234.56"
    with app.test_request_context(), force_locale("zh_CN"):
        assert render(stored) == "资深主播 from 2026年9月30日, ¥1,234.56"


def test_lists_and_nested_messages_are_rendered_too(app: Flask) -> None:
    stored = message(
        "%(what)s: %(roles)s",
        what=message("Comments saved."),
        roles=[coded("role", "hr"), coded("role", "trainer")],
    )
    with app.test_request_context(), force_locale("en"):
        assert render(stored) == "Comments saved.: HR, Trainer"
    with app.test_request_context(), force_locale("zh_CN"):
        assert "、" in render(stored)


def test_plain_text_and_old_parameters_never_break_a_page(app: Flask) -> None:
    with app.test_request_context(), force_locale("en"):
        assert render("written by HR") == "written by HR"
        assert render(None) == ""
        renamed = {"id": "Cycle %(code)s exported as CSV (%(n)d appraisals).", "params": {}}
        assert render(renamed) == "Cycle %(code)s exported as CSV (%(n)d appraisals)."


@pytest.mark.parametrize(
    ("kind", "codes"),
    [
        ("level", [level.value for level in Level]),
        ("platform", [platform.value for platform in Platform]),
        ("category", list(CATEGORIES)),
        ("role", [role.value for role in Role]),
    ],
)
def test_every_code_has_a_label(app: Flask, kind: str, codes: list[str]) -> None:
    assert set(labels.table(kind)) == set(codes)
    with app.test_request_context(), force_locale("zh_CN"):
        for code in codes:
            assert labels.label(kind, code) != code


def test_a_kind_has_one_table() -> None:
    with pytest.raises(ValueError, match="already registered"):
        labels.register("level", {"assistant": "x"})
    assert labels.label("level", "unknown-code") == "unknown-code"
