"""Commission statements: tiered commission on net GMV, exact to the fen.

Money is integer fen and every rate or factor an exact `Decimal`, multiplied as integer ratios;
each statement line is rounded half up exactly once, and totals are sums of the shown lines.
Statement parts are named tuples: immutable and cheap, as one appraisal makes tens of thousands.

`Tariff.statement` is one streamer's statement. `Tariff.statements` computes the same numbers for
a whole quarter at once with integer array arithmetic — int64 where every intermediate provably
fits, Python integers otherwise — and rebuilds any one streamer's `Statement` on request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Context, Decimal, Inexact
from functools import cached_property
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from scoring.exact import exact_kind, half_up_times, largest
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
    """A multiplier and why it applies: `kind` is `grade` or `hours_gate`, and `facts` are what
    a reader is told (the grade; the hours on air and the level's minimum). Words are left to
    whoever shows it, in the reader's language."""

    kind: str
    factor: Decimal
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


class Numbers(NamedTuple):
    """A statement's computed numbers, before the lines and factors are attached."""

    base_fen: int
    tier_commission_fen: int
    grade: str | None
    gated: bool
    on_air_seconds: int
    after_multiplier_fen: int
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
        self.tiers = [
            (index + 1, tier.from_fen, upper, tier.rate, *tier.rate.as_integer_ratio())
            for index, (tier, upper) in enumerate(zip(rules.tiers, uppers, strict=True))
        ]
        self._grade_factors: dict[str | None, Factor] = {}
        self._multipliers: dict[tuple[str | None, bool], Decimal] = {}

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
            tier, low, upper, rate, num, den = next(t for t in reversed(self.tiers) if t[1] <= base)
            return (TierLine(tier, low, upper, base, rate, half_up(base * num, den)),)
        lines = []
        for tier, low, upper, rate, num, den in self.tiers:
            inside = max(0, (base if upper is None else min(base, upper)) - low)
            lines.append(TierLine(tier, low, upper, inside, rate, half_up(inside * num, den)))
        return tuple(lines)

    def line_columns(
        self, base: np.ndarray
    ) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray | None]:
        """`lines` for many bases (>= 0) at once: (amount per line, commission per line, and
        for `whole` the tier index of each base)."""
        if self.rules.mode == "whole":
            lows = np.array([tier[1] for tier in self.tiers], dtype=base.dtype)
            index = np.searchsorted(lows, base, side="right") - 1
            ratios = np.array([tier[4:] for tier in self.tiers], dtype=object)[index]
            return [base], [half_up_times(base, ratios[:, 0], ratios[:, 1])], index
        amounts = [
            np.maximum(0, (base if upper is None else np.minimum(base, upper)) - low)
            for _, low, upper, _, _, _ in self.tiers
        ]
        commissions = [
            half_up_times(amount, num, den)
            for amount, (*_, num, den) in zip(amounts, self.tiers, strict=True)
        ]
        return amounts, commissions, None

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
        gated = on_air_seconds < min_seconds(level)
        after = times(tier_total, self.multiplier(grade, gated))
        cap = self.rules.cap_fen
        final = after if cap is None else min(after, cap)
        numbers = Numbers(base_fen, tier_total, grade, gated, on_air_seconds, after, final)
        return self.explained(numbers, lines, level)

    def explained(self, numbers: Numbers, lines: tuple[TierLine, ...], level: Level) -> Statement:
        """The statement of computed numbers, with the factors that explain the multiplier."""
        grade_factor = self._grade_factor(numbers.grade)
        factors: tuple[Factor, ...] = (grade_factor,)
        if numbers.gated:
            factors += (_gate(self.rules.gate_factor, numbers.on_air_seconds, level),)
        return Statement(
            numbers.base_fen,
            self.rules.mode,
            lines,
            numbers.tier_commission_fen,
            factors,
            self.multiplier(numbers.grade, numbers.gated),
            numbers.after_multiplier_fen,
            self.rules.cap_fen,
            numbers.commission_fen,
        )

    def multiplier(self, grade: str | None, gated: bool) -> Decimal:
        """The grade multiplier, times the gate factor when gated (an exact Decimal product)."""
        key = (grade, gated)
        if key not in self._multipliers:
            factor = self._grade_factor(grade).factor
            self._multipliers[key] = (
                _EXACT.multiply(factor, self.rules.gate_factor) if gated else factor
            )
        return self._multipliers[key]

    def statements(
        self,
        base_fen: np.ndarray,
        known: np.ndarray,
        grades: np.ndarray,
        on_air_seconds: np.ndarray,
        level_keys: np.ndarray,
        levels: Sequence[Level],
    ) -> Statements:
        """`statement` for a whole quarter at once. Row i: base `base_fen[i]` (int64; where
        `known[i]` is false the base is unknown and there is no statement), grade `grades[i]`
        (object array, None when not graded), known on-air seconds `on_air_seconds[i]`
        (int64) and the level of key `level_keys[i]` among `levels`."""
        return Statements(self, base_fen, known, grades, on_air_seconds, level_keys, levels)

    def _grade_factor(self, grade: str | None) -> Factor:
        """One shared, immutable Factor per grade."""
        if grade not in self._grade_factors:
            factor = self.rules.multipliers[NOT_GRADED if grade is None else grade]
            facts = MappingProxyType({"grade": grade})
            self._grade_factors[grade] = Factor("grade", factor, facts)
        return self._grade_factors[grade]


def min_seconds(level: Level) -> int:
    """The level's minimum on-air time in whole seconds (a blended level's hundredths of an
    hour are whole seconds too), so the gate compares integers, never binary fractions."""
    return round(Decimal(str(level.min_on_air_hours)) * SECONDS_PER_HOUR)


def _gate(factor: Decimal, on_air_seconds: int, level: Level) -> Factor:
    # Hundredths of an hour rounded down: 239 h 59 min 59 s is shown as 239.99 h below a
    # 240 h minimum, never as 240.00 h.
    hours = on_air_seconds * 100 // SECONDS_PER_HOUR / 100
    return Factor(
        "hours_gate",
        factor,
        MappingProxyType({"on_air_hours": hours, "min_on_air_hours": level.min_on_air_hours}),
    )


class Statements:
    """Every streamer's commission statement as columns; see `Tariff.statements`.

    The table's columns are computed at once with exact integer arrays; `statement(row)`
    rebuilds one streamer's full `Statement` from them, equal to `Tariff.statement`'s.
    """

    def __init__(
        self,
        tariff: Tariff,
        base_fen: np.ndarray,
        known: np.ndarray,
        grades: np.ndarray,
        on_air_seconds: np.ndarray,
        level_keys: np.ndarray,
        levels: Sequence[Level],
    ) -> None:
        self._tariff = tariff
        self._known = known
        self._grades = grades
        self._level_keys = level_keys
        self._levels = {level.key: level for level in levels}
        self._on_air_seconds = on_air_seconds
        kind = exact_kind(largest(base_fen), *(tier.from_fen for tier in tariff.rules.tiers))
        self._base_fen: np.ndarray = base_fen.astype(kind)
        base: np.ndarray = np.where(known, np.maximum(self._base_fen, 0), 0).astype(kind)
        self._amounts, self._commissions, self._tier = tariff.line_columns(base)
        self.tier_commission_fen = sum(self._commissions[1:], self._commissions[0])
        self._gated = np.zeros(len(known), dtype=bool)
        for key, level in self._levels.items():
            rows = level_keys == key
            self._gated[rows] = on_air_seconds[rows] < min_seconds(level)
        # One multiplier per (grade, gated) pair: pair 0 and 1 are "not graded".
        grade_codes, grade_keys = pd.factorize(grades, use_na_sentinel=True)
        pair = (grade_codes + 1) * 2 + self._gated
        multipliers = [
            tariff.multiplier(grade, gated)
            for grade in [None, *grade_keys]
            for gated in (False, True)
        ]
        ratios = np.array([m.as_integer_ratio() for m in multipliers], dtype=object)[pair]
        self.multiplier_text = np.array([str(m) for m in multipliers], dtype=object)[pair]
        self.after_multiplier_fen = half_up_times(
            self.tier_commission_fen, ratios[:, 0], ratios[:, 1]
        )
        after, cap = self.after_multiplier_fen, tariff.rules.cap_fen
        self.commission_fen = (
            after if cap is None else np.minimum(after.astype(exact_kind(cap, largest(after))), cap)
        )

    def table_columns(self) -> dict[str, Any]:
        """tier_commission_fen and commission_fen (Int64) and multiplier (exact decimal text);
        NA and None where the base is unknown."""

        def shown(values: np.ndarray) -> np.ndarray:
            cells = values.astype(object)
            cells[~self._known] = None
            return cells

        return {
            "tier_commission_fen": pd.array(shown(self.tier_commission_fen), dtype="Int64"),
            # object keeps None (pandas 3 would infer strings and turn None into NaN)
            "multiplier": pd.Series(shown(self.multiplier_text), dtype=object),
            "commission_fen": pd.array(shown(self.commission_fen), dtype="Int64"),
        }

    @cached_property
    def _python(self) -> dict[str, Any]:
        """The columns as Python values, converted once for `statement`."""
        return {
            "amounts": [amount.tolist() for amount in self._amounts],
            "commissions": [commission.tolist() for commission in self._commissions],
            "tier": None if self._tier is None else self._tier.tolist(),
            "numbers": list(
                zip(
                    self._base_fen.tolist(),
                    self.tier_commission_fen.tolist(),
                    self._grades.tolist(),
                    self._gated.tolist(),
                    self._on_air_seconds.tolist(),
                    self.after_multiplier_fen.tolist(),
                    self.commission_fen.tolist(),
                    strict=True,
                )
            ),
        }

    def statement(self, row: int) -> Statement | None:
        """Row `row`'s statement; None when its base is unknown."""
        if not self._known[row]:
            return None
        python = self._python
        tiers = self._tariff.tiers
        amounts, commissions = python["amounts"], python["commissions"]
        if python["tier"] is None:
            lines = tuple(
                [
                    TierLine(number, low, upper, amount[row], rate, commission[row])
                    for (number, low, upper, rate, _, _), amount, commission in zip(
                        tiers, amounts, commissions, strict=True
                    )
                ]
            )
        else:
            number, low, upper, rate, _, _ = tiers[python["tier"][row]]
            lines = (TierLine(number, low, upper, amounts[0][row], rate, commissions[0][row]),)
        numbers = Numbers(*python["numbers"][row])
        return self._tariff.explained(numbers, lines, self._levels[self._level_keys[row]])
