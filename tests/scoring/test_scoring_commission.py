"""Commission statements: exact to the fen (quality point 17)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from scoring import Scheme
from scoring.commission import Tariff, half_up
from scoring.scheme import CommissionRules, Level, Tier

YUAN = 100
SENIOR = Level("senior", "资深主播", "Senior streamer", 240)
FULL_HOURS = 300 * 3600


def _tariff(scheme: Scheme, **changes: object) -> Tariff:
    return Tariff(dataclasses.replace(scheme.commission, **changes))


def test_worked_example_marginal(scheme: Scheme) -> None:
    lines = _tariff(scheme).lines(1_200_000 * YUAN)
    assert [(line.amount_fen, line.commission_fen) for line in lines] == [
        (300_000 * YUAN, 1_500 * YUAN),
        (700_000 * YUAN, 7_000 * YUAN),
        (200_000 * YUAN, 3_000 * YUAN),
        (0, 0),
    ]
    assert sum(line.commission_fen for line in lines) == 1_150_000  # ¥11,500.00


def test_worked_example_whole_amount(scheme: Scheme) -> None:
    lines = _tariff(scheme, mode="whole").lines(1_200_000 * YUAN)
    assert [(line.tier, line.amount_fen, line.rate, line.commission_fen) for line in lines] == [
        (3, 1_200_000 * YUAN, Decimal("0.015"), 1_800_000)
    ]


def test_whole_amount_boundary_reached_earns_the_higher_rate(scheme: Scheme) -> None:
    tariff = _tariff(scheme, mode="whole")
    assert tariff.lines(300_000 * YUAN - 1)[0].rate == Decimal("0.005")
    assert tariff.lines(300_000 * YUAN)[0].rate == Decimal("0.01")


def test_grade_multiplier_and_hours_gate(scheme: Scheme) -> None:
    tariff = _tariff(scheme)
    graded = tariff.statement(1_200_000 * YUAN, "A", FULL_HOURS, SENIOR)
    assert (graded.multiplier, graded.commission_fen) == (Decimal("1.1"), 1_265_000)
    gated = tariff.statement(1_200_000 * YUAN, "A", 239 * 3600 + 3599, SENIOR)
    assert gated.multiplier == Decimal("0.55")
    assert gated.commission_fen == 632_500
    assert [(f.kind, f.factor) for f in gated.factors] == [
        ("grade", Decimal("1.1")),
        ("hours_gate", Decimal("0.5")),
    ]
    assert tariff.statement(1_200_000 * YUAN, "A", 240 * 3600, SENIOR).commission_fen == 1_265_000
    not_graded = tariff.statement(1_200_000 * YUAN, None, FULL_HOURS, SENIOR)
    assert not_graded.factors[0].kind == "grade"
    assert (dict(not_graded.factors[0].facts), not_graded.commission_fen) == (
        {"grade": None},
        1_150_000,
    )
    assert dict(gated.factors[1].facts) == {
        "on_air_hours": 239.99,
        "min_on_air_hours": SENIOR.min_on_air_hours,
    }


def test_each_line_is_rounded_half_up_once(scheme: Scheme) -> None:
    tariff = _tariff(scheme)
    assert tariff.lines(100)[0].commission_fen == 1  # 0.5 fen
    assert tariff.lines(99)[0].commission_fen == 0  # 0.495 fen
    # tier line 1 fen × gate 0.5 = 0.5 fen → 1: the multiplier line rounds once, half up.
    assert tariff.statement(100, "B", 0, SENIOR).commission_fen == 1
    assert tariff.statement(300, "D", 0, SENIOR).commission_fen == 1  # 2 × 0.25 = 0.5


def test_negative_net_gmv_pays_nothing(scheme: Scheme) -> None:
    result = _tariff(scheme).statement(-50_000 * YUAN, "S", FULL_HOURS, SENIOR)
    assert result.tier_commission_fen == 0
    assert result.commission_fen == 0
    assert all(line.amount_fen == 0 for line in result.lines)


def test_quarterly_cap(scheme: Scheme) -> None:
    tariff = _tariff(scheme, cap_fen=1_000_000)
    capped = tariff.statement(1_200_000 * YUAN, "B", FULL_HOURS, SENIOR)
    assert (capped.after_multiplier_fen, capped.commission_fen) == (1_150_000, 1_000_000)
    below = tariff.statement(300_000 * YUAN, "B", FULL_HOURS, SENIOR)
    assert below.commission_fen == below.after_multiplier_fen == 150_000


def test_half_up() -> None:
    assert [half_up(n, 2) for n in (0, 1, 2, 3, 5)] == [0, 1, 1, 2, 3]
    assert half_up(10**30 + 1, 2) == 5 * 10**29 + 1


# -- properties ---------------------------------------------------------------------------------

rates = st.decimals(min_value=0, max_value=1, places=4, allow_nan=False, allow_infinity=False)


@st.composite
def marginal_rules(draw: st.DrawFn) -> CommissionRules:
    bounds = sorted(draw(st.sets(st.integers(1, 10**10), max_size=5)))
    tiers = tuple(Tier(low, draw(rates)) for low in [0, *bounds])
    multipliers = {"B": Decimal(1), "not_graded": Decimal(1)}
    return CommissionRules("marginal", tiers, multipliers, Decimal("0.5"), None)


money = st.integers(-(10**12), 10**12)


def _total(tariff: Tariff, base: int) -> int:
    return sum(line.commission_fen for line in tariff.lines(base))


@given(marginal_rules(), st.integers(-(10**12), 0))
def test_zero_at_zero_and_below(rules: CommissionRules, base: int) -> None:
    assert _total(Tariff(rules), base) == 0


@given(marginal_rules(), money, st.sampled_from(["B", None]), st.integers(0, 10**6))
def test_never_negative(rules: CommissionRules, base: int, grade: str | None, seconds: int) -> None:
    for mode in ("marginal", "whole"):
        tariff = Tariff(dataclasses.replace(rules, mode=mode))
        assert tariff.statement(base, grade, seconds, SENIOR).commission_fen >= 0


@given(marginal_rules(), money, money)
def test_monotone_in_net_gmv(rules: CommissionRules, first: int, second: int) -> None:
    low, high = sorted((first, second))
    tariff = Tariff(rules)
    assert _total(tariff, low) <= _total(tariff, high)


@given(marginal_rules(), st.data())
def test_continuous_at_tier_boundaries(rules: CommissionRules, data: st.DataObject) -> None:
    tariff = Tariff(rules)
    boundary = data.draw(st.sampled_from([tier.from_fen for tier in rules.tiers]))
    for base in (boundary - 1, boundary, data.draw(money)):
        assert 0 <= _total(tariff, base + 1) - _total(tariff, base) <= 1


@given(base=money)
def test_default_tiers_match_a_decimal_reference(scheme: Scheme, base: int) -> None:
    rules = scheme.commission
    expected = 0
    for index, tier in enumerate(rules.tiers):
        upper = rules.tiers[index + 1].from_fen if index + 1 < len(rules.tiers) else None
        inside = max(
            0, (max(base, 0) if upper is None else min(max(base, 0), upper)) - tier.from_fen
        )
        expected += int((inside * tier.rate).quantize(Decimal(1), rounding="ROUND_HALF_UP"))
    assert _total(Tariff(rules), base) == expected
