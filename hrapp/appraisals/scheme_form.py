"""The scheme editing form: every value of a scheme as one input, addressed by its path.

A scheme's shape (how many levels, tiers, grades, rules and modules) varies, so the form is
built from the document itself: each leaf becomes an input named by its path in the style of
scheme problems (`commission.tiers[1].rate`), which lets every problem the scoring library
reports be shown next to its input. Money is edited in yuan and stored in fen; rates and shares
are edited in percent ("0.5" or "0.5%" is 0.5 %) and stored as the exact decimal. Optional
criteria appear as empty inputs; emptying an input removes the key (a criterion is dropped, a
required value is reported missing). Adding or removing levels, tiers, grades or rules is done
by uploading a TOML document.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from hrapp.appraisals.schemes import flatten
from hrapp.appraisals.sheet import METRIC_LABELS
from hrapp.core.money import parse_yuan, yuan_display, yuan_text

FIELD_PREFIX = "scheme:"
SECTIONS = {
    "name": _l("Name"),
    "levels": _l("Levels"),
    "scoring": _l("Scoring"),
    "metrics": _l("Metrics, weights and targets"),
    "grades": _l("Grade bands"),
    "forced_distribution": _l("Forced distribution (calibration aid)"),
    "commission": _l("Commission tiers and multipliers"),
    "promotion": _l("Promotion rules"),
}
CHOICES = {
    "scoring.method": ("target", "percentile"),
    "commission.mode": ("marginal", "whole"),
}
# Identity of a level, grade or rule: other parts of the document refer to it by this value.
READ_ONLY = re.compile(r"^(levels|grades)\[\d+\]\.key$|^promotion\[\d+\]\.(from|to)_level$")
MONEY = re.compile(r"_fen$|^metrics\.(net_gmv|gmv_per_hour)\.targets\.")
# Rates and shares, which people read in percent; the document keeps the fraction.
PERCENT = re.compile(
    r"\.rate$|\.max_share$|\.max_refund_rate$|^scoring\.attainment_cap$"
    r"|^metrics\.(conversion|refund_rate)\.targets\."
)
HUNDRED = Decimal(100)
OPTIONAL_RULE_KEYS = (
    "min_months_at_level",
    "window_quarters",
    "min_grade",
    "min_quarters_at_grade",
    "min_on_air_hours",
    "max_refund_rate",
    "min_mentees_passed",
    "mentee_module",
)
OPTIONAL_MODULE_KEYS = ("min_score", "valid_months")
# Optional keys whose values are text (exact decimals are text too); the others are numbers.
OPTIONAL_TEXT_KEYS = ("min_grade", "mentee_module", "max_refund_rate")
LIST_SEPARATOR = ","
_INDEX = re.compile(r"\[(\d+)\]")
KEY_LABELS = {
    "name": _l("Scheme name"),
    "name_zh": _l("Name (Chinese)"),
    "name_en": _l("Name (English)"),
    "min_on_air_hours": _l("Minimum on-air hours"),
    "method": _l("Method"),
    "attainment_cap": _l("Attainment counts up to"),
    "max_score": _l("Maximum score"),
    "not_graded_below_hours": _l("Not graded below (hours)"),
    "min_session_minutes": _l("Test streams shorter than (minutes)"),
    "min_cohort_size": _l("Minimum peer cohort"),
    "weight": _l("Weight (points)"),
    "targets": _l("Target"),
    "key": _l("Key"),
    "min_score": _l("Minimum score"),
    "grades": _l("Grades (comma-separated)"),
    "max_share": _l("Maximum share"),
    "mode": _l("Mode"),
    "gate_factor": _l("Hours gate factor"),
    "cap_fen": _l("Cap per quarter (¥)"),
    "from_fen": _l("From net GMV (¥)"),
    "rate": _l("Rate"),
    "multipliers": _l("Multiplier"),
    "from_level": _l("From level"),
    "to_level": _l("To level"),
    "min_months_at_level": _l("Months at level"),
    "window_quarters": _l("Window (quarters)"),
    "min_grade": _l("Minimum grade"),
    "min_quarters_at_grade": _l("Quarters at that grade"),
    "max_refund_rate": _l("Maximum refund rate"),
    "modules": _l("Module"),
    "code": _l("Module code"),
    "valid_months": _l("Valid for (months)"),
    "min_mentees_passed": _l("Mentees who passed"),
    "mentee_module": _l("Mentees' module"),
}


@dataclass(frozen=True)
class SchemeField:
    """One input: its path, what it holds, and the text shown in it."""

    path: str
    kind: str  # number | money | percent | text | choice | list
    value: str
    choices: tuple[str, ...] = ()
    read_only: bool = False

    @property
    def name(self) -> str:
        return FIELD_PREFIX + self.path

    @property
    def section(self) -> str:
        return re.split(r"[.\[]", self.path, maxsplit=1)[0]

    @property
    def label(self) -> str:
        """The last key's label, with the level, grade or tier it belongs to."""
        parts = _INDEX.sub("", self.path).split(".")
        if len(parts) >= 2 and parts[-2] in ("targets", "multipliers"):
            return f"{KEY_LABELS[parts[-2]]}: {parts[-1]}"
        return str(KEY_LABELS.get(parts[-1], parts[-1]))

    @property
    def context(self) -> str:
        """Where the input belongs, e.g. `tiers[1]`, for rows that repeat a label."""
        parts = self.path.split(".")
        return ".".join(parts[1:-1]) if len(parts) > 2 else ""


def _kind(path: str, value: Any) -> tuple[str, tuple[str, ...]]:
    if path in CHOICES:
        return "choice", CHOICES[path]
    if MONEY.search(path):
        return "money", ()
    if PERCENT.search(path):
        return "percent", ()
    if isinstance(value, list):
        return "list", ()
    if isinstance(value, str) or path.rpartition(".")[2] in OPTIONAL_TEXT_KEYS:
        return "text", ()
    return "number", ()


def _shown(kind: str, value: Any) -> str:
    if value is None:
        return ""
    if kind == "money":
        return yuan_text(int(value))
    if kind == "percent":
        return percent_text(value)
    if kind == "list":
        return f"{LIST_SEPARATOR} ".join(str(v) for v in value)
    return str(value)


def _with_optional_keys(data: Mapping[str, Any]) -> dict[str, Any]:
    """Leaves by path, with the optional criteria a document left out as None."""
    leaves = flatten(data)
    commission = data.get("commission", {})
    if isinstance(commission, dict) and "cap_fen" not in commission:
        leaves["commission.cap_fen"] = None
    for index, rule in enumerate(data.get("promotion", [])):
        for key in OPTIONAL_RULE_KEYS:
            leaves.setdefault(f"promotion[{index}].{key}", None)
        for number, module in enumerate(rule.get("modules", [])):
            for key in OPTIONAL_MODULE_KEYS:
                if key not in module:
                    leaves[f"promotion[{index}].modules[{number}].{key}"] = None
    return dict(sorted(leaves.items(), key=lambda item: _order(item[0], data)))


def _order(path: str, data: Mapping[str, Any]) -> tuple[int, ...]:
    """Document order: sections as in SECTIONS, then by position inside each array."""
    sections = list(SECTIONS)
    head = re.split(r"[.\[]", path, maxsplit=1)[0]
    indexes = tuple(int(i) for i in _INDEX.findall(path))
    return (sections.index(head) if head in sections else len(sections), *indexes)


def scheme_fields(data: Mapping[str, Any]) -> list[SchemeField]:
    """The form's inputs for a scheme document given as plain data."""
    fields = []
    for path, value in _with_optional_keys(data).items():
        kind, choices = _kind(path, value)
        fields.append(
            SchemeField(path, kind, _shown(kind, value), choices, bool(READ_ONLY.search(path)))
        )
    return fields


def percent_text(fraction: Any) -> str:
    """A fraction as the number of percent, exactly: "0.005" -> "0.5", 0.25 -> "25"."""
    return f"{(Decimal(str(fraction)) * HUNDRED).normalize():f}"


def parse_percent(text: str, like: Any) -> Any:
    """ "0.5" or "0.5%" as the fraction 0.005, exactly; the type of `like` (the document
    keeps exact rates as decimal text and a few targets as numbers)."""
    cleaned = text.strip().removesuffix("%").removesuffix("％").strip()
    try:
        fraction = Decimal(cleaned) / HUNDRED
    except InvalidOperation:
        raise ValueError(_("not a percentage")) from None
    if not fraction.is_finite():
        raise ValueError(_("not a percentage"))
    if isinstance(like, int | float) and not isinstance(like, bool):
        number = float(fraction)
        if not math.isfinite(number):  # "1e999" is a Decimal but no float
            raise ValueError(_("not a percentage"))
        return number
    return f"{fraction.normalize():f}"


def shown_value(path: str, value: Any) -> str:
    """A document value as people read it: money as yuan with ¥, rates with %."""
    kind, _choices = _kind(path, value)
    if kind == "money" and value is not None:
        return yuan_display(int(value))
    text = _shown(kind, value)
    return f"{text}%" if kind == "percent" and text else text


def field_label(path: str) -> str:
    """A document path in words: the metric or the section, the key's label, and the position
    of a tier, grade or rule (`Commission tiers and multipliers · Rate (3)`)."""
    parts = path.split(".")
    label = SchemeField(path, "text", "").label
    if parts[0] == "metrics" and len(parts) > 2:
        return f"{METRIC_LABELS.get(parts[1], parts[1])} · {label}"
    section = re.split(r"[.\[]", path, maxsplit=1)[0]
    where = ", ".join(str(int(i) + 1) for i in _INDEX.findall(path))
    text = f"{SECTIONS.get(section, section)} · {label}" if section != parts[-1] else label
    return f"{text} ({where})" if where else text


def _parsed(field: SchemeField, text: str, old: Any = None) -> Any:
    """The submitted text as the document's value; ValueError with the reason."""
    if field.kind == "money":
        return parse_yuan(text)
    if field.kind == "percent":
        return parse_percent(text, old)
    if field.kind == "list":
        return [part.strip() for part in text.split(LIST_SEPARATOR) if part.strip()]
    if field.kind == "number":
        try:
            number = float(text)
        except ValueError:
            raise ValueError(_("not a number")) from None
        return int(number) if number.is_integer() and "." not in text else number
    return text


def apply_form(
    data: Mapping[str, Any], form: Mapping[str, str]
) -> tuple[dict[str, Any], list[str]]:
    """The document with the submitted values, and the inputs that could not be read.

    An input missing from the submission keeps its value; an empty one removes the key. An
    unreadable input keeps its old value, so the scheme check still reports everything else.
    """
    leaves = _with_optional_keys(data)
    problems = []
    for field in scheme_fields(data):
        if field.read_only or field.name not in form:
            continue
        text = form[field.name].strip()
        if not text:
            leaves[field.path] = None
            continue
        try:
            leaves[field.path] = _parsed(field, text, leaves.get(field.path))
        except ValueError as exc:
            problems.append(f"{field.path}: {exc}")
    return unflatten({p: v for p, v in leaves.items() if v is not None}), problems


def unflatten(leaves: Mapping[str, Any]) -> dict[str, Any]:
    """The nested document of `flatten`'s leaves (arrays of tables rebuilt in index order)."""
    root: dict[str, Any] = {}
    for path, value in leaves.items():
        node: Any = root
        *steps, last = _steps(path)
        for step, following in zip(steps, [*steps[1:], last], strict=False):
            node = _child(node, step, following)
        node[last] = value
    return root


def _steps(path: str) -> list[str | int]:
    """`promotion[0].modules[4].min_score` -> ["promotion", 0, "modules", 4, "min_score"]."""
    steps: list[str | int] = []
    for part in path.split("."):
        name, *indexes = re.split(r"\[|\]\[?", part.rstrip("]"))
        steps.append(name)
        steps.extend(int(i) for i in indexes)
    return steps


def _child(node: Any, step: str | int, following: str | int) -> Any:
    """The table or array at `step` of `node`, created when missing."""
    if isinstance(step, int):
        node.extend({} for _ in range(step + 1 - len(node)))
        return node[step]
    return node.setdefault(step, [] if isinstance(following, int) else {})


def problems_by_field(problems: list[str]) -> dict[str, list[str]]:
    """Problems keyed by the path they start with (`path: message`); others under ""."""
    keyed: dict[str, list[str]] = {}
    for problem in problems:
        path, _sep, message = problem.partition(": ")
        keyed.setdefault(path if message else "", []).append(message or problem)
    return keyed
