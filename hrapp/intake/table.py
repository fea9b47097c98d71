"""Reading a small uploaded table (the roster, training records) as rows of text cells.

`read_table` is the reader of uploads whose rows are checked one by one against the database:
the roster and training records. Every cell is read as text, so that account ids keep their
leading zeros; the kind of file is told by its content (`sniff.detect_container`), and a
workbook is read by the same guarded readers as a session export (`xlsx_sheets`: the intake's
archive limits, then calamine where it reads as openpyxl would, else openpyxl through
defusedxml); its first worksheet is the table. CSV may be UTF-8 (with or without BOM),
GB18030 or UTF-16, comma- or tab-separated.

Session lists, which may hold a million rows, are read in column chunks by the session
parser (`hrapp.live_sessions.parsing`) on top of the same sniffing, limits and sheet readers.

No Flask, no database.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from hrapp.core.message_data import message

from . import limits
from .problems import ImportFileError
from .sniff import decode_text, detect_container
from .xlsx_guard import CalamineUnfit
from .xlsx_sheets import EXACT_INTEGERS, Sheet, read_workbook


@dataclass(frozen=True)
class SheetRow:
    """One non-blank row: its number as a spreadsheet shows it (first row = 1) and its cells.

    `numeric` holds the indexes of cells that an XLSX stored as numbers: their leading zeros,
    if they ever had any, were lost before the file reached us.
    """

    number: int
    cells: tuple[str, ...]
    numeric: frozenset[int] = frozenset()


def read_table(
    source: bytes | str | os.PathLike[str],
    *,
    filename: str | None = None,
    max_rows: int = limits.MAX_ROWS,
) -> list[SheetRow]:
    """The non-blank rows of a CSV or XLSX file (header row included), from bytes or a path.

    ``filename`` (default: the path's name) is only used to refuse a text file named like a
    workbook. Raises `ImportFileError` when the file cannot be read as a table or holds more
    than ``max_rows`` data rows.
    """
    data, name = _load(source, filename)
    if detect_container(data, name, utf16=True) == "xlsx":
        return _xlsx_rows(data, max_rows)
    return _within(_csv_rows(decode_text(data)), max_rows)


def _load(source: bytes | str | os.PathLike[str], filename: str | None) -> tuple[bytes, str]:
    if isinstance(source, bytes):
        data, name = source, filename or ""
    else:
        path = Path(source)
        if path.stat().st_size > limits.MAX_UPLOAD_BYTES:
            raise _too_large()
        data, name = path.read_bytes(), filename or path.name
    if len(data) > limits.MAX_UPLOAD_BYTES:
        raise _too_large()
    return data, name


def _too_large() -> ImportFileError:
    return ImportFileError(
        message(
            "The file is larger than %(mb)d MB and was refused.",
            mb=limits.MAX_UPLOAD_BYTES // (1024 * 1024),
        )
    )


def _within(rows: Iterable[SheetRow], max_rows: int) -> list[SheetRow]:
    kept: list[SheetRow] = []
    for row in rows:
        if len(kept) > max_rows:  # the header row and max_rows data rows are allowed
            raise ImportFileError(
                message(
                    "The file has more than %(n)d rows; split it into smaller files.", n=max_rows
                )
            )
        kept.append(row)
    return kept


def _csv_rows(text: str) -> Iterator[SheetRow]:
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    number = 0
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1):
            stripped = tuple(cell.strip() for cell in cells)
            if any(stripped):
                yield SheetRow(number, stripped)
    except csv.Error as exc:
        raise ImportFileError(
            message(
                "The CSV cannot be read near row %(row)d: %(why)s", row=number + 1, why=str(exc)
            )
        ) from exc


def _xlsx_rows(data: bytes, max_rows: int) -> list[SheetRow]:
    return read_workbook(data, max_rows, lambda sheets: _first_sheet_rows(sheets, max_rows))


def _first_sheet_rows(sheets: Iterable[Sheet], max_rows: int) -> list[SheetRow]:
    sheet = next(iter(sheets), None)
    if sheet is None:
        return []
    padding = (None,) * sheet.first_column  # calamine's rows begin at the first used column
    rows = (
        _sheet_row(number, padding + tuple(values)) for number, values in enumerate(sheet.rows, 1)
    )
    return _within((row for row in rows if any(row.cells)), max_rows)


def _sheet_row(number: int, values: tuple[object, ...]) -> SheetRow:
    cells = [_exact_text(value) for value in values]
    while cells and not cells[-1]:  # openpyxl ends a row at its last cell, calamine does not
        cells.pop()
    return SheetRow(number, tuple(cells), _numeric(values))


def _exact_text(value: object) -> str:
    # calamine reads every number as a double: an integer past 2**53 would lose digits that
    # openpyxl keeps, so such a workbook is read by openpyxl instead.
    if type(value) is float and value.is_integer() and abs(value) >= EXACT_INTEGERS:
        raise CalamineUnfit("an integer too long for a double")
    return cell_text(value)


def _numeric(values: tuple[object, ...]) -> frozenset[int]:
    return frozenset(
        i for i, v in enumerate(values) if isinstance(v, int | float) and not isinstance(v, bool)
    )


def cell_text(value: object) -> str:
    """A spreadsheet value as the text a person sees in the cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(value, ".15g")
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()
