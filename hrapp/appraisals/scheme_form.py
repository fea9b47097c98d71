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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from hrapp.appraisals.schemes import Change, flatten
from hrapp.appraisals.sheet import METRIC_LABELS
from hrapp.core import labels
from hrapp.core.messages import Message, coded, message, money, render
from hrapp.core.money import parse_yuan, yuan_display, yuan_text

FIELD_PREFIX = "scheme:"
SECTIONS = {
    "name": _l("Scheme name"),
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
# The label kind of each choice's codes.
CHOICE_KINDS = {"scoring.method": "scoring_method", "commission.mode": "commission_mode"}
labels.register(
    "scoring_method",
    {"target": _l("Target attainment"), "percentile": _l("Peer percentile")},
)
labels.register(
    "commission_mode",
    {"marginal": _l("Marginal tiers"), "whole": _l("Whole-amount tiers")},
)
NOT_GRADED = "not_graded"  # scoring's key of the multiplier for streamers not graded
# Paths whose value is a level's key.
LEVEL_VALUE = re.compile(r"^promotion\[\d+\]\.(from|to)_level$|^levels\[\d+\]\.key$")
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
    context: str = ""  # the level, tier, rule or module the input belongs to, in words

    @property
    def name(self) -> str:
        return FIELD_PREFIX + self.path

    @property
    def section(self) -> str:
        return re.split(r"[.\[]", self.path, maxsplit=1)[0]

    @property
    def label(self) -> str:
        """The last key's label, with the level or grade a target or multiplier is for."""
        parts = _INDEX.sub("", self.path).split(".")
        if len(parts) >= 2 and parts[-2] == "targets":
            return f"{KEY_LABELS['targets']}: {labels.label('level', parts[-1])}"
        if len(parts) >= 2 and parts[-2] == "multipliers":
            grade = _("Not graded") if parts[-1] == NOT_GRADED else parts[-1]
            return f"{KEY_LABELS['multipliers']}: {grade}"
        return str(KEY_LABELS.get(parts[-1], parts[-1]))

    @property
    def choice_labels(self) -> list[tuple[str, str]]:
        """(code, label) of each choice."""
        kind = CHOICE_KINDS.get(self.path)
        return [(c, labels.label(kind, c) if kind else c) for c in self.choices]

    @property
    def shown(self) -> str:
        """A read-only value in words: a level by its label."""
        if LEVEL_VALUE.search(self.path):
            return labels.label("level", self.value)
        return self.value


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
    for index in range(len(data.get("promotion", []))):
        for key in OPTIONAL_RULE_KEYS:
            leaves.setdefault(f"promotion[{index}].{key}", None)
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
        read_only = bool(READ_ONLY.search(path))
        context = _context(path, data)
        fields.append(SchemeField(path, kind, _shown(kind, value), choices, read_only, context))
    return fields


def _context(path: str, data: Mapping[str, Any]) -> str:
    """Where an input belongs, for rows that repeat a label: the metric, the level or grade,
    the tier, the promotion step and its module (`Senior streamer → Training mentor · MENTOR-1`)."""
    steps = _steps(path)
    words: list[str] = []
    node: Any = data
    for at, step in enumerate(steps[:-1]):
        following = steps[at + 1]
        node = _at(node, step)
        if not isinstance(following, int):
            if steps[0] == "metrics" and at == 1:
                words.append(str(METRIC_LABELS.get(str(step), step)))
            continue
        item = _at(node, following)
        words.append(_item_words(str(step), following, item))
    return " · ".join(w for w in words if w)


def _at(node: Any, step: str | int) -> Any:
    try:
        return node[step]
    except (KeyError, IndexError, TypeError):
        return {}


def _item_words(array: str, index: int, item: Any) -> str:
    """One element of an array of tables in words."""
    get = item.get if isinstance(item, Mapping) else (lambda _key: None)
    if array == "levels":
        return labels.label("level", get("key") or "") or str(index + 1)
    if array == "grades":
        return _("Grade %(key)s", key=get("key") or index + 1)
    if array == "tiers":
        return _("Tier %(n)d", n=index + 1)
    if array == "promotion":
        return _(
            "%(current)s → %(next)s",
            current=labels.label("level", get("from_level") or ""),
            next=labels.label("level", get("to_level") or ""),
        )
    if array == "modules":
        return str(get("code") or _("Module %(n)d", n=index + 1))
    return _("Limit %(n)d", n=index + 1)


def percent_text(fraction: Any) -> str:
    """A fraction as the number of percent, exactly: "0.005" -> "0.5", 0.25 -> "25"."""
    return f"{(Decimal(str(fraction)) * HUNDRED).normalize():f}"


class Unreadable(ValueError):
    """An input's text cannot be read; ``reason`` says why, as a message."""

    def __init__(self, reason: Message) -> None:
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return render(self.reason)


def parse_percent(text: str, like: Any) -> Any:
    """ "0.5" or "0.5%" as the fraction 0.005, exactly; the type of `like` (the document
    keeps exact rates as decimal text and a few targets as numbers)."""
    cleaned = text.strip().removesuffix("%").removesuffix("％").strip()
    unreadable = Unreadable(message("Not a percentage: “%(text)s”.", text=text))
    try:
        fraction = Decimal(cleaned) / HUNDRED
    except InvalidOperation:
        raise unreadable from None
    if not fraction.is_finite():
        raise unreadable
    if isinstance(like, int | float) and not isinstance(like, bool):
        number = float(fraction)
        if not math.isfinite(number):  # "1e999" is a Decimal but no float
            raise unreadable
        return number
    return f"{fraction.normalize():f}"


def shown_value(path: str, value: Any) -> str:
    """A document value as people read it: money as yuan with ¥, rates with %."""
    kind, _choices = _kind(path, value)
    if kind == "money" and value is not None:
        return yuan_display(int(value))
    if path in CHOICE_KINDS and isinstance(value, str):
        return labels.label(CHOICE_KINDS[path], value)
    if LEVEL_VALUE.search(path) and isinstance(value, str):
        return labels.label("level", value)
    text = _shown(kind, value)
    return f"{text}%" if kind == "percent" and text else text


def field_label(path: str) -> str:
    """A document path in words: the metric or the section, the key's label, and the position
    of a tier, grade or rule (`Commission tiers and multipliers · Rate (3)`)."""
    parts = path.split(".")
    label = SchemeField(path, "text", "").label
    if parts[0] == "metrics" and len(parts) > 2:
        return f"{METRIC_LABELS.get(parts[1], parts[1])} · {label}"
    if parts[0] == "metrics" and len(parts) == 2:  # a whole metric
        return f"{SECTIONS['metrics']} · {METRIC_LABELS.get(parts[1], parts[1])}"
    section = re.split(r"[.\[]", path, maxsplit=1)[0]
    where = ", ".join(str(int(i) + 1) for i in _INDEX.findall(path))
    if _INDEX.sub("", path) == section:  # a section, or one of its elements, as a whole
        text = str(SECTIONS.get(section, section))
    elif section != parts[-1]:
        text = f"{SECTIONS.get(section, section)} · {label}"
    else:
        text = label
    return f"{text} ({where})" if where else text


@dataclass(frozen=True)
class ShownChange:
    """One difference between two versions as the comparison shows it: in the editor's words,
    with money in yuan and rates in percent, so that it reads like the form."""

    path: str
    old: Any
    new: Any
    label: str
    old_text: str
    new_text: str


def shown_changes(changes: Iterable[Change]) -> list[ShownChange]:
    return [
        ShownChange(
            c.path,
            c.old,
            c.new,
            field_label(c.path),
            shown_value(c.path, c.old),
            shown_value(c.path, c.new),
        )
        for c in changes
    ]


def _parsed(field: SchemeField, text: str, old: Any = None) -> Any:
    """The submitted text as the document's value; Unreadable with the reason."""
    if field.kind == "money":
        try:
            return parse_yuan(text)
        except ValueError:
            raise Unreadable(
                message("Not an amount in yuan with at most two decimals: “%(text)s”.", text=text)
            ) from None
    if field.kind == "percent":
        return parse_percent(text, old)
    if field.kind == "list":
        return [part.strip() for part in text.split(LIST_SEPARATOR) if part.strip()]
    if field.kind == "number":
        try:
            number = float(text)
        except ValueError:
            raise Unreadable(message("Not a number: “%(text)s”.", text=text)) from None
        if not math.isfinite(number):  # "inf", "nan", "1e309"
            raise Unreadable(message("Not a number: “%(text)s”.", text=text))
        return int(number) if number.is_integer() and "." not in text else number
    return text


def apply_form(
    data: Mapping[str, Any], form: Mapping[str, str]
) -> tuple[dict[str, Any], list[SchemeProblem]]:
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
        except Unreadable as exc:
            problems.append(SchemeProblem(field.path, exc.reason))
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


def problems_by_field(problems: list[SchemeProblem]) -> dict[str, list[SchemeProblem]]:
    """Problems keyed by the path of their input; problems of the whole document under ""."""
    keyed: dict[str, list[SchemeProblem]] = {}
    for problem in problems:
        keyed.setdefault(problem.path, []).append(problem)
    return keyed


# --- problems -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SchemeProblem:
    """One reason a scheme is refused: the input (a document path, "" for the whole document)
    and why, as a message in the reader's language."""

    path: str
    reason: Message | str

    @property
    def label(self) -> str:
        return field_label(self.path) if self.path else ""

    @property
    def text(self) -> str:
        return f"{self.label}: {render(self.reason)}" if self.path else render(self.reason)


# The scoring library states a scheme's problems in English as `path: message` (it stays free
# of the web app); each of its messages, recognised here, is said again as a message of ours.
_SCORING_PROBLEMS: tuple[tuple[re.Pattern[str], Message], ...] = tuple(
    (re.compile(pattern), reason)
    for pattern, reason in (
        ("unknown key", message("This key is not part of a scheme.")),
        ("missing", message("A value is required.")),
        (r"missing \(needed by (?P<keys>.+)\)", message("A value is required by %(keys)s.")),
        ("must be a table", message("Must be a table of values.")),
        ("must be an array of tables", message("Must be a list of tables.")),
        ("must be a non-empty string", message("Must be a text that is not empty.")),
        (
            "must start with a letter and contain only letters, digits, '_' or '-'",
            message("Must start with a letter and contain only letters, digits, “_” or “-”."),
        ),
        ("must be one of (?P<choices>.+)", message("Must be one of %(choices)s.")),
        (
            r"must be between (?P<low>\S+) and (?P<high>\S+)",
            message("Must be between %(low)s and %(high)s."),
        ),
        (r"must be at least (?P<low>\S+)", message("Must be at least %(low)s.")),
        (r"must be at most (?P<high>\S+)", message("Must be at most %(high)s.")),
        ("must be an integer", message("Must be a whole number.")),
        ("must be a number", message("Must be a number.")),
        ("must be greater than 0", message("Must be greater than 0.")),
        (
            r'must be an exact decimal string such as "(?P<value>.*)" '
            r"\(a TOML float is not exact\)",
            message("Must be an exact decimal written as text, such as “%(value)s”."),
        ),
        (
            'must be a decimal string such as "0.005"',
            message("Must be a decimal number written as text, such as “0.005”."),
        ),
        ("not a decimal number: (?P<value>.*)", message("Not a decimal number: “%(value)s”.")),
        ("must be a finite decimal number", message("Must be a finite decimal number.")),
        ("must be a non-empty array of strings", message("Must be a list of one or more texts.")),
        ("at least one level is required", message("At least one level is required.")),
        ("duplicate (?P<value>.+)", message("“%(value)s” appears more than once.")),
        (r"unknown metric \(known: (?P<known>.+)\)", message("Unknown metric (known: %(known)s).")),
        ("(?P<value>.+) is reserved", message("“%(value)s” is reserved.")),
        (
            r"must be below the previous band's \(best grade first\)",
            message("Must be below the minimum score of the band before it (best grade first)."),
        ),
        ("at least one grade is required", message("At least one grade is required.")),
        ("the last band must start at 0", message("The last band must start at 0.")),
        ("unknown grade (?P<value>.+)", message("Unknown grade “%(value)s”.")),
        ("the first tier must start at 0", message("The first tier must start at ¥0.")),
        (
            "must be above the previous tier's",
            message("Must be above the start of the tier before it."),
        ),
        ("must be the level after (?P<level>.+)", message("Must be the level after %(level)s.")),
        (
            "min_grade and min_quarters_at_grade go together",
            message("Give both the minimum grade and the quarters at that grade, or neither."),
        ),
        ("must not exceed window_quarters", message("Must not exceed the window (quarters).")),
        (
            "set in the curriculum, not in the scheme",
            message(
                "A module's pass mark and validity are set in the curriculum (the module's "
                "page under Training), not in the scheme."
            ),
        ),
        (
            "min_mentees_passed and mentee_module go together",
            message("Give both the mentees who passed and the mentees' module, or neither."),
        ),
    )
)


def scheme_problems(texts: list[str]) -> list[SchemeProblem]:
    """The scoring library's `path: message` problems as messages of the reader's language; a
    message not recognised is kept as written."""
    return [_scheme_problem(text) for text in texts]


def _scheme_problem(text: str) -> SchemeProblem:
    path, _sep, said = text.partition(": ")
    if not said:
        return SchemeProblem("", text)
    if path == "toml":
        return SchemeProblem("", message("The document is not valid TOML: %(error)s", error=said))
    for pattern, reason in _SCORING_PROBLEMS:
        found = pattern.fullmatch(said)
        if found:
            params = {k: _param(path, k, v) for k, v in found.groupdict().items()}
            return SchemeProblem(path, message(reason["id"], **params) if params else reason)
    return SchemeProblem(path, said)


def _param(path: str, name: str, value: str) -> Any:
    """A fact of scoring's message as the page shows it: levels by label, bounds in the unit of
    the input (percent, yuan), keys by their labels, quoted values without Python's quotes."""
    value = _unquoted(value)
    if name == "level":
        return coded("level", value)
    if name in ("low", "high"):
        kind, _choices = _kind(path, None)
        if kind == "percent":
            return f"{percent_text(value)}%"
        if kind == "money":
            return money(int(Decimal(value)))
        return value
    if name == "keys":
        return [str(KEY_LABELS.get(key.strip(), key.strip())) for key in value.split(",")]
    return value


def _unquoted(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value
