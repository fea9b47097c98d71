"""Finding the header row of an export and mapping its columns to canonical fields.

A header feeds a profile's field when it equals one of the field's aliases after
`normalize_header` (spaces, case, full-width forms), else after `header_key` (which also drops
a leading 直播间), else — for the platform profiles — one of the spellings domain.md lists for
the field (`hrapp.intake.headers.SYNONYMS`). A money or duration header may carry its currency
or unit in brackets (``Revenue ($)``, ``开播时长(分钟)``).

The profile chosen is the one that finds a column for every required field; among several,
the one whose own aliases matched most columns (so a Taobao file is read as Taobao even though
the synonyms would let the Douyin compass profile read it too). When none does, the refusal
names the closest profile — the best coverage of its required fields — and exactly which of
them has no column.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from hrapp.core.messages import coded, message
from hrapp.intake.headers import header_key, normalize_header, synonyms
from hrapp.intake.limits import HEADER_SCAN_ROWS

from .model import ImportFileError
from .profiles import CURRENCY_TOKENS, MONEY_KINDS, FieldSpec, Kind, Profile

# A row is taken for a profile's header with columns missing only if it has at least this many
# of the profile's headers, one of them required (generic ones like 最高在线人数 are shared).
_MIN_PARTIAL_MATCHES = 3
_BRACKETED_SUFFIX = re.compile(r"(?P<base>.+?)\((?P<unit>[^()]+)\)")
# What a bare number means in a duration column whose header names its unit, e.g. 时长(分钟).
DURATION_UNITS = {
    "秒": 1,
    "秒钟": 1,
    "s": 1,
    "sec": 1,
    "分钟": 60,
    "分": 60,
    "min": 60,
    "mins": 60,
    "minutes": 60,
    "小时": 3600,
    "h": 3600,
    "hours": 3600,
}
# The template column a profile field is spelled as in SYNONYMS.
_TEMPLATE_NAMES = {"duration": "on_air_minutes"}

__all__ = ["HEADER_SCAN_ROWS", "Layout", "find_layout", "header_key", "normalize_header"]


@dataclass(frozen=True)
class Layout:
    """Where each field of a profile sits in the file."""

    profile: Profile
    header_row: int  # spreadsheet row number of the header, 1-based
    headers: tuple[str, ...]  # header cells as written in the file
    columns: dict[str, int]  # field → column index
    currency: str  # from a money header's bracket, else the profile's default
    # Field → what a bare number means, where the header's bracket says so (开播时长(分钟)).
    units: dict[str, int] = field(default_factory=dict)

    def header(self, field: str) -> str:
        return self.headers[self.columns[field]].strip()

    @property
    def specs(self) -> tuple[FieldSpec, ...]:
        return tuple(
            dataclasses.replace(s, unit_seconds=self.units[s.field]) if s.field in self.units else s
            for s in self.profile.fields
            if s.field in self.columns
        )


@dataclass(frozen=True)
class _Match:
    columns: dict[str, int]
    currencies: dict[str, str | None]  # header text → currency named in it (None: unknown)
    duplicates: tuple[str, ...]  # headers that appear twice for one field
    units: dict[str, int]  # field → seconds a bare number counts, from the header's bracket
    own: int  # columns found by the profile's own aliases (the rest by synonyms)

    def missing(self, profile: Profile) -> list[str]:
        return [s.aliases[0] for s in profile.fields if s.required and s.field not in self.columns]

    def rank(self, profile: Profile) -> tuple[float, int, int]:
        """Coverage of the required fields, then own-alias matches, then all matches."""
        required = [s for s in profile.fields if s.required]
        found = sum(s.field in self.columns for s in required)
        return found / max(len(required), 1), self.own, len(self.columns)


class _Headers:
    """A header row, each cell normalised three ways once and indexed by each form."""

    def __init__(self, headers: Sequence[str]) -> None:
        self.texts = headers
        self.exact = [_normalized(h) for h in headers]
        self.keys = [header_key(h) for h in self.exact]
        split = [_BRACKETED_SUFFIX.fullmatch(h) for h in self.exact]
        self.units = [m["unit"] if m else None for m in split]
        self._by_exact = _index(self.exact)
        self._by_key = _index(self.keys)
        self._by_base = _index([header_key(m["base"]) if m else None for m in split])

    def find(self, spelling: str, spec: FieldSpec, taken: set[int]) -> tuple[list[int], bool]:
        """Columns that spell ``spelling`` — as written, then without 直播间, then (money and
        durations) without a bracketed currency or unit — and whether the bracket was set
        aside (its currency or unit then applies)."""
        exact, key = _spelled(spelling)
        for index, wanted in ((self._by_exact, exact), (self._by_key, key)):
            hits = [i for i in index.get(wanted, ()) if i not in taken]
            if hits:
                return hits, False
        if spec.kind not in MONEY_KINDS and spec.kind is not Kind.DURATION:
            return [], False
        hits = [i for i in self._by_base.get(key, ()) if i not in taken]
        if spec.kind is Kind.DURATION:
            hits = [i for i in hits if self.units[i] in DURATION_UNITS]
        return hits, True


def _index(forms: Sequence[str | None]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for column, form in enumerate(forms):
        if form is not None:
            found.setdefault(form, []).append(column)
    return found


@functools.lru_cache(maxsize=4096)
def _normalized(text: str) -> str:
    return normalize_header(text)


@functools.lru_cache(maxsize=2048)
def _spelled(spelling: str) -> tuple[str, str]:
    return normalize_header(spelling), header_key(spelling)


@dataclass
class _Matching:
    """A profile's fields matched against one header row, field by field."""

    row: _Headers
    columns: dict[str, int] = field(default_factory=dict)
    currencies: dict[str, str | None] = field(default_factory=dict)
    units: dict[str, int] = field(default_factory=dict)
    duplicates: list[str] = field(default_factory=list)
    taken: set[int] = field(default_factory=set)
    own: int = 0

    def take(self, spec: FieldSpec, spellings: Sequence[str], *, synonym: bool) -> None:
        # A profile may feed two fields from one column (直播间用户支付金额 is both GMV and
        # buyer-paid in a per-session download); a synonym only takes a column left free.
        for spelling in spellings:
            hits, bracketed = self.row.find(spelling, spec, self.taken if synonym else set())
            if hits:
                break
        else:
            return
        column = hits[0]
        self.columns[spec.field] = column
        self.taken.add(column)
        self.own += not synonym
        if len(hits) > 1:
            self.duplicates.append(self.row.texts[column])
        if bracketed and spec.kind in MONEY_KINDS:
            for i in hits:
                self.currencies[self.row.texts[i]] = CURRENCY_TOKENS.get(self.row.units[i] or "")
        elif bracketed:
            self.units[spec.field] = DURATION_UNITS[self.row.units[column] or ""]


def _match_profile(profile: Profile, row: _Headers) -> _Match:
    matching = _Matching(row)
    for spec in profile.fields:
        matching.take(spec, spec.aliases, synonym=False)
    if profile.use_synonyms:
        for spec in profile.fields:
            if spec.field not in matching.columns:
                matching.take(spec, _synonyms(spec, profile.platform), synonym=True)
    return _Match(
        matching.columns,
        matching.currencies,
        tuple(matching.duplicates),
        matching.units,
        matching.own,
    )


def _synonyms(spec: FieldSpec, platform: str | None) -> tuple[str, ...]:
    name = _TEMPLATE_NAMES.get(spec.field, spec.field.removesuffix("_minor"))
    return synonyms(name, platform)


def _looks_like(profile: Profile, match: _Match) -> bool:
    required = {s.field for s in profile.fields if s.required}
    return len(match.columns) >= _MIN_PARTIAL_MATCHES and bool(required & set(match.columns))


def find_layout(head_rows: Sequence[Sequence[str]], profiles: Sequence[Profile]) -> Layout:
    """Pick the header row and profile from the first rows of a sheet.

    Among the rows and profiles where every required field has a column, the one whose own
    aliases matched most columns wins (then the most columns; then the earlier row and
    profile). Raises ImportFileError naming the closest profile and its required columns
    that are missing when a row looks like a known export but lacks some, or saying the
    format is unknown otherwise.
    """
    best: tuple[tuple[float, int, int], int, Profile, _Match] | None = None
    partial: tuple[tuple[float, int, int], Profile, _Match] | None = None
    for index, row in enumerate(head_rows[:HEADER_SCAN_ROWS]):
        headers = _Headers(row)
        for profile in profiles:
            match = _match_profile(profile, headers)
            rank = match.rank(profile)
            if not match.missing(profile):
                if best is None or rank > best[0]:
                    best = (rank, index, profile, match)
            elif _looks_like(profile, match) and (partial is None or rank > partial[0]):
                partial = (rank, profile, match)
    if best is not None:
        _, index, profile, match = best
        return _layout(profile, index, head_rows[index], match)
    if partial is not None:
        _, profile, match = partial
        raise ImportFileError(
            message(
                "This looks like a %(format)s, but required column(s) are missing: %(missing)s.",
                format=coded("format", profile.name),
                missing=match.missing(profile),
            )
        )
    raise ImportFileError(
        message(
            "No header row of a known export was found in the first %(n)d rows "
            "(looked for: %(formats)s).",
            n=HEADER_SCAN_ROWS,
            formats=[coded("format", p.name) for p in profiles],
        )
    )


def _layout(profile: Profile, index: int, headers: Sequence[str], match: _Match) -> Layout:
    if match.duplicates:
        raise ImportFileError(
            message(
                "The column “%(column)s” appears more than once in the header row.",
                column=match.duplicates[0].strip(),
            )
        )
    for header, code in match.currencies.items():
        if code is None:
            raise ImportFileError(
                message(
                    "The column “%(column)s” names a currency or unit this import does not know.",
                    column=header.strip(),
                )
            )
    found = set(match.currencies.values())
    if len(found) > 1:
        raise ImportFileError(
            message(
                "The money columns name different currencies: %(columns)s.",
                columns=[h.strip() for h in match.currencies],
            )
        )
    currency = found.pop() if found else profile.default_currency
    if currency is None:
        raise ImportFileError(
            message(
                "The column “%(column)s” does not say its currency; expected e.g. “Revenue ($)”.",
                column=headers[match.columns["gmv_minor"]].strip(),
            )
        )
    return Layout(profile, index + 1, tuple(headers), match.columns, currency, match.units)
