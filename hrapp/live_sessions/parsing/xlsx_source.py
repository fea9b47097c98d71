"""Reading XLSX exports with openpyxl in read-only mode, every cell turned into text.

Safety: the archive's sizes are checked before openpyxl sees it; openpyxl parses
XML with defusedxml when it is installed (a dependency of hrapp), which refuses entity tricks;
the row limit is checked against the sheet's declared size first and enforced while reading,
because the declared size may lie.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import openpyxl
from defusedxml import DefusedXmlException
from openpyxl.utils.exceptions import InvalidFileException

from .headers import HEADER_SCAN_ROWS, find_layout
from .model import ImportFileError
from .profiles import Profile
from .sniff import check_workbook_archive
from .tables import RawChunk, RawTable

# What openpyxl raises on a damaged workbook.
_DAMAGED = (
    zipfile.BadZipFile,
    InvalidFileException,
    KeyError,
    ValueError,
    TypeError,
    IndexError,
    SyntaxError,  # xml.etree.ElementTree.ParseError
    OSError,
    EOFError,
)
_HALF_SECOND = dt.timedelta(microseconds=500_000)


def open_xlsx(data: bytes, profiles: Sequence[Profile], max_rows: int) -> RawTable:
    """The first sheet with a recognisable header row, read whole (at most ``max_rows`` rows)."""
    check_workbook_archive(data, max_rows)
    with _guarded():
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True, keep_links=False
        )
    try:
        first_error: ImportFileError | None = None
        for sheet in workbook.worksheets:
            try:
                return _read_sheet(sheet, profiles, max_rows)
            except _NoHeader as error:
                first_error = first_error or error.cause
        raise first_error or ImportFileError("The workbook has no worksheet.")
    finally:
        workbook.close()


class _NoHeader(Exception):
    def __init__(self, cause: ImportFileError) -> None:
        super().__init__(str(cause))
        self.cause = cause


def _read_sheet(sheet: Any, profiles: Sequence[Profile], max_rows: int) -> RawTable:
    declared_rows = sheet.max_row  # from the <dimension> tag, may be missing or wrong
    # Without this, openpyxl silently stops at the declared last row.
    sheet.reset_dimensions()
    rows = _rows(sheet)
    head = list(itertools.islice(rows, HEADER_SCAN_ROWS))
    try:
        layout = find_layout([[cell_text(v) for v in row] for row in head], profiles)
    except ImportFileError as error:
        raise _NoHeader(error) from None
    if declared_rows is not None and declared_rows - layout.header_row > max_rows:
        raise _too_many_rows(max_rows)
    numbers: list[int] = []
    kept: list[tuple[Any, ...]] = []
    remaining = itertools.chain(head[layout.header_row :], rows)
    for number, row in enumerate(remaining, start=layout.header_row + 1):
        if any(v is not None and v != "" for v in row):
            numbers.append(number)
            kept.append(row)
            if len(kept) > max_rows:
                raise _too_many_rows(max_rows)
    used = sorted(set(layout.columns.values()))
    columns = {c: _column_text(kept, c) for c in used}
    return RawTable(layout, [RawChunk(columns, np.array(numbers, dtype=np.int64))])


def _too_many_rows(max_rows: int) -> ImportFileError:
    return ImportFileError(
        f"The workbook has more than {max_rows:,} data rows, the most an XLSX import reads. "
        "Save the sheet as CSV (UTF-8) and upload that instead; CSV has no such limit."
    )


def _rows(sheet: Any) -> Iterator[tuple[Any, ...]]:
    rows = sheet.iter_rows(values_only=True)
    while True:
        with _guarded():
            row = next(rows, None)
        if row is None:
            return
        yield row


@contextmanager
def _guarded() -> Iterator[None]:
    """Turn openpyxl's many failure modes on a damaged or hostile file into ImportFileError."""
    try:
        yield
    except _DAMAGED as error:
        if _caused_by_defusedxml(error):
            raise ImportFileError(
                "The workbook contains XML constructs refused for safety (entities or DTDs)."
            ) from None
        raise ImportFileError(
            f"The workbook is damaged and cannot be read ({type(error).__name__})."
        ) from None


def _caused_by_defusedxml(error: BaseException | None) -> bool:
    # openpyxl re-raises parse errors of worksheets as a plain ValueError "from" the original.
    while error is not None:
        if isinstance(error, DefusedXmlException):
            return True
        error = error.__cause__ or error.__context__
    return False


def _column_text(rows: list[tuple[Any, ...]], column: int) -> np.ndarray:
    values = [row[column] if column < len(row) else None for row in rows]
    return np.array([v if type(v) is str else cell_text(v) for v in values], dtype=object)


def cell_text(value: Any) -> str:
    """A cell as the text a CSV export of it would hold.

    Floats print in their shortest round-trip form, which is the decimal the sheet's XML
    stores (``8772.35``), so money read from it stays exact.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        # Excel stores times as fractions of a day; snap the float noise to the second.
        if value.microsecond:
            value = (value + _HALF_SECOND).replace(microsecond=0)
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, dt.timedelta):
        seconds = round(value.total_seconds())
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    return str(value)
