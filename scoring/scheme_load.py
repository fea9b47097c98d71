"""Reading a scheme document: TOML text -> validated, frozen `Scheme`.

Validation never stops at the first problem: every problem is collected as `path: message`
(`commission.tiers[2].rate: must be between 0 and 1`) and raised together in a `SchemeError`,
so an HR form can show them all next to their fields. Required getters return a placeholder
after recording a problem; the placeholder never escapes because any problem raises.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from importlib import resources
from types import MappingProxyType
from typing import Any, TypeVar, cast

from scoring.errors import SchemeError
from scoring.scheme import (
    METRIC_KEYS,
    NOT_GRADED,
    REQUIRED_METRICS,
    CommissionMode,
    CommissionRules,
    DistributionLimit,
    GradeBand,
    Level,
    Metric,
    ModuleRequirement,
    PromotionRule,
    Scheme,
    ScoringMethod,
    ScoringRules,
    Tier,
)

T = TypeVar("T")
Table = Mapping[str, object]
_KEY_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


def load_scheme(text: str) -> Scheme:
    """Parse and validate a TOML scheme document.

    Raises `SchemeError` whose `.problems` lists every problem as `path: message`, e.g.
    `metrics.net_gmv.targets.senior: missing`. Unknown keys are problems too (typos such as
    `wieght` must not be silently ignored).
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SchemeError([f"toml: {error}"]) from None
    reader = _Reader()
    scheme = _scheme(reader, data)
    if reader.problems:
        raise SchemeError(reader.problems)
    return scheme


def default_scheme_text() -> str:
    """The shipped default scheme document, with its comments (the domain guide's defaults)."""
    return resources.files("scoring").joinpath("default_scheme.toml").read_text(encoding="utf-8")


class _Invalid(Exception):
    """A value's problem; the reader turns it into `path: message`."""


class _Absent(dict[str, object]):
    """Stands for a missing or malformed table: its own problem is reported once, not per key."""


class _Reader:
    """Collects problems while reading nested tables."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def keys(self, table: Table, allowed: tuple[str, ...], path: str) -> None:
        for key in table:
            if key not in allowed:
                self.problem(_join(path, key), "unknown key")

    def required(
        self, table: Table, key: str, path: str, convert: Callable[[object], T], placeholder: T
    ) -> T:
        value = self.optional(table, key, path, convert)
        if key not in table and not isinstance(table, _Absent):
            self.problem(_join(path, key), "missing")
        return placeholder if value is None else value

    def optional(
        self, table: Table, key: str, path: str, convert: Callable[[object], T]
    ) -> T | None:
        if key not in table:
            return None
        try:
            return convert(table[key])
        except _Invalid as invalid:
            self.problem(_join(path, key), str(invalid))
            return None

    def table(self, table: Table, key: str, path: str, *, required: bool = True) -> Table:
        if key not in table:
            if required and not isinstance(table, _Absent):
                self.problem(_join(path, key), "missing")
            return _Absent()
        value = table[key]
        if not isinstance(value, dict):
            self.problem(_join(path, key), "must be a table")
            return _Absent()
        return cast(Table, value)

    def tables(self, table: Table, key: str, path: str, *, required: bool = True) -> list[Table]:
        """An array of tables; a missing optional array reads as empty."""
        if key not in table:
            if required and not isinstance(table, _Absent):
                self.problem(_join(path, key), "missing")
            return []
        value = table[key]
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            self.problem(_join(path, key), "must be an array of tables")
            return []
        return cast(list[Table], value)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


# -- value converters: each raises _Invalid with the message shown to the user -----------------


def _text(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Invalid("must be a non-empty string")
    return value


def _key(value: object) -> str:
    text = _text(value)
    if not _KEY_PATTERN.match(text):
        raise _Invalid("must start with a letter and contain only letters, digits, '_' or '-'")
    return text


def _choice(*choices: str) -> Callable[[object], str]:
    def convert(value: object) -> str:
        if value not in choices:
            raise _Invalid(f"must be one of {', '.join(repr(c) for c in choices)}")
        return str(value)

    return convert


def _check_range(value: Any, low: Any, high: Any) -> None:
    if low is not None and high is not None and not low <= value <= high:
        raise _Invalid(f"must be between {low} and {high}")
    if low is not None and value < low:
        raise _Invalid(f"must be at least {low}")
    if high is not None and value > high:
        raise _Invalid(f"must be at most {high}")


def _integer(low: int | None = None, high: int | None = None) -> Callable[[object], int]:
    def convert(value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Invalid("must be an integer")
        _check_range(value, low, high)
        return value

    return convert


def _finite(value: int | float) -> bool:
    """Whether a number is one a float can hold (an integer beyond 1e308 is not)."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _number(low: float | None = None, high: float | None = None) -> Callable[[object], float]:
    def convert(value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not _finite(value):
            raise _Invalid("must be a number")
        _check_range(value, low, high)
        return float(value)

    return convert


def _positive(value: object) -> float:
    number = _number()(value)
    if number <= 0:
        raise _Invalid("must be greater than 0")
    return number


def _decimal(
    low: Decimal | None = None, high: Decimal | None = None
) -> Callable[[object], Decimal]:
    def convert(value: object) -> Decimal:
        if isinstance(value, float):
            raise _Invalid(
                f'must be an exact decimal string such as "{value}" (a TOML float is not exact)'
            )
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise _Invalid('must be a decimal string such as "0.005"')
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise _Invalid(f"not a decimal number: {value!r}") from None
        if not number.is_finite():
            raise _Invalid("must be a finite decimal number")
        _check_range(number, low, high)
        return number

    return convert


def _string_list(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise _Invalid("must be a non-empty array of strings")
    return tuple(value)


# -- sections ---------------------------------------------------------------------------------

_TOP_KEYS = (
    "name",
    "levels",
    "scoring",
    "metrics",
    "grades",
    "forced_distribution",
    "commission",
    "promotion",
)


def _scheme(reader: _Reader, data: Table) -> Scheme:
    # Sections are read in document order, so problems are listed in that order too.
    reader.keys(data, _TOP_KEYS, "")
    name = reader.required(data, "name", "", _text, "")
    levels = _levels(reader, data)
    level_keys = tuple(level.key for level in levels)
    scoring = _scoring(reader, reader.table(data, "scoring", ""))
    metrics = _metrics(reader, reader.table(data, "metrics", ""), level_keys)
    grades = _grades(reader, data)
    grade_keys = tuple(band.key for band in grades)
    return Scheme(
        name=name,
        levels=levels,
        scoring=scoring,
        metrics=metrics,
        grades=grades,
        forced_distribution=_distribution(reader, data, grade_keys),
        commission=_commission(reader, reader.table(data, "commission", ""), grade_keys),
        promotion=_promotions(reader, data, level_keys, grade_keys),
    )


def _levels(reader: _Reader, data: Table) -> tuple[Level, ...]:
    tables = reader.tables(data, "levels", "")
    if "levels" in data and not tables:
        reader.problem("levels", "at least one level is required")
    levels = []
    for index, table in enumerate(tables):
        path = f"levels[{index}]"
        reader.keys(table, ("key", "name_zh", "name_en", "min_on_air_hours"), path)
        levels.append(
            Level(
                key=reader.required(table, "key", path, _key, ""),
                name_zh=reader.required(table, "name_zh", path, _text, ""),
                name_en=reader.required(table, "name_en", path, _text, ""),
                min_on_air_hours=reader.required(table, "min_on_air_hours", path, _integer(0), 0),
            )
        )
    _unique(reader, [level.key for level in levels], "levels", "key")
    return tuple(levels)


def _unique(reader: _Reader, keys: list[str], path: str, field: str) -> None:
    for index, key in enumerate(keys):
        if key and key in keys[:index]:
            reader.problem(f"{path}[{index}].{field}", f"duplicate {key!r}")


def _scoring(reader: _Reader, table: Table) -> ScoringRules:
    path = "scoring"
    reader.keys(table, tuple(ScoringRules.__dataclass_fields__), path)
    method = reader.required(table, "method", path, _choice("target", "percentile"), "target")
    return ScoringRules(
        method=cast(ScoringMethod, method),
        attainment_cap=reader.required(table, "attainment_cap", path, _number(1), 1.0),
        max_score=reader.required(table, "max_score", path, _positive, 1.0),
        not_graded_below_hours=reader.required(
            table, "not_graded_below_hours", path, _integer(0), 0
        ),
        min_session_minutes=reader.required(table, "min_session_minutes", path, _integer(0), 0),
        min_cohort_size=reader.required(table, "min_cohort_size", path, _integer(1), 1),
    )


def _metrics(reader: _Reader, table: Table, level_keys: tuple[str, ...]) -> tuple[Metric, ...]:
    for key in table:
        if key not in METRIC_KEYS:
            reader.problem(f"metrics.{key}", f"unknown metric (known: {', '.join(METRIC_KEYS)})")
    for key in REQUIRED_METRICS:
        if key not in table:
            reader.problem(f"metrics.{key}", "missing")
    metrics = []
    for key in (key for key in table if key in METRIC_KEYS):
        path = f"metrics.{key}"
        metric_table = reader.table(table, key, "metrics")
        reader.keys(metric_table, ("weight", "targets"), path)
        metrics.append(
            Metric(
                key=key,
                weight=reader.required(metric_table, "weight", path, _number(0), 0.0),
                targets=_targets(
                    reader,
                    reader.table(metric_table, "targets", path),
                    f"{path}.targets",
                    level_keys,
                ),
            )
        )
    return tuple(metrics)


def _targets(
    reader: _Reader, table: Table, path: str, level_keys: tuple[str, ...]
) -> Mapping[str, float]:
    reader.keys(table, level_keys, path)
    return MappingProxyType(
        {key: reader.required(table, key, path, _positive, 1.0) for key in level_keys}
    )


def _grades(reader: _Reader, data: Table) -> tuple[GradeBand, ...]:
    tables = reader.tables(data, "grades", "")
    bands = []
    for index, table in enumerate(tables):
        path = f"grades[{index}]"
        reader.keys(table, ("key", "min_score"), path)
        key = reader.required(table, "key", path, _key, "")
        if key == NOT_GRADED:
            reader.problem(f"{path}.key", f"{NOT_GRADED!r} is reserved")
        bands.append(GradeBand(key, reader.required(table, "min_score", path, _number(0), 0.0)))
    _unique(reader, [band.key for band in bands], "grades", "key")
    for index in range(1, len(bands)):
        if bands[index].min_score >= bands[index - 1].min_score:
            reader.problem(
                f"grades[{index}].min_score", "must be below the previous band's (best grade first)"
            )
    if "grades" in data and not bands:
        reader.problem("grades", "at least one grade is required")
    elif bands and bands[-1].min_score != 0:
        reader.problem(f"grades[{len(bands) - 1}].min_score", "the last band must start at 0")
    return tuple(bands)


def _distribution(
    reader: _Reader, data: Table, grade_keys: tuple[str, ...]
) -> tuple[DistributionLimit, ...]:
    limits = []
    for index, table in enumerate(reader.tables(data, "forced_distribution", "", required=False)):
        path = f"forced_distribution[{index}]"
        reader.keys(table, ("grades", "max_share"), path)
        grades: tuple[str, ...] = reader.required(table, "grades", path, _string_list, ())
        for grade in grades:
            if grade not in grade_keys:
                reader.problem(f"{path}.grades", f"unknown grade {grade!r}")
        max_share = reader.required(
            table, "max_share", path, _decimal(Decimal(0), Decimal(1)), Decimal(0)
        )
        limits.append(DistributionLimit(grades, max_share))
    return tuple(limits)


def _commission(reader: _Reader, table: Table, grade_keys: tuple[str, ...]) -> CommissionRules:
    path = "commission"
    reader.keys(table, ("mode", "gate_factor", "cap_fen", "tiers", "multipliers"), path)
    mode = reader.required(table, "mode", path, _choice("marginal", "whole"), "marginal")
    factor = _decimal(Decimal(0), Decimal(1))
    gate_factor = reader.required(table, "gate_factor", path, factor, Decimal(1))
    cap_fen = reader.optional(table, "cap_fen", path, _integer(0))
    return CommissionRules(
        mode=cast(CommissionMode, mode),
        tiers=_tiers(reader, reader.tables(table, "tiers", path)),
        multipliers=_multipliers(reader, reader.table(table, "multipliers", path), grade_keys),
        gate_factor=gate_factor,
        cap_fen=cap_fen,
    )


def _tiers(reader: _Reader, tables: list[Table]) -> tuple[Tier, ...]:
    tiers = []
    for index, table in enumerate(tables):
        path = f"commission.tiers[{index}]"
        reader.keys(table, ("from_fen", "rate"), path)
        tiers.append(
            Tier(
                from_fen=reader.required(table, "from_fen", path, _integer(0), 0),
                rate=reader.required(
                    table, "rate", path, _decimal(Decimal(0), Decimal(1)), Decimal(0)
                ),
            )
        )
    if tiers and tiers[0].from_fen != 0:
        reader.problem("commission.tiers[0].from_fen", "the first tier must start at 0")
    for index in range(1, len(tiers)):
        if tiers[index].from_fen <= tiers[index - 1].from_fen:
            reader.problem(
                f"commission.tiers[{index}].from_fen", "must be above the previous tier's"
            )
    return tuple(tiers)


def _multipliers(
    reader: _Reader, table: Table, grade_keys: tuple[str, ...]
) -> Mapping[str, Decimal]:
    path = "commission.multipliers"
    keys = (*grade_keys, NOT_GRADED)
    reader.keys(table, keys, path)
    factor = _decimal(Decimal(0), Decimal(10))
    return MappingProxyType(
        {key: reader.required(table, key, path, factor, Decimal(1)) for key in keys}
    )


_PROMOTION_KEYS = (
    "from_level",
    "to_level",
    "min_months_at_level",
    "window_quarters",
    "min_grade",
    "min_quarters_at_grade",
    "min_on_air_hours",
    "max_refund_rate",
    "modules",
    "min_mentees_passed",
    "mentee_module",
)


def _promotions(
    reader: _Reader, data: Table, level_keys: tuple[str, ...], grade_keys: tuple[str, ...]
) -> tuple[PromotionRule, ...]:
    rules = []
    for index, table in enumerate(reader.tables(data, "promotion", "", required=False)):
        path = f"promotion[{index}]"
        reader.keys(table, _PROMOTION_KEYS, path)
        rule = PromotionRule(
            from_level=reader.required(table, "from_level", path, _choice(*level_keys), ""),
            to_level=reader.required(table, "to_level", path, _choice(*level_keys), ""),
            min_months_at_level=reader.optional(table, "min_months_at_level", path, _integer(0)),
            window_quarters=reader.optional(table, "window_quarters", path, _integer(1, 40)),
            min_grade=reader.optional(table, "min_grade", path, _choice(*grade_keys)),
            min_quarters_at_grade=reader.optional(
                table, "min_quarters_at_grade", path, _integer(1)
            ),
            min_on_air_hours=reader.optional(table, "min_on_air_hours", path, _integer(0)),
            max_refund_rate=reader.optional(
                table, "max_refund_rate", path, _decimal(Decimal(0), Decimal(1))
            ),
            modules=_modules(reader, reader.tables(table, "modules", path, required=False), path),
            min_mentees_passed=reader.optional(table, "min_mentees_passed", path, _integer(1)),
            mentee_module=reader.optional(table, "mentee_module", path, _key),
        )
        _check_promotion(reader, rule, table, path, level_keys)
        rules.append(rule)
    _unique(reader, [rule.from_level for rule in rules], "promotion", "from_level")
    return tuple(rules)


def _check_promotion(
    reader: _Reader, rule: PromotionRule, table: Table, path: str, level_keys: tuple[str, ...]
) -> None:
    """Cross-field rules: the step follows the path; the window exists where criteria need it."""
    if rule.from_level in level_keys and rule.to_level in level_keys:
        position = level_keys.index(rule.from_level)
        if position + 1 >= len(level_keys) or level_keys[position + 1] != rule.to_level:
            reader.problem(f"{path}.to_level", f"must be the level after {rule.from_level!r}")
    grade_rule = ("min_grade", "min_quarters_at_grade")
    if any(key in table for key in grade_rule) and not all(key in table for key in grade_rule):
        reader.problem(path, "min_grade and min_quarters_at_grade go together")
    needs_window = [
        key for key in (*grade_rule, "min_on_air_hours", "max_refund_rate") if key in table
    ]
    if needs_window and "window_quarters" not in table:
        reader.problem(f"{path}.window_quarters", f"missing (needed by {', '.join(needs_window)})")
    if (
        rule.window_quarters
        and rule.min_quarters_at_grade
        and rule.min_quarters_at_grade > rule.window_quarters
    ):
        reader.problem(f"{path}.min_quarters_at_grade", "must not exceed window_quarters")
    if ("min_mentees_passed" in table) != ("mentee_module" in table):
        reader.problem(path, "min_mentees_passed and mentee_module go together")


# A module's pass mark and validity are the curriculum's, not a scheme's: a document that
# sets them here is told where they belong rather than "unknown key".
CURRICULUM_KEYS = ("min_score", "valid_months")


def _modules(reader: _Reader, tables: list[Table], rule_path: str) -> tuple[ModuleRequirement, ...]:
    modules = []
    for index, table in enumerate(tables):
        path = f"{rule_path}.modules[{index}]"
        for key in CURRICULUM_KEYS:
            if key in table:
                reader.problem(f"{path}.{key}", "set in the curriculum, not in the scheme")
        reader.keys({k: v for k, v in table.items() if k not in CURRICULUM_KEYS}, ("code",), path)
        modules.append(ModuleRequirement(code=reader.required(table, "code", path, _key, "")))
    _unique(reader, [module.code for module in modules], f"{rule_path}.modules", "code")
    return tuple(modules)
