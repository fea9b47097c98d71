"""Reading XLSX exports of sessions: the first sheet with a recognisable header row, every
cell turned into the text a CSV export of it would hold.

The worksheets are read by the intake (`hrapp.intake.xlsx_sheets`): calamine where
`hrapp.intake.xlsx_guard` finds it safe and faithful, openpyxl otherwise, behind the intake's
archive limits. Here the header is found and the used columns are gathered. The row limit is
checked against the sheet's declared size first and enforced while reading, because the declared
size may lie.
"""

from __future__ import annotations

import itertools
import logging
import operator
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import python_calamine  # noqa: F401 - tests reach the library through this module

from hrapp.core.messages import message
from hrapp.intake.sniff import check_workbook_archive
from hrapp.intake.xlsx_guard import CalamineUnfit
from hrapp.intake.xlsx_sheets import (
    EXACT_INTEGERS,
    Sheet,
    calamine_sheets,
    calamine_text,
    cell_text,
    openpyxl_sheets,
)

from .headers import HEADER_SCAN_ROWS, find_layout
from .model import ImportFileError
from .profiles import Profile
from .tables import RawChunk, RawTable

__all__ = ["HEADER_SCAN_ROWS", "calamine_text", "cell_text", "open_xlsx"]

_log = logging.getLogger(__name__)


def open_xlsx(data: bytes, profiles: Sequence[Profile], max_rows: int) -> RawTable:
    """The first sheet with a recognisable header row, read whole (at most ``max_rows`` rows)."""
    check_workbook_archive(data, max_rows)
    try:
        return read_with_calamine(data, profiles, max_rows)
    except CalamineUnfit as unfit:
        _log.info("Reading the workbook with openpyxl: %s.", unfit)
    return read_with_openpyxl(data, profiles, max_rows)


def read_with_calamine(data: bytes, profiles: Sequence[Profile], max_rows: int) -> RawTable:
    """`open_xlsx`'s fast reader, for an archive whose sizes are checked; raises
    CalamineUnfit when the workbook is for openpyxl to read."""
    with calamine_sheets(data, max_rows) as sheets:
        return _first_export_sheet(sheets, profiles, max_rows)


def read_with_openpyxl(data: bytes, profiles: Sequence[Profile], max_rows: int) -> RawTable:
    """`open_xlsx`'s reader for every workbook calamine must not read, for an archive whose
    sizes are checked."""
    with openpyxl_sheets(data) as sheets:
        return _first_export_sheet(sheets, profiles, max_rows)


class _NoHeader(Exception):
    def __init__(self, cause: ImportFileError) -> None:
        super().__init__(str(cause))
        self.cause = cause


def _first_export_sheet(
    sheets: Iterable[Sheet], profiles: Sequence[Profile], max_rows: int
) -> RawTable:
    first_error: ImportFileError | None = None
    for sheet in sheets:
        try:
            return _read_sheet(sheet, profiles, max_rows)
        except _NoHeader as error:
            first_error = first_error or error.cause
    raise first_error or ImportFileError(message("The workbook has no worksheet."))


def _read_sheet(sheet: Sheet, profiles: Sequence[Profile], max_rows: int) -> RawTable:
    rows = sheet.rows
    head = list(itertools.islice(rows, HEADER_SCAN_ROWS))
    padding = [""] * sheet.first_column
    try:
        layout = find_layout([padding + [sheet.text(v) for v in row] for row in head], profiles)
    except ImportFileError as error:
        raise _NoHeader(error) from None
    if sheet.declared_rows is not None and sheet.declared_rows - layout.header_row > max_rows:
        raise _too_many_rows(max_rows)
    used = sorted(set(layout.columns.values()))
    pick = _picker([column - sheet.first_column for column in used])
    numbers: list[int] = []
    kept: list[tuple[Any, ...]] = []
    remaining = itertools.chain(head[layout.header_row :], rows)
    for number, row in enumerate(remaining, start=layout.header_row + 1):
        if len(row) > row.count(None) + row.count(""):  # not blank
            numbers.append(number)
            kept.append(pick(row))
            if len(kept) > max_rows:
                raise _too_many_rows(max_rows)
    by_column = zip(*kept, strict=True) if kept else [()] * len(used)
    columns = {
        c: _column_text(values, sheet.text) for c, values in zip(used, by_column, strict=True)
    }
    return RawTable(layout, [RawChunk(columns, np.array(numbers, dtype=np.int64))])


def _too_many_rows(max_rows: int) -> ImportFileError:
    return ImportFileError(
        message(
            "The workbook has more than %(n)s data rows, the most an XLSX import reads. Save "
            "the sheet as CSV (UTF-8) and upload that instead; CSV has no such limit.",
            n=f"{max_rows:,}",
        )
    )


def _picker(indices: list[int]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """Takes the used columns' values from a row; None where the row has no such cell."""

    def each(row: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(row[i] if 0 <= i < len(row) else None for i in indices)

    if len(indices) < 2 or min(indices) < 0:
        return each
    at_once = operator.itemgetter(*indices)

    def fast(row: Sequence[Any]) -> tuple[Any, ...]:
        try:
            return at_once(row)
        except IndexError:  # openpyxl ends a row at its last cell
            return each(row)

    return fast


def _column_text(values: Sequence[Any], text: Callable[[Any], str]) -> np.ndarray:
    kinds = set(map(type, values))
    if kinds == {float}:
        return _float_text(values, text)
    if kinds != {str}:
        values = [v if type(v) is str else text(v) for v in values]
    return np.array(values, dtype=object)


def _float_text(values: Sequence[float], text: Callable[[Any], str]) -> np.ndarray:
    """`text` of a column of floats, at C speed: whole numbers as integers, the rest in their
    shortest round-trip form; whole numbers too large for a double are left to ``text``."""
    numbers = np.array(values)
    whole = np.isfinite(numbers) & (np.trunc(numbers) == numbers)
    exact = whole & (np.abs(numbers) < EXACT_INTEGERS)
    texts = np.empty(len(values), dtype=object)
    texts[exact] = list(map(str, numbers[exact].astype(np.int64).tolist()))
    texts[~whole] = list(map(repr, numbers[~whole].tolist()))
    large = np.flatnonzero(whole & ~exact)
    texts[large] = [text(values[i]) for i in large]
    return texts
