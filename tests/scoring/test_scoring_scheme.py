"""The scheme document: the shipped default, validation with paths, TOML round trip."""

from __future__ import annotations

import dataclasses
import tomllib
from decimal import Decimal

import pytest

from scoring import Scheme, SchemeError, default_scheme_text, dump_scheme, load_scheme
from scoring.scheme import DistributionLimit


def test_default_scheme_is_the_domain_guide_default(scheme: Scheme) -> None:
    assert [level.key for level in scheme.levels] == ["assistant", "senior", "mentor"]
    assert [level.min_on_air_hours for level in scheme.levels] == [240, 240, 120]
    assert scheme.levels[1].name_zh == "资深主播"
    weights = {m.key: m.weight for m in scheme.metrics}
    assert weights == {"net_gmv": 50, "avg_watch_seconds": 25, "net_followers": 25}
    net_gmv = next(m for m in scheme.metrics if m.key == "net_gmv")
    assert dict(net_gmv.targets) == {
        "assistant": 30_000_000,
        "senior": 150_000_000,
        "mentor": 80_000_000,
    }
    assert [(band.key, band.min_score) for band in scheme.grades] == [
        ("S", 95),
        ("A", 85),
        ("B", 70),
        ("C", 60),
        ("D", 0),
    ]
    assert (scheme.scoring.attainment_cap, scheme.scoring.not_graded_below_hours) == (1.2, 30)
    commission = scheme.commission
    assert commission.mode == "marginal"
    assert [(t.from_fen, t.rate) for t in commission.tiers] == [
        (0, Decimal("0.005")),
        (30_000_000, Decimal("0.01")),
        (100_000_000, Decimal("0.015")),
        (300_000_000, Decimal("0.02")),
    ]
    assert {k: str(v) for k, v in commission.multipliers.items()} == {
        "S": "1.2",
        "A": "1.1",
        "B": "1.0",
        "C": "0.8",
        "D": "0.5",
        "not_graded": "1.0",
    }
    assert commission.gate_factor == Decimal("0.5")
    assert commission.cap_fen is None
    first, second = scheme.promotion
    assert (first.from_level, first.to_level, first.min_months_at_level) == (
        "assistant",
        "senior",
        6,
    )
    assert (first.min_grade, first.window_quarters, first.min_quarters_at_grade) == ("A", 2, 2)
    assert (first.min_on_air_hours, first.max_refund_rate) == (400, Decimal("0.25"))
    assert [m.code for m in first.modules] == [
        "SCRIPT-1",
        "PRODUCT-1",
        "FANS-1",
        "EMERGENCY-1",
        "COMPLIANCE-1",
        "PRACTICAL-1",
    ]
    assert (second.window_quarters, second.min_quarters_at_grade, second.min_months_at_level) == (
        4,
        3,
        12,
    )
    assert (second.min_mentees_passed, second.mentee_module) == (2, "PRACTICAL-1")


def test_default_scheme_round_trips(scheme: Scheme) -> None:
    text = dump_scheme(scheme)
    assert load_scheme(text) == scheme
    assert dump_scheme(load_scheme(text)) == text


def test_an_edited_scheme_round_trips(scheme: Scheme) -> None:
    edited = dataclasses.replace(
        scheme,
        name='Agency "A" 2026 \\ Q3\n新方案',
        commission=dataclasses.replace(scheme.commission, mode="whole", cap_fen=5_000_000),
        forced_distribution=(
            DistributionLimit(("S",), Decimal("0.10")),
            DistributionLimit(("S", "A"), Decimal("0.3")),
        ),
        scoring=dataclasses.replace(scheme.scoring, method="percentile", attainment_cap=1.25),
    )
    assert load_scheme(dump_scheme(edited)) == edited


def test_several_problems_are_reported_at_once_with_paths() -> None:
    text = default_scheme_text()
    text = text.replace('rate = "0.015"', 'rate = "1.5"')
    text = text.replace("senior = 150_000_000, ", "")
    text = text.replace("min_score = 70", "min_score = 90")
    text = text.replace('gate_factor = "0.5"', "gate_factor = 0.5")
    text = text.replace(
        "weight = 25\ntargets = { assistant = 60", "wieght = 25\ntargets = { assistant = 60"
    )
    text = text.replace('to_level = "mentor"', 'to_level = "assistant"')
    with pytest.raises(SchemeError) as caught:
        load_scheme(text)
    assert caught.value.problems == [
        "metrics.net_gmv.targets.senior: missing",
        "metrics.avg_watch_seconds.wieght: unknown key",
        "metrics.avg_watch_seconds.weight: missing",
        "grades[2].min_score: must be below the previous band's (best grade first)",
        'commission.gate_factor: must be an exact decimal string such as "0.5" '
        "(a TOML float is not exact)",
        "commission.tiers[2].rate: must be between 0 and 1",
        "promotion[1].to_level: must be the level after 'senior'",
    ]
    assert "7 scheme problems" in str(caught.value)


def test_structural_problems() -> None:
    text = """
name = ""
[[levels]]
key = "assistant"
name_zh = "助理主播"
name_en = "Assistant"
min_on_air_hours = -1

[scoring]
method = "median"

[metrics.net_gmv]
weight = 50
targets = { assistant = 0, boss = 5 }

[metrics.charisma]
weight = 10

[[grades]]
key = "A"
min_score = 50

[commission]
mode = "marginal"
gate_factor = "1"
tiers = [{ from_fen = 5, rate = "0.01" }]
[commission.multipliers]
A = "x"
"""
    with pytest.raises(SchemeError) as caught:
        load_scheme(text)
    problems = caught.value.problems
    for expected in (
        "name: must be a non-empty string",
        "levels[0].min_on_air_hours: must be at least 0",
        "scoring.method: must be one of 'target', 'percentile'",
        "scoring.attainment_cap: missing",
        "metrics.charisma: unknown metric (known: net_gmv, avg_watch_seconds, net_followers, "
        "on_air_hours, conversion, refund_rate, gmv_per_hour)",
        "metrics.avg_watch_seconds: missing",
        "metrics.net_gmv.targets.boss: unknown key",
        "metrics.net_gmv.targets.assistant: must be greater than 0",
        "grades[0].min_score: the last band must start at 0",
        "commission.tiers[0].from_fen: the first tier must start at 0",
        "commission.multipliers.A: not a decimal number: 'x'",
        "commission.multipliers.not_graded: missing",
    ):
        assert expected in problems
    # A missing table is one problem, not one per key inside it.
    assert sum(p.startswith("metrics.net_followers") for p in problems) == 1


def test_invalid_toml_is_a_scheme_error() -> None:
    with pytest.raises(SchemeError) as caught:
        load_scheme("name = ")
    assert caught.value.problems[0].startswith("toml: ")


def test_promotion_cross_field_rules() -> None:
    text = (
        default_scheme_text()
        .replace("window_quarters = 2\n", "")
        .replace("min_mentees_passed = 2 ", "# ")
    )
    with pytest.raises(SchemeError) as caught:
        load_scheme(text)
    assert caught.value.problems == [
        "promotion[0].window_quarters: missing (needed by min_grade, min_quarters_at_grade, "
        "min_on_air_hours, max_refund_rate)",
        "promotion[1]: min_mentees_passed and mentee_module go together",
    ]


def test_a_module_s_pass_mark_and_validity_belong_to_the_curriculum() -> None:
    """A step names the modules it requires; their pass mark and validity are the
    curriculum's, and a document that sets them here is told so."""
    text = default_scheme_text().replace(
        '{ code = "PRACTICAL-1" }', '{ code = "PRACTICAL-1", min_score = 85, valid_months = 6 }'
    )
    with pytest.raises(SchemeError) as caught:
        load_scheme(text)
    assert caught.value.problems == [
        "promotion[0].modules[5].min_score: set in the curriculum, not in the scheme",
        "promotion[0].modules[5].valid_months: set in the curriculum, not in the scheme",
    ]


def test_default_document_is_commented_toml() -> None:
    text = default_scheme_text()
    assert text.count("#") > 20
    assert tomllib.loads(text)["name"] == "Default scheme"
