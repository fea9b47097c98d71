"""Commission statements: tiered commission on net GMV, exact to the fen.

Money is integer fen and every rate or factor an exact `Decimal`, multiplied as integer ratios;
each statement line is rounded half up exactly once, and totals are sums of the shown lines.
Statement parts are named tuples: immutable and cheap, as one appraisal makes tens of thousands.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Context, Decimal, Inexact
from types import MappingProxyType
from typing import NamedTuple

from scoring.scheme import NOT_GRADED, CommissionRules, Level

SECONDS_PER_HOUR = 3600
# Products of scheme factors must be exact whatever the caller's decimal context: trap rounding.
_EXACT = Context(prec=200, traps=[Inexact])


class TierLine(NamedTuple):
    """One band: `amount_fen` of the base inside [from_fen, to_fen) at `rate`."""

    tier: int
    from_fen: int
    to_fen: int | None
    amount_fen: int
    rate: Decimal
    commission_fen: int


class Factor(NamedTuple):
    """A multiplier with its reason; `kind` is `grade` or `hours_gate`, `facts` back the reason."""

    kind: str
    factor: Decimal
    reason: str
    facts: Mapping[str, str | int | float | None]


class Statement(NamedTuple):
    """A quarter's commission, line by line; `commission_fen` is what payroll receives."""

    base_fen: int
    mode: str
    lines: tuple[TierLine, ...]
    tier_commission_fen: int
    factors: tuple[Factor, ...]
    multiplier: Decimal
    after_multiplier_fen: int
    cap_fen: int | None
    commission_fen: int


def half_up(numerator: int, denominator: int) -> int:
    """numerator ÷ denominator rounded half up, for numerator >= 0 and denominator > 0."""
    return (2 * numerator + denominator) // (2 * denominator)


def times(amount_fen: int, factor: Decimal) -> int:
    """amount × factor in fen, exact, rounded half up once."""
    numerator, denominator = factor.as_integer_ratio()
    return half_up(amount_fen * numerator, denominator)


class Tariff:
    """A scheme's commission rules, with every rate turned into an exact integer ratio once."""

    def __init__(self, rules: CommissionRules) -> None:
        self.rules = rules
        uppers = [tier.from_fen for tier in rules.tiers[1:]] + [None]
        self._tiers = [
            (index + 1, tier.from_fen, upper, tier.rate, *tier.rate.as_integer_ratio())
            for index, (tier, upper) in enumerate(zip(rules.tiers, uppers, strict=True))
        ]
        self._grade_factors: dict[str | None, Factor] = {}

    def lines(self, base_fen: int) -> tuple[TierLine, ...]:
        """Commission lines for a base amount (net GMV; a negative base counts as 0).

        marginal (分段累计): one line per tier; each tier's rate applies to the part of the base
            inside [from_fen, next from_fen); tiers not reached show amount 0.
        whole (全额累进): one line; the rate of the highest tier whose from_fen <= base applies
            to the whole base (reaching a boundary exactly earns the higher rate).
        Each line's commission = amount × rate, rounded half up to the fen.
        """
        base = max(base_fen, 0)
        if self.rules.mode == "whole":
            tier, low, upper, rate, num, den = next(
                t for t in reversed(self._tiers) if t[1] <= base
            )
            return (TierLine(tier, low, upper, base, rate, half_up(base * num, den)),)
        lines = []
        for tier, low, upper, rate, num, den in self._tiers:
            inside = max(0, (base if upper is None else min(base, upper)) - low)
            lines.append(TierLine(tier, low, upper, inside, rate, half_up(inside * num, den)))
        return tuple(lines)

    def statement(
        self, base_fen: int, grade: str | None, on_air_seconds: int, level: Level
    ) -> Statement:
        """The full commission statement of one streamer's quarter.

        tier commission = Σ tier lines (see `lines`);
        multiplier = grade multiplier (`not_graded` when grade is None) × gate factor when the
            known on-air time is below the level's `min_on_air_hours` (exact Decimal product);
        after multiplier = tier commission × multiplier, rounded half up once;
        commission = min(after multiplier, cap_fen) when the scheme has a cap. Never negative.
        """
        lines = self.lines(base_fen)
        tier_total = sum(line.commission_fen for line in lines)
        gated = on_air_seconds < level.min_on_air_hours * SECONDS_PER_HOUR
        grade_factor = self._grade_factor(grade)
        multiplier = grade_factor.factor
        factors: tuple[Factor, ...] = (grade_factor,)
        if gated:
            factors += (_gate(self.rules.gate_factor, on_air_seconds, level),)
            multiplier = _EXACT.multiply(multiplier, self.rules.gate_factor)
        after = times(tier_total, multiplier)
        cap = self.rules.cap_fen
        final = after if cap is None else min(after, cap)
        return Statement(
            base_fen, self.rules.mode, lines, tier_total, factors, multiplier, after, cap, final
        )

    def _grade_factor(self, grade: str | None) -> Factor:
        """One shared, immutable Factor per grade."""
        if grade not in self._grade_factors:
            factor = self.rules.multipliers[NOT_GRADED if grade is None else grade]
            reason = "not graded" if grade is None else f"grade {grade}"
            facts = MappingProxyType({"grade": grade})
            self._grade_factors[grade] = Factor("grade", factor, reason, facts)
        return self._grade_factors[grade]


def _gate(factor: Decimal, on_air_seconds: int, level: Level) -> Factor:
    hours = on_air_seconds / SECONDS_PER_HOUR
    return Factor(
        "hours_gate",
        factor,
        f"on air {hours:.2f} h, below the {level.key} minimum of {level.min_on_air_hours} h",
        MappingProxyType(
            {"on_air_hours": round(hours, 2), "min_on_air_hours": level.min_on_air_hours}
        ),
    )
