"""A scheme version's rules as plain data for the scheme page's tables, so that HR reads levels,
targets, grades, tiers and promotion criteria instead of the TOML document.

Money stays in fen and rates stay exact (the templates format them); level names are in the
reader's language. Promotion criteria have the shape of an appraisal's checklist items, so the
page and the appraisal sheet state a requirement in the same words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from flask_babel import gettext as _

from hrapp.i18n import localized
from scoring.promotion import rule_of
from scoring.scheme import (
    METRIC_UNITS,
    NOT_GRADED,
    CommissionRules,
    Level,
    PromotionRule,
    Scheme,
)
from scoring.training import ModuleRule

# The name of the shipped default scheme (scoring/default_scheme.toml), which is English text
# stored with every version saved from it; pages say it in the reader's language.
DEFAULT_SCHEME_NAME = "Default scheme"


def scheme_name(name: str) -> str:
    """A version's name as the reader reads it: a name HR gave stays as written."""
    return _("Default scheme") if name == DEFAULT_SCHEME_NAME else name


def level_name(level: Level) -> str:
    """The scheme's own name of a level, in the reader's language."""
    return localized(level.name_zh, level.name_en)


def scheme_view(scheme: Scheme, modules: Mapping[str, ModuleRule]) -> dict[str, Any]:
    """Every rule of `scheme`, one table's rows per part. A required module is shown with the
    pass mark and validity of `modules` (the curriculum's rules by code), which decide it."""
    return {
        "name": scheme.name,
        "levels": [
            {"key": lv.key, "name": level_name(lv), "min_on_air_hours": lv.min_on_air_hours}
            for lv in scheme.levels
        ],
        "scoring": asdict(scheme.scoring),
        "metrics": _metrics(scheme),
        "grades": _grades(scheme),
        "not_graded_multiplier": scheme.commission.multipliers[NOT_GRADED],
        "distribution": [
            {"grades": list(limit.grades), "max_share": limit.max_share}
            for limit in scheme.forced_distribution
        ],
        "commission": _commission(scheme.commission),
        "promotion": [_promotion_step(scheme, rule, modules) for rule in scheme.promotion],
    }


def _metrics(scheme: Scheme) -> list[dict[str, Any]]:
    """Each metric's weight and its target per level, in the order of the levels."""
    return [
        {
            "key": metric.key,
            "weight": metric.weight,
            "unit": METRIC_UNITS[metric.key],
            "lower_is_better": metric.lower_is_better,
            "targets": [metric.targets.get(level.key) for level in scheme.levels],
        }
        for metric in scheme.metrics
    ]


def _grades(scheme: Scheme) -> list[dict[str, Any]]:
    """The bands best first, each with the score it starts at, the score the band above starts
    at (None for the best) and its multiplier."""
    tops = [None, *(band.min_score for band in scheme.grades)]
    return [
        {
            "key": band.key,
            "min_score": band.min_score,
            "below": top,
            "multiplier": scheme.commission.multipliers[band.key],
        }
        for band, top in zip(scheme.grades, tops, strict=False)
    ]


def _commission(rules: CommissionRules) -> dict[str, Any]:
    """The mode, the tiers as bands (`to_fen` None for the open-ended last), gate and cap."""
    ends = [tier.from_fen for tier in rules.tiers[1:]] + [None]
    return {
        "mode": rules.mode,
        "tiers": [
            {"from_fen": tier.from_fen, "to_fen": end, "rate": tier.rate}
            for tier, end in zip(rules.tiers, ends, strict=True)
        ],
        "gate_factor": rules.gate_factor,
        "cap_fen": rules.cap_fen,
    }


def _promotion_step(
    scheme: Scheme, rule: PromotionRule, modules: Mapping[str, ModuleRule]
) -> dict[str, Any]:
    """One step of the path with its criteria as checklist items (what is required only)."""
    items: list[dict[str, Any]] = []
    if rule.min_months_at_level is not None:
        items.append({"criterion": "months_at_level", "required": rule.min_months_at_level})
    if rule.min_grade is not None and rule.min_quarters_at_grade is not None:
        items.append(
            {
                "criterion": "grade",
                "required": rule.min_quarters_at_grade,
                "min_grade": rule.min_grade,
            }
        )
    if rule.min_on_air_hours is not None:
        items.append({"criterion": "on_air_hours", "required": rule.min_on_air_hours})
    if rule.max_refund_rate is not None:
        items.append({"criterion": "refund_rate", "required": rule.max_refund_rate})
    items += [
        {
            "criterion": "module",
            "module": module.code,
            "required": rule_of(modules, module.code).pass_mark,
            "valid_months": rule_of(modules, module.code).validity_months,
        }
        for module in rule.modules
    ]
    if rule.min_mentees_passed is not None and rule.mentee_module is not None:
        items.append(
            {
                "criterion": "mentees",
                "required": rule.min_mentees_passed,
                "module": rule.mentee_module,
            }
        )
    return {
        "from_name": level_name(scheme.level(rule.from_level)),
        "to_name": level_name(scheme.level(rule.to_level)),
        "window_quarters": rule.window_quarters or 1,
        "items": items,
    }
