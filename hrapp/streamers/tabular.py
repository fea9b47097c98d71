"""Reading an uploaded table (CSV or XLSX) as rows of text cells with their spreadsheet rows.

Every cell is read as text, so that account ids keep their leading zeros. The kind of file is
told by its content, not its name. CSV may be UTF-8 (with or without BOM), GB18030 or UTF-16;
UTF-8 is tried first because GB18030 accepts almost any bytes and would turn UTF-8 into mojibake.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import warnings
import zipfile
from dataclasses import dataclass

import openpyxl

from hrapp.core.errors import ValidationFailed
from hrapp.core.messages import Message, message, render

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format
MAX_XLSX_UNPACKED_BYTES = 64 * 1024 * 1024


class UnreadableFile(ValidationFailed):
    """The file cannot be read as a table; ``reason`` is the message shown to the reader."""

    def __init__(self, reason: Message) -> None:
        super().__init__(render(reason))
        self.reason = reason


@dataclass(frozen=True)
class SheetRow:
    """One non-blank row: its number as a spreadsheet shows it (first row = 1) and its cells.

    `numeric` holds the indexes of cells that an XLSX stored as numbers: their leading zeros,
    if they ever had any, were lost before the file reached us.
    """

    number: int
    cells: tuple[str, ...]
    numeric: frozenset[int] = frozenset()


def read_rows(data: bytes) -> list[SheetRow]:
    """The non-blank rows of a CSV or XLSX file; UnreadableFile when it cannot be read."""
    if not data.strip():
        raise UnreadableFile(message("The file is empty."))
    if data.startswith(ZIP_MAGIC):
        return _xlsx_rows(data)
    if data.startswith(OLE_MAGIC):
        raise UnreadableFile(message("This is an old Excel (.xls) file; save it as XLSX or CSV."))
    return _csv_rows(decode_text(data))


def decode_text(data: bytes) -> str:
    """Text from UTF-16 (by its BOM), UTF-8 (BOM or not) or GB18030, in that order."""
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    for encoding in ("utf-16",) if utf16 else ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnreadableFile(
            message("The file is neither UTF-8 nor GB18030 text. Save it as CSV (UTF-8) or XLSX.")
        )
    if "\x00" in text:
        raise UnreadableFile(message("The file is not a CSV or XLSX table."))
    return text


def _csv_rows(text: str) -> list[SheetRow]:
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    rows = []
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1):
            stripped = tuple(cell.strip() for cell in cells)
            if any(stripped):
                rows.append(SheetRow(number, stripped))
    except csv.Error as exc:
        raise UnreadableFile(
            message(
                "The CSV cannot be read near row %(row)d: %(why)s", row=len(rows) + 1, why=str(exc)
            )
        ) from exc
    return rows


def _xlsx_rows(data: bytes) -> list[SheetRow]:
    _refuse_zip_bomb(data)
    # openpyxl warns about styles and extensions it does not understand; values are unaffected.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for damaged files
            raise UnreadableFile(
                message("The XLSX file cannot be opened; it may be damaged.")
            ) from exc
        rows = []
        try:
            for number, values in enumerate(book.worksheets[0].iter_rows(values_only=True), 1):
                cells, numeric = _xlsx_cells(values)
                if any(cells):
                    rows.append(SheetRow(number, cells, numeric))
        finally:
            book.close()
    return rows


def _refuse_zip_bomb(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise UnreadableFile(message("The XLSX file cannot be opened; it may be damaged.")) from exc
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise UnreadableFile(
            message(
                "The spreadsheet unpacks to more than %(mb)d MB; save it as CSV instead.",
                mb=MAX_XLSX_UNPACKED_BYTES // (1024 * 1024),
            )
        )


def _xlsx_cells(values: tuple[object, ...]) -> tuple[tuple[str, ...], frozenset[int]]:
    cells = tuple(cell_text(value) for value in values)
    numeric = frozenset(
        i for i, v in enumerate(values) if isinstance(v, int | float) and not isinstance(v, bool)
    )
    return cells, numeric


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
