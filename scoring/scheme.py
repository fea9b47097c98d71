"""The appraisal scheme: frozen rules (levels, metrics, grades, commission, promotion).

A scheme is a TOML document (see `default_scheme.toml` for every key with comments), read by
`scoring.scheme_load` and written by `scoring.scheme_dump`.

Units: money in integer fen; rates, multipliers and shares as exact `Decimal`; hours as whole
hours; weights, targets, scores and the attainment cap as floats (they never reach a payslip
directly: the grade they produce selects an exact multiplier).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Literal

METRIC_KEYS = (
    "net_gmv",
    "avg_watch_seconds",
    "net_followers",
    "on_air_hours",
    "conversion",
    "refund_rate",
    "gmv_per_hour",
)
REQUIRED_METRICS = ("net_gmv", "avg_watch_seconds", "net_followers")
LOWER_IS_BETTER = frozenset({"refund_rate"})
METRIC_UNITS = {
    "net_gmv": "fen",
    "avg_watch_seconds": "seconds",
    "net_followers": "followers",
    "on_air_hours": "hours",
    "conversion": "ratio",
    "refund_rate": "ratio",
    "gmv_per_hour": "fen_per_hour",
}
NOT_GRADED = "not_graded"

ScoringMethod = Literal["target", "percentile"]
CommissionMode = Literal["marginal", "whole"]


@dataclass(frozen=True)
class Level:
    """A step of the promotion path; below `min_on_air_hours` a quarter's commission is gated."""

    key: str
    name_zh: str
    name_en: str
    # Whole hours in a scheme; a level blended by days (scoring.levels) may hold hundredths.
    min_on_air_hours: float


@dataclass(frozen=True)
class Metric:
    """A scored metric: `weight` points at 100% attainment; `targets` per level key."""

    key: str
    weight: float
    targets: Mapping[str, float]

    @property
    def lower_is_better(self) -> bool:
        return self.key in LOWER_IS_BETTER


@dataclass(frozen=True)
class ScoringRules:
    method: ScoringMethod
    attainment_cap: float
    max_score: float
    not_graded_below_hours: int
    min_session_minutes: int
    min_cohort_size: int


@dataclass(frozen=True)
class GradeBand:
    """Scores >= `min_score` (and below the previous band's) earn grade `key`."""

    key: str
    min_score: float


@dataclass(frozen=True)
class DistributionLimit:
    """At most `max_share` of graded streamers may hold one of `grades` (reported, not enforced)."""

    grades: tuple[str, ...]
    max_share: Decimal


@dataclass(frozen=True)
class Tier:
    """Net GMV from `from_fen` up to the next tier's `from_fen` earns `rate`."""

    from_fen: int
    rate: Decimal


@dataclass(frozen=True)
class CommissionRules:
    """`multipliers` maps every grade key and `not_graded` to an exact factor."""

    mode: CommissionMode
    tiers: tuple[Tier, ...]
    multipliers: Mapping[str, Decimal]
    gate_factor: Decimal
    cap_fen: int | None


@dataclass(frozen=True)
class ModuleRequirement:
    """A training module a promotion step requires. Whether it is passed and still valid is
    the curriculum's rule (its pass mark and validity, `scoring.training.ModuleRule`), which
    the checklist reads from `PromotionInputs.modules`: the scheme names the module only."""

    code: str


@dataclass(frozen=True)
class PromotionRule:
    """Criteria for `from_level` -> `to_level`; `None` switches a criterion off.

    The window is the `window_quarters` quarters ending with the one being appraised; grade,
    hours and refund-rate criteria are measured over it.
    """

    from_level: str
    to_level: str
    min_months_at_level: int | None
    window_quarters: int | None
    min_grade: str | None
    min_quarters_at_grade: int | None
    min_on_air_hours: int | None
    max_refund_rate: Decimal | None
    modules: tuple[ModuleRequirement, ...]
    min_mentees_passed: int | None
    mentee_module: str | None


@dataclass(frozen=True)
class Scheme:
    name: str
    levels: tuple[Level, ...]
    scoring: ScoringRules
    metrics: tuple[Metric, ...]
    grades: tuple[GradeBand, ...]
    forced_distribution: tuple[DistributionLimit, ...]
    commission: CommissionRules
    promotion: tuple[PromotionRule, ...]

    def level(self, key: str) -> Level:
        return next(level for level in self.levels if level.key == key)

    def next_level(self, key: str) -> str | None:
        keys = [level.key for level in self.levels]
        index = keys.index(key) + 1
        return keys[index] if index < len(keys) else None

    def promotion_from(self, key: str) -> PromotionRule | None:
        return next((rule for rule in self.promotion if rule.from_level == key), None)

    def grade_rank(self, grade: str | None) -> int:
        """0 for the best grade, growing downwards; `len(grades)` for no grade."""
        return self._grade_ranks.get(grade, len(self.grades))

    @cached_property
    def _grade_ranks(self) -> dict[str | None, int]:
        # Asked once per quarter per checklist; computed once per scheme.
        return {band.key: rank for rank, band in enumerate(self.grades)}
