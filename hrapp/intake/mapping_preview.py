"""What the mapping page shows of an uploaded file: its header row and first rows as written,
and the first rows as a mapping would read them. No Flask, no database."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from typing import Any

import pandas as pd
import python_calamine

from hrapp.live_sessions.parsing import ParseResult, Problem
from hrapp.live_sessions.parsing.headers import HEADER_SCAN_ROWS
from hrapp.live_sessions.parsing.profiles import CURRENCY_EXPONENTS
from hrapp.live_sessions.parsing.sniff import check_workbook_archive, detect_container

from .mappings import FIELD_SPECS, ColumnMapping

SAMPLE_ROWS = 5  # data rows shown under the headers
# A CSV's preview reads only its start: the first rows need no more, and a big export would
# otherwise be parsed whole at each change of a choice.
PREVIEW_BYTES = 256 * 1024


class NoTable(ValueError):
    """The file has no row that could be a header row."""


def file_head(data: bytes, filename: str) -> tuple[list[str], list[list[str]]]:
    """The header row (the fullest of the first rows: title rows above it hold one cell) and
    the first data rows under it, as text. ImportFileError for a file no reader opens;
    NoTable when no row has two filled cells."""
    workbook = detect_container(data, filename) == "xlsx"
    rows = _workbook_head(data) if workbook else _csv_head(data)
    filled = [sum(1 for cell in row if cell.strip()) for row in rows[:HEADER_SCAN_ROWS]]
    if not filled or max(filled) < 2:
        raise NoTable
    index = filled.index(max(filled))
    headers = [cell.strip() for cell in rows[index]]
    width = len(headers)
    body = [
        (row + [""] * width)[:width]
        for row in rows[index + 1 :]
        if any(cell.strip() for cell in row)
    ]
    return headers, body[:SAMPLE_ROWS]


def _csv_head(data: bytes) -> list[list[str]]:
    head = data[: 256 * 1024]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = head.decode(encoding)
            break
        except UnicodeDecodeError as error:
            if error.start > len(head) - 4:  # a character cut at the end of the sample
                text = head[: error.start].decode(encoding)
                break
    else:
        text = head.decode("utf-8", errors="replace")
    lines = text.splitlines()[: HEADER_SCAN_ROWS + SAMPLE_ROWS + 1]
    try:
        dialect: Any = csv.Sniffer().sniff("\n".join(lines), delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    return [list(row) for row in csv.reader(lines, dialect)]


def _workbook_head(data: bytes) -> list[list[str]]:
    check_workbook_archive(data)  # the archive's sizes, against the intake's row limit
    workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    sheet = workbook.get_sheet_by_index(0)
    rows = itertools.islice(sheet.iter_rows(), HEADER_SCAN_ROWS + SAMPLE_ROWS + 1)
    return [[_cell_text(value) for value in row] for row in rows]


def _cell_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return "" if value is None else str(value)


def leading_part(data: bytes, filename: str) -> bytes:
    """The start of a CSV file, cut after a whole line, enough for the preview's rows; a
    workbook whole (its rows are read in order anyway). A newline byte is never part of a
    UTF-8 or GB18030 character, so the cut splits none."""
    if len(data) <= PREVIEW_BYTES or detect_container(data, filename) != "csv":
        return data
    cut = data.rfind(b"\n", 0, PREVIEW_BYTES)
    return data[: cut + 1] if cut > 0 else data


def first_problems(result: ParseResult, limit: int) -> list[Problem]:
    """The problems of the file as a whole and of the rows the preview shows (a cut file's
    last row may be cut too)."""
    shown = result.rows["source_row"].head(SAMPLE_ROWS)
    last = int(shown.max()) if len(shown) else None
    kept = [p for p in result.problems if p.row is None or last is None or p.row <= last]
    return kept[:limit]


def read_rows(
    result: ParseResult, mapping: ColumnMapping, zone: str, currency: str
) -> list[list[str]]:
    """The first rows of `result` as the import would store them, one cell per mapped column
    in the mapping's order: amounts in major units, times in `zone`, durations in seconds."""
    rows = result.rows.head(SAMPLE_ROWS)
    exponent = CURRENCY_EXPONENTS.get(currency, 2)
    shown: list[list[str]] = []
    for _, row in rows.iterrows():
        shown.append(
            [_value(row, FIELD_SPECS[field].field, zone, exponent) for _h, field in mapping.columns]
        )
    return shown


def _value(row: pd.Series, column: str, zone: str, exponent: int) -> str:
    if column == "duration":
        column = "on_air_seconds"
    value = row.get(column)
    if value is None or value is pd.NA or (not isinstance(value, str) and pd.isna(value)):
        return "—"
    if isinstance(value, pd.Timestamp):
        return value.tz_convert(zone).strftime("%Y-%m-%d %H:%M:%S")
    if column.endswith("_minor"):
        return f"{int(value) / 10**exponent:,.{exponent}f}"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
