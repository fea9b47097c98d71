"""The scheme pages in the reader's language: inputs by labels with the level or grade they are
for, choices and level keys by their labels, problems worded from messages (scoring's English
ones too), and the shipped default's name in the reader's language."""

from __future__ import annotations

import re

import pytest
from flask import Flask

import scoring
from hrapp.appraisals import schemes, services
from hrapp.appraisals.models import Appraisal
from hrapp.appraisals.runner import run_cycle
from hrapp.appraisals.scheme_form import scheme_problems
from hrapp.appraisals.scheme_view import DEFAULT_SCHEME_NAME
from hrapp.auth.models import Role
from hrapp.extensions import db
from tests.factories import make_readers, make_streamer
from tests.hrapp.appraisals.helpers import worked_example_quarter

DEFAULT = scoring.default_scheme_text()


@pytest.fixture
def readers(app: Flask, login_as):
    """HR clients reading Chinese and English (each saved their language)."""
    return make_readers(login_as, Role.HR)


def _form_values(page_html: str) -> dict[str, str]:
    values = dict(re.findall(r'<input id="[^"]*" name="([^"]+)" value="([^"]*)"', page_html))
    for name, body in re.findall(r'<select id="[^"]*" name="([^"]+)">(.*?)</select>', page_html):
        values[name] = re.search(r'<option value="([^"]+)" selected>', body).group(1)
    values["based_on"] = re.search(r'name="based_on" type="hidden" value="(\d+)"', page_html)[1]
    return values


def test_the_editor_labels_inputs_by_level_grade_and_choice(readers) -> None:
    chinese, english = readers

    zh = chinese.get("/appraisals/schemes/edit").get_data(as_text=True)
    en = english.get("/appraisals/schemes/edit").get_data(as_text=True)

    assert "<h2>方案名称</h2>" in zh and "<h2>姓名</h2>" not in zh
    assert "目标值: 助理主播" in zh and "Target: Assistant streamer" in en
    assert "系数: 不评级" in zh and "Multiplier: Not graded" in en
    assert "目标值: assistant" not in zh and "not_graded</label>" not in en
    assert '<option value="target" selected>目标达成</option>' in zh
    assert '<option value="marginal" selected>Marginal tiers</option>' in en
    rule = re.search(r'for="scheme:promotion\[0\]\.from_level".*?</tr>', zh, re.S).group(0)
    assert "助理主播" in rule and "assistant" not in rule  # a rule's level, read-only, by label
    assert '<span class="hint">第 2 档</span>' in zh and '<span class="hint">Tier 2</span>' in en
    assert ">net_gmv.targets<" not in en and "<code>commission.tiers" not in en


def test_an_unreadable_value_is_refused_in_the_readers_language(readers) -> None:
    chinese, english = readers
    for client, said in (
        (chinese, "提成阶梯与系数 · 系数: A</a>: 不是小数：“2%”。"),
        (
            english,
            "Commission tiers and multipliers · Multiplier: A</a>: Not a decimal number: “2%”.",
        ),
    ):
        values = _form_values(client.get("/appraisals/schemes/edit").get_data(as_text=True))
        values["scheme:commission.multipliers.A"] = "2%"

        response = client.post("/appraisals/schemes/edit", data=values)

        assert response.status_code == 422
        assert said in response.get_data(as_text=True)
        assert "not a decimal number: '2%'" not in response.get_data(as_text=True)


def test_scoring_problems_are_recognised_and_worded_again(app: Flask) -> None:
    refused = DEFAULT.replace("weight = 50", "weight = -5").replace(
        'to_level = "senior"', 'to_level = "mentor"'
    )
    with pytest.raises(scoring.SchemeError) as error:
        scoring.load_scheme(refused + "\n[extra]\nx = 1\n")

    problems = {p.path: p for p in scheme_problems(error.value.problems)}

    assert problems["metrics.net_gmv.weight"].reason["id"] == "Must be at least %(low)s."
    assert problems["extra"].reason["id"] == "This key is not part of a scheme."
    after = problems["promotion[0].to_level"].reason
    assert after["params"]["level"] == {"label": "level", "code": "assistant"}
    with app.test_request_context():
        assert problems["promotion[0].to_level"].text == (
            "Promotion rules · To level (1): Must be the level after Assistant streamer."
        )


def test_the_default_schemes_name_is_said_in_the_readers_language(readers) -> None:
    chinese, english = readers
    assert scoring.load_scheme(DEFAULT).name == DEFAULT_SCHEME_NAME
    schemes.ensure_default_scheme()
    db.session.commit()

    for path in ("/appraisals/schemes", "/appraisals/schemes/1", "/appraisals/"):
        assert "默认方案" in chinese.get(path).get_data(as_text=True)
        assert "Default scheme" in english.get(path).get_data(as_text=True)
    assert "<td>Default scheme</td>" not in chinese.get("/appraisals/schemes").get_data(
        as_text=True
    )


def test_the_comparison_names_levels_and_choices_by_label(readers) -> None:
    chinese, english = readers
    schemes.ensure_default_scheme()
    schemes.save_scheme(DEFAULT.replace('mode = "marginal"', 'mode = "whole"'))
    db.session.commit()

    zh = chinese.get("/appraisals/schemes/compare?old=1&new=2").get_data(as_text=True)
    en = english.get("/appraisals/schemes/compare?old=1&new=2").get_data(as_text=True)

    assert "<del>超额累进</del>" in zh and "<ins>全额计提</ins>" in zh
    assert "<del>Marginal tiers</del>" in en and "<ins>Whole-amount tiers</ins>" in en
    assert "默认方案" in zh


def test_an_appraisal_names_its_default_scheme_in_the_readers_language(readers) -> None:
    chinese, english = readers
    cycle = services.create_cycle("2026Q3")
    worked_example_quarter(make_streamer(employee_no="E1001", level="senior"))
    run_cycle(cycle)
    db.session.commit()
    appraisal = db.session.scalars(db.select(Appraisal)).one()

    zh = chinese.get(f"/appraisals/{appraisal.id}").get_data(as_text=True)
    en = english.get(f"/appraisals/{appraisal.id}").get_data(as_text=True)

    assert "（默认方案）" in zh or "(默认方案)" in zh
    assert "Default scheme" not in zh
    assert "(Default scheme)" in en
