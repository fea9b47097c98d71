"""Finding the header row of an export and mapping its columns to canonical fields."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from hrapp.core.messages import coded, message

from .model import ImportFileError
from .profiles import CURRENCY_TOKENS, MONEY_KINDS, FieldSpec, Profile

HEADER_SCAN_ROWS = 20
# A row is taken for a profile's header with columns missing only if it has at least this many
# of the profile's headers, one of them required (generic ones like 最高在线人数 are shared).
_MIN_PARTIAL_MATCHES = 3
_BRACKETED_SUFFIX = re.compile(r"(?P<base>.+?)\((?P<unit>[^()]+)\)")


def normalize_header(text: str) -> str:
    """Compare headers ignoring spaces, case, and full-width vs half-width forms (（ ）→ ( ))."""
    text = unicodedata.normalize("NFKC", text).replace("\ufeff", "")
    return "".join(text.split()).casefold()


@dataclass(frozen=True)
class Layout:
    """Where each field of a profile sits in the file."""

    profile: Profile
    header_row: int  # spreadsheet row number of the header, 1-based
    headers: tuple[str, ...]  # header cells as written in the file
    columns: dict[str, int]  # field → column index
    currency: str  # from a money header's bracket, else the profile's default

    def header(self, field: str) -> str:
        return self.headers[self.columns[field]].strip()

    @property
    def specs(self) -> tuple[FieldSpec, ...]:
        return tuple(s for s in self.profile.fields if s.field in self.columns)


@dataclass(frozen=True)
class _Match:
    columns: dict[str, int]
    currencies: dict[str, str | None]  # header text → currency named in it (None: unknown)
    duplicates: tuple[str, ...]  # headers that appear twice for one field

    def missing(self, profile: Profile) -> list[str]:
        return [s.aliases[0] for s in profile.fields if s.required and s.field not in self.columns]


def _match_profile(profile: Profile, headers: Sequence[str]) -> _Match:
    normalized = [normalize_header(h) for h in headers]
    split = [_BRACKETED_SUFFIX.fullmatch(h) for h in normalized]
    columns: dict[str, int] = {}
    currencies: dict[str, str | None] = {}
    duplicates: list[str] = []
    for spec in profile.fields:
        for alias in (normalize_header(a) for a in spec.aliases):
            hits = [i for i, h in enumerate(normalized) if h == alias]
            if not hits and spec.kind in MONEY_KINDS:
                hits = [i for i, m in enumerate(split) if m and m["base"] == alias]
                for i in hits:
                    currencies[headers[i]] = CURRENCY_TOKENS.get(split[i]["unit"])
            if hits:
                columns[spec.field] = hits[0]
                if len(hits) > 1:
                    duplicates.append(headers[hits[0]])
                break
    return _Match(columns, currencies, tuple(duplicates))


def _looks_like(profile: Profile, match: _Match) -> bool:
    required = {s.field for s in profile.fields if s.required}
    return len(match.columns) >= _MIN_PARTIAL_MATCHES and bool(required & set(match.columns))


def find_layout(head_rows: Sequence[Sequence[str]], profiles: Sequence[Profile]) -> Layout:
    """Pick the header row and profile from the first rows of a sheet.

    The row with the most recognised headers among rows that carry every required column
    wins. Raises ImportFileError naming the missing columns when a row looks like a known
    export but lacks some, or saying the format is unknown otherwise.
    """
    best: tuple[int, int, Profile, _Match] | None = None
    partial: tuple[int, Profile, _Match] | None = None
    for index, row in enumerate(head_rows[:HEADER_SCAN_ROWS]):
        for profile in profiles:
            match = _match_profile(profile, row)
            score = len(match.columns)
            if not match.missing(profile):
                if best is None or score > best[0]:
                    best = (score, index, profile, match)
            elif _looks_like(profile, match) and (partial is None or score > partial[0]):
                partial = (score, profile, match)
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
    return Layout(profile, index + 1, tuple(headers), match.columns, currency)
