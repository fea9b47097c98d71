"""Issue 10, point 3: the scheme editor takes and shows rates in percent, and the comparison of
two versions shows money in yuan, rates in percent and fields by their labels."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import func, select

import scoring
from hrapp.appraisals import schemes
from hrapp.appraisals.models import SchemeVersion
from hrapp.auth.models import Role
from hrapp.extensions import db
from tests.factories import make_user

DEFAULT = scoring.default_scheme_text()
RATE = "scheme:commission.tiers[0].rate"  # "0.005" in the default scheme


@pytest.fixture
def client_in(app: Flask, login_as):
    def make(locale: str):
        user = make_user(Role.HR)
        user.locale = locale
        db.session.commit()
        return login_as(user)

    return make


def _form_values(page_html: str) -> dict[str, str]:
    values = dict(re.findall(r'<input id="[^"]*" name="([^"]+)" value="([^"]*)"', page_html))
    for name, body in re.findall(r'<select id="[^"]*" name="([^"]+)">(.*?)</select>', page_html):
        values[name] = re.search(r'<option value="([^"]+)" selected>', body).group(1)
    based_on = re.search(r'name="based_on" type="hidden" value="(\d+)"', page_html)
    values["based_on"] = based_on.group(1)
    return values


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
@pytest.mark.parametrize("typed", ["0.75", "0.75%", "0.75 %"])
def test_the_editor_shows_rates_in_percent_and_saves_the_exact_fraction(
    client_in, locale: str, typed: str
) -> None:
    client = client_in(locale)
    values = _form_values(client.get("/appraisals/schemes/edit").text)
    assert values[RATE] == "0.5"  # 0.005 shown as 0.5 %
    assert values["scheme:commission.tiers[3].rate"] == "2"
    assert values["scheme:promotion[0].max_refund_rate"] == "25"
    assert values["scheme:scoring.attainment_cap"] == "120"  # counts up to 120 % of target
    values[RATE] = typed

    response = client.post("/appraisals/schemes/edit", data=values)

    assert response.status_code == 302
    rules = scoring.load_scheme(schemes.active_version().toml)
    assert rules.commission.tiers[0].rate == Decimal("0.0075")
    assert rules.commission.tiers[1].rate == Decimal("0.01")  # untouched rates round-trip
    assert rules.promotion[0].max_refund_rate == Decimal("0.25")
    assert rules.scoring.attainment_cap == 1.2
    again = _form_values(client.get("/appraisals/schemes/edit").text)
    assert again[RATE] == "0.75"


def test_a_rate_that_is_no_percentage_is_refused_naming_the_input(client_in) -> None:
    client = client_in("zh_CN")
    values = _form_values(client.get("/appraisals/schemes/edit").text)
    values[RATE] = "half a percent"

    response = client.post("/appraisals/schemes/edit", data=values)

    assert response.status_code == 422
    assert "提成阶梯与系数 · 比率 (1)</a>: 不是百分比：“half a percent”。" in response.text
    assert 'value="half a percent"' in response.text  # what was typed stays in the input
    assert db.session.scalar(select(func.count()).select_from(SchemeVersion)) == 0


@pytest.mark.parametrize(
    ("locale", "target_label", "rate_label"),
    [
        ("en", "Net GMV · Target: Senior streamer", "Commission tiers and multipliers · Rate (3)"),
        ("zh_CN", "净GMV · 目标值: 资深主播", "提成阶梯与系数 · 比率 (3)"),
    ],
)
def test_the_comparison_shows_yuan_percent_and_labels(
    client_in, locale: str, target_label: str, rate_label: str
) -> None:
    schemes.ensure_default_scheme()
    schemes.save_scheme(
        DEFAULT.replace("senior = 150_000_000", "senior = 200_000_000").replace(
            'rate = "0.015"', 'rate = "0.016"'
        )
    )
    db.session.commit()

    page = client_in(locale).get("/appraisals/schemes/compare?old=1&new=2").text
    rows = {
        re.sub(r"<[^>]+>", "", label).strip(): (old, new)
        for label, old, new in re.findall(
            r'<tr class="change">\s*<td[^>]*>(.*?)</td>\s*<td[^>]*><del>(.*?)</del></td>'
            r"\s*<td[^>]*><ins>(.*?)</ins></td>",
            page,
            re.S,
        )
    }

    assert rows == {
        target_label: ("¥1,500,000.00", "¥2,000,000.00"),
        rate_label: ("1.5%", "1.6%"),
    }
    assert "150000000" not in page and "200000000" not in page
