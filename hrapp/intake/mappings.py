"""Column mappings: how HR tells the session import what an unfamiliar export's columns mean.

A mapping is the TOML document of domain.md ("Column mappings"): a name, the platform the
accounts belong to, an optional currency and time zone, and ``[columns]`` naming for each file
header the canonical template field it feeds (`hrapp sessions template`). `read_mapping` checks a
document and reports every problem at once; `mapping_profile` turns a mapping into a session
parsing profile, so a mapped file is read exactly like a recognised export (header row search,
cell readers, checks); `suggest_field` proposes a field for a header from its spelling and the
shape of its values.

No Flask, no database: the saved mappings live in `mapping_store`, the page in `mapping_views`.
"""

from __future__ import annotations

import re
import tomllib
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hrapp.core.labels import PLATFORMS
from hrapp.core.message_data import Message, message
from hrapp.intake.headers import SYNONYMS, header_key, normalize_header
from hrapp.live_sessions.parsing.profiles import (
    CURRENCY_EXPONENTS,
    TEMPLATE,
    FieldSpec,
    Kind,
    Profile,
)

MAPPING_FORMAT = "mapping"  # the format code of a batch read with a column mapping
# Template column → how its cells are read. The platform is the mapping's, never a column.
FIELD_SPECS: dict[str, FieldSpec] = {
    spec.aliases[0]: spec for spec in TEMPLATE.fields if spec.kind is not Kind.PLATFORM
}
FIELDS = tuple(FIELD_SPECS)
REQUIRED_FIELDS = ("account_id", "started_at", "gmv")
MAX_NAME_LENGTH = 100
# What a bare number means in a duration column whose header names its unit, e.g. 时长(分钟).
_DURATION_UNITS = {
    "秒": 1,
    "s": 1,
    "sec": 1,
    "秒钟": 1,
    "分钟": 60,
    "分": 60,
    "min": 60,
    "mins": 60,
    "minutes": 60,
    "小时": 3600,
    "h": 3600,
    "hours": 3600,
}
_BRACKETED = re.compile(r"(?P<base>.+?)\((?P<unit>[^()]+)\)")


class MappingError(ValueError):
    """A mapping document that cannot be used; ``problems`` says every reason."""

    def __init__(self, problems: list[Message]) -> None:
        super().__init__("; ".join(str(p["id"]) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class ColumnMapping:
    """A checked mapping: file header → template field, in the document's order."""

    name: str
    platform: str
    columns: tuple[tuple[str, str], ...]
    currency: str | None = None  # None: the organisation's currency
    timezone: str | None = None  # None: the organisation's time zone

    @property
    def fields(self) -> dict[str, str]:
        """Template field → the file header that feeds it."""
        return {field: header for header, field in self.columns}

    def header_key(self) -> str:
        """The mapped headers, normalised and sorted: files whose header row holds all of
        them are read with this mapping."""
        return "\n".join(sorted(normalize_header(h) for h, _f in self.columns))

    def to_document(self) -> dict[str, Any]:
        document: dict[str, Any] = {"name": self.name, "platform": self.platform}
        if self.currency:
            document["currency"] = self.currency
        if self.timezone:
            document["timezone"] = self.timezone
        document["columns"] = dict(self.columns)
        return document


def read_mapping(text: str) -> ColumnMapping:
    """A mapping from its TOML text; MappingError listing every problem."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise MappingError(
            [message("The mapping is not valid TOML: %(error)s.", error=str(error))]
        ) from None
    return mapping_from_document(document)


def mapping_from_document(document: Mapping[str, Any]) -> ColumnMapping:
    """Check a mapping document (parsed TOML or a submitted form); MappingError lists every
    problem: unknown keys, fields or platform, a missing required field, a field fed twice."""
    problems: list[Message] = []
    unknown_keys = sorted(set(document) - {"name", "platform", "currency", "timezone", "columns"})
    if unknown_keys:
        problems.append(message("Unknown setting(s) in the mapping: %(keys)s.", keys=unknown_keys))
    name = _text(document.get("name"))
    if not name:
        problems.append(message("The mapping needs a name."))
    elif len(name) > MAX_NAME_LENGTH:
        problems.append(
            message("The mapping's name is longer than %(n)d characters.", n=MAX_NAME_LENGTH)
        )
    platform = _text(document.get("platform"))
    if platform not in PLATFORMS:
        problems.append(
            message(
                "Unknown platform “%(platform)s”; expected one of %(known)s.",
                platform=platform,
                known=list(PLATFORMS),
            )
        )
    currency = _text(document.get("currency")).upper() or None
    if currency is not None and currency not in CURRENCY_EXPONENTS:
        problems.append(
            message(
                "Unknown currency “%(currency)s”; expected one of %(known)s.",
                currency=currency,
                known=list(CURRENCY_EXPONENTS),
            )
        )
    timezone = _text(document.get("timezone")) or None
    if timezone is not None and not _known_zone(timezone):
        problems.append(message("Unknown time zone “%(zone)s”.", zone=timezone))
    columns = _columns(document.get("columns"), problems)
    if problems:
        raise MappingError(problems)
    return ColumnMapping(name, platform, columns, currency, timezone)


def _columns(raw: object, problems: list[Message]) -> tuple[tuple[str, str], ...]:
    if not isinstance(raw, Mapping) or not raw:
        problems.append(message("The mapping names no columns ([columns] header = field)."))
        return ()
    columns: list[tuple[str, str]] = []
    fed_by: dict[str, str] = {}
    seen_headers: dict[str, str] = {}
    for header, field in raw.items():
        header, field = str(header).strip(), _text(field)
        if not field:  # a column left unmapped on the form
            continue
        if field not in FIELD_SPECS:
            problems.append(
                message(
                    "The column “%(column)s” names an unknown field “%(field)s”; expected one "
                    "of %(known)s.",
                    column=header,
                    field=field,
                    known=list(FIELDS),
                )
            )
            continue
        key = normalize_header(header)
        if not key:
            problems.append(message("A column without a header cannot be mapped."))
            continue
        if key in seen_headers:
            problems.append(
                message("The column “%(column)s” is mapped twice.", column=seen_headers[key])
            )
            continue
        if field in fed_by:
            problems.append(
                message(
                    "The field “%(field)s” is fed by two columns: %(columns)s.",
                    field=field,
                    columns=[fed_by[field], header],
                )
            )
            continue
        seen_headers[key], fed_by[field] = header, header
        columns.append((header, field))
    missing = [f for f in REQUIRED_FIELDS if f not in fed_by]
    if missing:
        problems.append(
            message("No column is mapped to the required field(s) %(fields)s.", fields=missing)
        )
    return tuple(columns)


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _known_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def mapping_toml(mapping: ColumnMapping) -> str:
    """The mapping as the TOML document `read_mapping` reads back."""
    lines = [f"name = {_toml_string(mapping.name)}", f"platform = {_toml_string(mapping.platform)}"]
    if mapping.currency:
        lines.append(f"currency = {_toml_string(mapping.currency)}")
    if mapping.timezone:
        lines.append(f"timezone = {_toml_string(mapping.timezone)}")
    lines.append("")
    lines.append("[columns]")
    lines += [f"{_toml_string(h)} = {_toml_string(f)}" for h, f in mapping.columns]
    return "\n".join(lines) + "\n"


def _toml_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in escaped)
    return f'"{escaped}"'


def mapping_profile(mapping: ColumnMapping, default_currency: str = "CNY") -> Profile:
    """The session-parsing profile that reads a file the way `mapping` says.

    Every mapped header is the one alias of its field; the template field's reader applies (a
    duration's bare numbers are read in the unit the header's bracket names, e.g. 时长(分钟),
    else the template's unit). The required fields are the template's.
    """
    specs = []
    for header, field in mapping.columns:
        template = FIELD_SPECS[field]
        unit = template.unit_seconds
        if template.kind is Kind.DURATION:
            unit = _header_unit(header) or unit
        specs.append(
            FieldSpec(
                template.field,
                template.kind,
                (header,),
                required=field in REQUIRED_FIELDS,
                unit_seconds=unit,
            )
        )
    return Profile(
        MAPPING_FORMAT,
        mapping.name,  # batches show the "format" label table's
        mapping.platform,
        mapping.currency or default_currency,
        tuple(specs),
    )


def _header_unit(header: str) -> int | None:
    split = _BRACKETED.fullmatch(normalize_header(header))
    return _DURATION_UNITS.get(split["unit"]) if split else None


def fits(mapping: ColumnMapping, headers: Iterable[str]) -> bool:
    """Whether a header row holds every header the mapping names."""
    present = {normalize_header(h) for h in headers}
    return all(normalize_header(h) in present for h, _f in mapping.columns)


def _synonym_key(header: str) -> str:
    """`header_key` without a bracketed unit: 人均停留时长(秒) is spelt like 人均停留时长."""
    split = _BRACKETED.fullmatch(normalize_header(header))
    return header_key(split["base"] if split else header)


_FIELD_BY_SYNONYM = {
    _synonym_key(spelling): field
    for field, spellings in SYNONYMS.items()
    if field in FIELD_SPECS  # a 直播时间 range cell has no template field to map to
    for spelling in (field, *spellings)
}
_DATE_TIME = re.compile(r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?[ T/]*\d{1,2}:\d{2}")
_MONEY = re.compile(r"[¥￥$]\s*[\d,]+(\.\d+)?")


def suggest_field(header: str, values: Sequence[str] = ()) -> str | None:
    """The template field a column probably feeds: by a known spelling of its header, else by
    its values (date-times suggest a start, ``¥`` amounts an amount), else None."""
    field = _FIELD_BY_SYNONYM.get(_synonym_key(header))
    if field is not None:
        return field
    filled = [v.strip() for v in values if v and v.strip()]
    if filled and all(_DATE_TIME.match(v) for v in filled):
        return "started_at"
    if filled and all(_MONEY.match(v) for v in filled):
        return "gmv"
    return None


def suggest_columns(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> dict[str, str]:
    """A field for each header where one is suggested, each field at most once (the first
    column suggesting it wins; a second date-time column suggests the end)."""
    chosen: dict[str, str] = {}
    taken: set[str] = set()
    for index, header in enumerate(headers):
        values = [row[index] for row in rows if index < len(row)]
        field = suggest_field(header, values)
        if field == "started_at" and "started_at" in taken:
            field = "ended_at"
        if field == "gmv" and "gmv" in taken and not _FIELD_BY_SYNONYM.get(_synonym_key(header)):
            field = None
        if field is not None and field not in taken:
            chosen[header] = field
            taken.add(field)
    return chosen
