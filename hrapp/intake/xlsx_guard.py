"""Whether calamine may read a workbook: safely, and to exactly the texts openpyxl would give.

calamine (Rust, via python-calamine) reads a 200,000-row sheet in about 4 s where openpyxl's
read-only mode takes over a minute, but:

- It holds a sheet as one dense rectangle spanning its outermost cells, 32 bytes a cell. A few
  bytes of XML naming cells A1 and XFD1048576 would make it allocate 550 GB, and Rust aborts the
  process when an allocation fails; there is nothing to catch. So every cell must name its place
  (calamine places the others by counting) inside rows × columns small enough to hold, and the
  shared strings are bounded alike.
- It reads some constructs differently from openpyxl: error cells (``#N/A``) as empty, text
  trimmed unless marked ``xml:space="preserve"``, ``_x000D_`` escapes decoded, ISO dates, stray
  ``<is>`` elements, malformed numbers as text where openpyxl refuses the file, dates outside
  1900–4637, some exotic number formats, and (found as the cells become text) integers too long
  for a double. A workbook holding any of them is read with openpyxl instead, so the texts (and
  the error messages) never depend on which reader ran.

Two differences are not looked for. A date serial lying half-way between two milliseconds
(only formula arithmetic makes one) may round to the other millisecond, and so to the other
second when that millisecond ends one; typed and exported times never do. A malformed cell
holding two values gives openpyxl's first and calamine's last.

Both checks search the unpacked XML with regular expressions (each one pass in C, about 0.1–0.6 s
for a 200,000-row sheet); cells that need a closer look are resolved one by one. `check_safety`
runs before calamine touches a sheet. `check_fidelity` only decides whether calamine's result is
used, so it may run while calamine reads.

Part of the intake's floor: no Flask, no database.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

import openpyxl
import python_calamine
from openpyxl.styles.numbers import (
    BUILTIN_FORMATS_MAX_SIZE,
    builtin_format_code,
    is_date_format,
    is_timedelta_format,
)
from openpyxl.styles.stylesheet import Stylesheet
from openpyxl.utils import get_column_letter
from openpyxl.xml.functions import fromstring

from .limits import HEADER_SCAN_ROWS

# calamine's dense sheet: 32 bytes a cell, so at most ~730 MiB (a 200,000-row sheet of up to
# 119 columns). Wider sheets are read by openpyxl, which streams.
MAX_CALAMINE_CELLS = 24_000_000
MAX_COLUMNS = 16_384  # XFD, Excel's last column

SHARED_STRINGS = "xl/sharedStrings.xml"  # calamine reads them from this path only
STYLES = "xl/styles.xml"

_NUMBER = rb"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
_UNPLACED = re.compile(rb'<c(?! r="[A-Z])[\s>/]')
_PREFIXED = re.compile(rb":(?:c|v|t|is|r|si|row|sheetData|dimension)[\s>/]")
_DECLARATIONS = re.compile(rb"<!DOCTYPE|<!ENTITY|<!\[CDATA\[")
# Cell types both readers read alike; the rest are formula types, not cell types.
_OTHER_CELL_TYPE = re.compile(rb' t="(?!(?:n|s|str|b|inlineStr|shared|array|dataTable)")')
_NOT_PLAIN = re.compile(rb"<v>(?![0-9]+(?:\.[0-9]+)?</v>)")  # cheap; the rest looked at singly
_NUMBER_OR_NOTHING = re.compile(rb"<v>(?:" + _NUMBER + rb")?</v>")
_DATE_SUSPECT = re.compile(rb"<v>(?:[-+]|[0-9]{7}|[0-9.]*[eE]\+?[0-9])")  # not e-05
_TRIMMED_TEXT = re.compile(rb"<t>(?:\s|[^<]*\s</t>)|<t (?!xml:space=\"preserve\">)")
_ESCAPE = re.compile(rb"_x[0-9A-Fa-f]{4}_")
_CELL_TYPE = re.compile(rb'\bt="([^"]*)"')
_CELL_STYLE = re.compile(rb'\bs="([0-9]+)"')
_PROBE_VALUE = 1.5  # a day and a half: a datetime, a duration or a number, never ambiguous
# XML in UTF-16 or UTF-32 (byte-order mark, or "<" next to a zero byte): calamine decodes it,
# these byte searches would not see its cells.
_WIDE_XML = (b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<", b"\x00\x00")


class CalamineUnfit(Exception):
    """calamine must not read this workbook (or not to the end); ``str()`` says why."""


@dataclass(frozen=True)
class Parts:
    """The unpacked XML calamine would read cells from: worksheets and shared strings."""

    sheets: dict[str, bytes]
    shared_strings: bytes


def check_safety(data: bytes, max_rows: int) -> Parts:
    """Unpack the workbook and make sure calamine can hold every sheet in memory.

    The archive's sizes have been checked already (`hrapp.intake.sniff.check_workbook_archive`), so
    unpacking is bounded. Every part is searched, not just the ones the workbook names as
    sheets, so that no path trick can hand calamine an unchecked one.
    """
    beyond = _beyond_limits(max_rows + HEADER_SCAN_ROWS)
    sheets: dict[str, bytes] = {}
    shared_strings = b""
    for name, text in _unpacked(data):
        if text.startswith(_WIDE_XML):
            raise CalamineUnfit(f"XML in UTF-16 or UTF-32 ({name})")
        _refuse(_DECLARATIONS, text, name, "XML declarations or CDATA (openpyxl judges them)")
        if name == SHARED_STRINGS:
            shared_strings += text
            # calamine keeps 24 bytes a string: bound them like the cells (`<si/>` is 5 bytes).
            if text.count(b"<si") + text.count(b":si") > MAX_CALAMINE_CELLS:
                raise CalamineUnfit("more shared strings than calamine may hold")
        if b"sheetData" not in text:
            continue
        _refuse(_PREFIXED, text, name, "namespace-prefixed cells")
        _refuse(_UNPLACED, text, name, "a cell that does not name its place")
        _refuse(beyond, text, name, "cells beyond the rows and columns calamine may hold")
        sheets[name] = text
    return Parts(sheets, shared_strings)


def check_fidelity(parts: Parts, data: bytes, max_rows: int) -> int | None:
    """Raise CalamineUnfit unless calamine reads these parts to the texts openpyxl gives.

    Returns the sheet's declared row count where openpyxl would judge it against the row
    limit (see `_declared_rows_to_judge`), else None.
    """
    date_styles = _date_styles(data)
    declares_too_many = _dimension_beyond(max_rows + HEADER_SCAN_ROWS)
    for name, text in parts.sheets.items():
        _refuse(_OTHER_CELL_TYPE, text, name, "error or ISO-date cells")
        _refuse(declares_too_many, text, name, "a declared size over the row limit")
        _refuse(_TRIMMED_TEXT, text, name, "text with unmarked edge whitespace")
        _refuse(_ESCAPE, text, name, "_xHHHH_ escapes")
        if text.count(b"<is") != text.count(b'"inlineStr"><is>'):
            raise CalamineUnfit(f"inline text outside inline-string cells ({name})")
        _check_numbers(text, name)
        if date_styles:
            _check_date_values(text, name, date_styles)
    strings = parts.shared_strings
    _refuse(_PREFIXED, strings, SHARED_STRINGS, "namespace-prefixed text")
    _refuse(_TRIMMED_TEXT, strings, SHARED_STRINGS, "text with unmarked edge whitespace")
    _refuse(_ESCAPE, strings, SHARED_STRINGS, "_xHHHH_ escapes")
    return _declared_rows_to_judge(parts, max_rows)


def _declared_rows_to_judge(parts: Parts, max_rows: int) -> int | None:
    """openpyxl refuses a sheet whose declared rows below its header exceed the limit. Up to
    ``max_rows + 1`` declared rows that can never happen; above it (title rows over the
    header, as TikTok writes them) calamine's sheet must carry the declared size for the same
    judgement. python-calamine does not say which part a sheet is read from, so that is only
    certain in a workbook with a single worksheet part.
    """
    declared = [_declared_rows(text) for text in parts.sheets.values()]
    near_limit = [rows for rows in declared if rows is not None and rows > max_rows + 1]
    if not near_limit:
        return None
    if len(parts.sheets) > 1:
        raise CalamineUnfit("a declared size near the row limit in a workbook of several sheets")
    return near_limit[0]


def _declared_rows(text: bytes) -> int | None:
    """The last row the sheet's ``<dimension>`` names, as openpyxl reads it (None: no tag)."""
    found = _DIMENSION_LAST_ROW.search(text)
    return int(found[1]) if found else None


def _unpacked(data: bytes) -> Iterator[tuple[str, bytes]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                yield info.filename, archive.read(info)
    except Exception as error:  # a bad CRC, a broken stream: openpyxl reports it as ever
        raise CalamineUnfit(f"the archive does not unpack cleanly ({error})") from None


def _refuse(pattern: re.Pattern[bytes], text: bytes, name: str, reason: str) -> None:
    if pattern.search(text):
        raise CalamineUnfit(f"{reason} ({name})")


def _beyond_limits(rows: int) -> re.Pattern[bytes]:
    """Cell references past ``rows`` or past the columns the cell budget leaves, or malformed."""
    columns = min(max(MAX_CALAMINE_CELLS // rows, 1), MAX_COLUMNS)
    far_column = pattern_past(get_column_letter(columns), "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    far_row = pattern_past(str(rows), "0123456789")
    # Possessive quantifiers: the letters are taken whole before the row is judged.
    return re.compile(
        rb'<c r="(?:' + far_column + rb"|[A-Z]{1,3}+(?:" + far_row + rb'|[^0-9]|[0-9]++[^"]))'
    )


_DIMENSION_LAST_ROW = re.compile(
    rb'<dimension ref="(?:[A-Z]{1,3}[0-9]{1,7}:)?[A-Z]{1,3}([0-9]{1,7})"'
)


def _dimension_beyond(rows: int) -> re.Pattern[bytes]:
    """A ``<dimension>`` declaring more than ``rows`` rows, or one openpyxl may read otherwise
    (calamine then leaves the judgement of its declared size to openpyxl)."""
    far_row = pattern_past(str(rows), "0123456789")
    plain = rb"(?:[A-Z]{1,3}[0-9]{1,7}:)?[A-Z]{1,3}+(?!" + far_row + rb')[0-9]{1,7}"'
    return re.compile(rb'<dimension\b(?! ref="' + plain + rb")")


def pattern_past(limit: str, alphabet: str) -> bytes:
    """A regex for strings of ``alphabet`` that count past ``limit``: longer ones, or as long
    and greater position by position (the alphabet in ascending order). Leading zeros make a
    number look larger, never smaller."""
    any_char = f"[{alphabet[0]}-{alphabet[-1]}]"
    options = [f"{any_char}{{{len(limit) + 1},}}"]
    for index, char in enumerate(limit):
        if char != alphabet[-1]:
            rest = len(limit) - index - 1
            higher = f"[{alphabet[alphabet.index(char) + 1]}-{alphabet[-1]}]"
            options.append(f"{limit[:index]}{higher}{any_char}{{{rest}}}")
    return ("(?:" + "|".join(options) + ")").encode()


def _check_numbers(text: bytes, name: str) -> None:
    """Values that are not numbers are fine only in formula-string cells: openpyxl refuses the
    file where calamine would read such a "number" as text."""
    for found in _NOT_PLAIN.finditer(text):
        if _NUMBER_OR_NOTHING.match(text, found.start()):
            continue
        if _attribute(_CELL_TYPE, text, found.start()) not in (b"str", b"inlineStr"):
            raise CalamineUnfit(f"a number openpyxl cannot read ({name})")


def _check_date_values(text: bytes, name: str, date_styles: frozenset[int]) -> None:
    """Date-formatted serials below 0 or of seven digits and more: calamine and openpyxl convert
    dates before 1900 and after 9999 differently (calamine's times for negatives, numbers for
    far futures). Seven digits (year 4637) keeps the check cheap."""
    for found in _DATE_SUSPECT.finditer(text):
        style = _attribute(_CELL_STYLE, text, found.start())
        if style is not None and int(style) in date_styles:
            raise CalamineUnfit(f"a date-formatted cell outside 1900–4637 ({name})")


def _attribute(pattern: re.Pattern[bytes], text: bytes, at: int) -> bytes | None:
    """An attribute of the cell whose value starts at ``at``."""
    start = text.rfind(b"<c ", 0, at)
    if start < 0:
        return None
    found = pattern.search(text, start, text.find(b">", start))
    return found[1] if found else None


def _date_styles(data: bytes) -> frozenset[int]:
    """The cell styles openpyxl reads as dates, once calamine is known to agree on them."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if STYLES not in archive.namelist():
            return frozenset()
        try:
            stylesheet = Stylesheet.from_tree(fromstring(archive.read(STYLES)))
        except Exception as error:  # openpyxl judges a broken stylesheet its own way
            raise CalamineUnfit(f"a stylesheet openpyxl may refuse ({error!r})") from None
    if 0 in stylesheet.date_formats:
        raise CalamineUnfit("the default cell style is a date format")
    codes = {_format_code(stylesheet, style.numFmtId) for style in stylesheet.cell_styles}
    _check_formats_read_alike(codes - {None, "General"})
    return frozenset(stylesheet.date_formats)


def _format_code(stylesheet: Stylesheet, format_id: int) -> str | None:
    # openpyxl renumbers custom formats from BUILTIN_FORMATS_MAX_SIZE on when reading.
    if format_id >= BUILTIN_FORMATS_MAX_SIZE:
        return str(stylesheet.number_formats[format_id - BUILTIN_FORMATS_MAX_SIZE])
    return builtin_format_code(format_id)


def _check_formats_read_alike(codes: set[str | None]) -> None:
    """Ask calamine how it reads each number format, in a small workbook written for it.

    The two libraries decide "is this a date format" with different rules (``#,##0*d`` is a
    date to openpyxl only); asking the installed calamine keeps the answer true across
    versions.
    """
    if not codes:
        return
    ordered = sorted(str(code) for code in codes)
    try:
        kinds = [type(value).__name__ for value in _read_by_calamine(ordered)]
    except Exception as error:  # a format calamine cannot even read: openpyxl's file
        raise CalamineUnfit(f"a number format calamine fails on ({error})") from None
    for code, kind in zip(ordered, kinds, strict=True):
        if kind != _openpyxl_kind(code):
            raise CalamineUnfit(f"a number format calamine reads differently ({code!r})")


def _read_by_calamine(codes: list[str]) -> list[object]:
    """`_PROBE_VALUE` in each format, written by openpyxl and read back by calamine."""
    probe = openpyxl.Workbook()
    sheet = probe.active
    for row, code in enumerate(codes, start=1):
        sheet.cell(row, 1, _PROBE_VALUE).number_format = code
    buffer = io.BytesIO()
    probe.save(buffer)
    buffer.seek(0)
    read = python_calamine.CalamineWorkbook.from_filelike(buffer).get_sheet_by_index(0)
    return [row[0] for row in read.iter_rows()]


def _openpyxl_kind(code: str) -> str:
    """The Python type openpyxl gives a 1.5 formatted with ``code``."""
    if not is_date_format(code):
        return "float"
    return "timedelta" if is_timedelta_format(code) else "datetime"
