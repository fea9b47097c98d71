"""Reading XLSX worksheets, guarded, with calamine where it reads as openpyxl would.

Two readers give the same texts. calamine (Rust, via python-calamine) reads a 200,000-row
sheet in a few seconds where openpyxl's read-only mode needs over a minute; it reads a workbook
only when `xlsx_guard` finds it safe for calamine and free of everything calamine reads
differently (`calamine_sheets` raises `CalamineUnfit` otherwise, also midway). openpyxl reads the
rest, and whatever calamine fails on, so those files behave exactly as before: same texts, same
error messages. `read_workbook` runs a reading with calamine and, when unfit, again with
openpyxl.

Safety: the archive's sizes are checked (`sniff.check_workbook_archive`) before either reader
sees it. openpyxl parses XML with defusedxml (a dependency of hrapp), which refuses entity
tricks; calamine's parser never expands entities, and a workbook declaring any is left to
openpyxl. Before calamine reads, `xlsx_guard` bounds the rows and columns every cell may name.

No Flask, no database.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import logging
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import openpyxl
import python_calamine
from defusedxml import DefusedXmlException
from openpyxl.utils.exceptions import InvalidFileException

from hrapp.core.message_data import message

from .problems import ImportFileError
from .sniff import check_workbook_archive
from .xlsx_guard import CalamineUnfit, check_fidelity, check_safety

_log = logging.getLogger(__name__)
T = TypeVar("T")


def read_workbook(data: bytes, max_rows: int, read: Callable[[Iterable[Sheet]], T]) -> T:
    """``read(sheets)`` of a workbook whose archive passes the intake's limits: with calamine
    when it may, else (also when calamine turns out unfit midway) with openpyxl."""
    check_workbook_archive(data, max_rows)
    try:
        with calamine_sheets(data, max_rows) as sheets:
            return read(sheets)
    except CalamineUnfit as unfit:
        _log.info("Reading the workbook with openpyxl: %s.", unfit)
    with openpyxl_sheets(data) as sheets:
        return read(sheets)


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
EXACT_INTEGERS = 2.0**53  # from here on, a double no longer holds every integer
_WORKSHEET = python_calamine.SheetTypeEnum.WorkSheet
_SHEET_KINDS = (_WORKSHEET, python_calamine.SheetTypeEnum.ChartSheet)  # openpyxl skips charts


@dataclass(frozen=True)
class Sheet:
    """A worksheet as the reading loop sees it, whichever library reads it."""

    rows: Iterator[Sequence[Any]]  # raw cell values; the first row is spreadsheet row 1
    first_column: int  # the column of each row's first value
    text: Callable[[Any], str]
    declared_rows: int | None  # the sheet's own claim of its size, when the reader knows it


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


def calamine_text(value: Any) -> str:
    """A value read by calamine as the text openpyxl's value of that cell gives (`cell_text`).

    calamine reads every number as a double and a whole-day date serial as a date, where
    openpyxl keeps an integer literal's every digit and gives a datetime at midnight.
    """
    kind = type(value)
    if kind is float:
        if not value.is_integer():
            return repr(value)
        if abs(value) < EXACT_INTEGERS:
            return str(int(value))
        raise CalamineUnfit("an integer too long for a double")
    if kind is dt.date:
        return value.strftime("%Y-%m-%d 00:00:00")
    return cell_text(value)


# --- openpyxl ---------------------------------------------------------------------------------


@contextmanager
def openpyxl_sheets(data: bytes) -> Iterator[Iterator[Sheet]]:
    with _guarded():
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True, keep_links=False
        )
    try:
        yield (_openpyxl_sheet(sheet) for sheet in workbook.worksheets)
    finally:
        workbook.close()


def _openpyxl_sheet(sheet: Any) -> Sheet:
    declared_rows = sheet.max_row  # from the <dimension> tag, may be missing or wrong
    # Without this, openpyxl silently stops at the declared last row.
    sheet.reset_dimensions()
    return Sheet(_openpyxl_rows(sheet), 0, cell_text, declared_rows)


def _openpyxl_rows(sheet: Any) -> Iterator[tuple[Any, ...]]:
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
                message(
                    "The workbook contains XML constructs refused for safety (entities or DTDs)."
                )
            ) from None
        raise ImportFileError(
            message(
                "The workbook is damaged and cannot be read (%(error)s).",
                error=type(error).__name__,
            )
        ) from None


def _caused_by_defusedxml(error: BaseException | None) -> bool:
    # openpyxl re-raises parse errors of worksheets as a plain ValueError "from" the original.
    while error is not None:
        if isinstance(error, DefusedXmlException):
            return True
        error = error.__cause__ or error.__context__
    return False


# --- calamine ---------------------------------------------------------------------------------


@contextmanager
def calamine_sheets(data: bytes, max_rows: int) -> Iterator[Iterator[Sheet]]:
    """The worksheets as calamine reads them; CalamineUnfit when openpyxl must read instead."""
    parts = check_safety(data, max_rows)
    with ThreadPoolExecutor(max_workers=1) as pool:
        # calamine releases the GIL while it reads the first sheet: check the rest meanwhile.
        opening = pool.submit(_open_calamine, data)
        try:
            declared_rows = check_fidelity(parts, data, max_rows)
        finally:
            del parts  # the unpacked XML: hundreds of megabytes at the row limit
        sheets = _calamine_sheet_list(*opening.result(), declared_rows)
    try:
        yield sheets
    finally:
        sheets.close()


def _open_calamine(
    data: bytes,
) -> tuple[python_calamine.CalamineWorkbook, list[str], python_calamine.CalamineSheet | None]:
    """The workbook, its worksheets' names and the first worksheet, read."""
    with _calamine_errors():
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = workbook.sheets_metadata
        if any(sheet.typ not in _SHEET_KINDS for sheet in sheets):
            raise CalamineUnfit("sheets other than worksheets and chart sheets")
        names = [sheet.name for sheet in sheets if sheet.typ == _WORKSHEET]
        first = workbook.get_sheet_by_name(names[0]) if names else None
    return workbook, names, first


def _calamine_sheet_list(
    workbook: python_calamine.CalamineWorkbook,
    names: list[str],
    first: python_calamine.CalamineSheet | None,
    declared_rows: int | None,
) -> Iterator[Sheet]:
    """The first worksheet (read already), then each further one when it is asked for.

    Only the rows handed on keep a sheet alive, so its cells are freed once they are read.
    `declared_rows` belongs to the workbook's one worksheet part (`check_fidelity`); other
    worksheets have no cells, so no header, and never reach the row-limit judgement.
    """
    try:
        if first is None:
            return
        sheet, first = _calamine_sheet(first, declared_rows), None
        yield sheet
        for name in names[1:]:
            with _calamine_errors():
                sheet = _calamine_sheet(workbook.get_sheet_by_name(name), declared_rows)
            yield sheet
    finally:
        workbook.close()


def _calamine_sheet(sheet: python_calamine.CalamineSheet, declared_rows: int | None) -> Sheet:
    """python-calamine's rows begin at spreadsheet row 1 (it emits the empty rows above the
    data) but at the first column holding a value; both are checked, not assumed."""
    if sheet.start is None:  # an empty sheet (iter_rows would panic on it)
        return Sheet(iter(()), 0, calamine_text, declared_rows)
    rows = _calamine_rows(sheet)
    first = next(rows)
    first_column = sheet.end[1] + 1 - len(first)
    return Sheet(itertools.chain([first], rows), first_column, calamine_text, declared_rows)


def _calamine_rows(sheet: python_calamine.CalamineSheet) -> Iterator[list[Any]]:
    rows = sheet.iter_rows()
    count = 0
    while True:
        try:
            row = next(rows, None)
        except (OverflowError, ValueError) as error:  # e.g. a duration beyond timedelta
            raise CalamineUnfit(f"a value calamine cannot convert ({error})") from None
        if row is None:
            break
        count += 1
        yield row
    if count != sheet.end[0] + 1:  # the row numbers would be off
        raise CalamineUnfit("python-calamine's rows do not begin at row 1")


@contextmanager
def _calamine_errors() -> Iterator[None]:
    """calamine's errors and panics on a damaged workbook: openpyxl then says what is wrong,
    in the same words as for any other damaged workbook."""
    try:
        yield
    except python_calamine.CalamineError as error:
        raise CalamineUnfit(f"calamine cannot read it ({error})") from None
    except BaseException as error:
        if type(error).__name__ != "PanicException":  # pyo3's, raised on a Rust panic
            raise
        raise CalamineUnfit(f"calamine failed on it ({error})") from None
