"""Telling an XLSX workbook from CSV text by content, and refusing hostile archives.

The file name's extension is only used to refuse a file that claims to be a workbook but is
not (a renamed CSV, an HTML "Excel" export, an old binary .xls); the content decides which
reader runs. The sizes a workbook may unpack to are the intake's one set of limits
(`hrapp.intake.limits`).

No Flask, no database.
"""

from __future__ import annotations

import codecs
import io
import zipfile
from pathlib import PurePath
from typing import Literal

from hrapp.core.message_data import message

from . import limits
from .problems import ImportFileError

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORKBOOK_EXTENSIONS = {".xlsx", ".xlsm", ".xls"}
_SNIFF_BYTES = 65536
# How much of a text file's start judges its encoding (and where the CSV reader's header search
# looks): enough for the header rows and a few hundred data rows.
HEAD_BYTES = 256 * 1024
_UTF8, _UTF8_BOM, _GB18030 = "utf-8", "utf-8-sig", "gb18030"


def detect_container(data: bytes, filename: str, *, utf16: bool = False) -> Literal["xlsx", "csv"]:
    """Which reader the content needs; ImportFileError when it is neither.

    ``utf16``: the caller decodes UTF-16 text (by its BOM) itself; the session list reader
    streams bytes and cannot, so by default UTF-16 is refused with advice.
    """
    if not data or data.isspace():
        raise ImportFileError(message("The file is empty."))
    claims_workbook = PurePath(filename).suffix.lower() in _WORKBOOK_EXTENSIONS
    if data.startswith(_ZIP_MAGIC):
        return "xlsx"
    if data.startswith(_OLE_MAGIC):
        raise ImportFileError(
            message(
                "This is an old-style .xls workbook (or an encrypted one). Open it in Excel and "
                "save it as .xlsx or CSV (UTF-8), then upload that."
            )
        )
    if data.startswith(_UTF16_BOMS):
        if utf16 and not claims_workbook:
            return "csv"
        raise ImportFileError(
            message(
                "The file is UTF-16 text; this import reads UTF-8, UTF-8 with BOM and GB18030. "
                "Save it as CSV (UTF-8) and upload that."
            )
        )
    if b"\x00" in data:
        raise ImportFileError(
            message("This is neither an Excel workbook (.xlsx) nor a CSV text file.")
        )
    if data[:_SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        raise ImportFileError(
            message(
                "This file is a web page or XML, not a real spreadsheet. Open it in Excel and "
                "save it as .xlsx or CSV (UTF-8), then upload that."
            )
        )
    if claims_workbook:
        raise ImportFileError(
            message(
                "“%(file)s” is named like an Excel workbook but its content is text. Upload it "
                "with a .csv name, or save it from Excel as .xlsx.",
                file=PurePath(filename).name,
            )
        )
    return "csv"


def check_workbook_archive(data: bytes, max_rows: int = limits.MAX_ROWS) -> None:
    """Refuse archives that are not workbooks or that unpack to absurd sizes, before parsing.

    The sizes come from the zip directory; Python's zipfile stops decompressing an entry at its
    declared size, so a directory that lies cannot make openpyxl read more than checked here.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ImportFileError(
            message("The workbook is damaged and cannot be opened (%(error)s).", error=str(error))
        ) from None
    check_workbook_entries(entries, max_rows)


def check_workbook_entries(entries: list[zipfile.ZipInfo], max_rows: int) -> None:
    """`check_workbook_archive` on a zip directory already read."""
    names = {entry.filename for entry in entries}
    if not {"[Content_Types].xml", "xl/workbook.xml"} <= names:
        raise ImportFileError(message("This is a ZIP archive, not an Excel workbook (.xlsx)."))
    total = sum(entry.file_size for entry in entries)
    bulky = [e for e in entries if e.file_size > limits.RATIO_EXEMPT_BYTES]
    if total > limits.unpacked_budget(max_rows) or any(
        e.file_size > limits.MAX_COMPRESSION_RATIO * max(e.compress_size, 1) for e in bulky
    ):
        raise ImportFileError(
            message(
                "The workbook unpacks to an implausible size and was refused. Export the data "
                "again or save it as CSV (UTF-8)."
            )
        )


def decode_text(data: bytes) -> str:
    """A whole text file decoded: UTF-16 by its BOM, else UTF-8 (with or without BOM), else
    GB18030. UTF-8 comes first because GB18030 decodes almost any bytes, so UTF-8 text read
    as GB18030 would be silent mojibake."""
    utf16 = data.startswith(_UTF16_BOMS)
    for encoding in ("utf-16",) if utf16 else ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(
            message("The file is neither UTF-8 nor GB18030 text. Save it as CSV (UTF-8) or XLSX.")
        )
    if "\x00" in text:
        raise ImportFileError(
            message("This is neither an Excel workbook (.xlsx) nor a CSV text file.")
        )
    return text


def encoding_candidates(data: bytes) -> list[str]:
    """Encodings to try, in order, judged from the start of the file.

    UTF-8 comes first; GB18030 is tried only when the start is not UTF-8 or is plain ASCII,
    because UTF-8 text read as GB18030 decodes without error into mojibake.
    """
    if data.startswith(codecs.BOM_UTF8):
        return [_UTF8_BOM]
    head = data[:HEAD_BYTES]
    if _decodes(head, _UTF8):
        return [_UTF8, _GB18030] if head.isascii() else [_UTF8]
    if _decodes(head, _GB18030):
        return [_GB18030]
    raise undecodable(data, _GB18030)


def _decodes(head: bytes, encoding: str) -> bool:
    try:
        codecs.getincrementaldecoder(encoding)().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def undecodable(data: bytes, encoding: str) -> ImportFileError:
    try:
        data.decode(encoding)
    except UnicodeDecodeError as error:
        offset = error.start
    else:  # pragma: no cover - only called after a decoding failure
        return ImportFileError(message("The file could not be decoded."))
    return ImportFileError(
        message(
            "The file's text could not be decoded (first bad byte at offset %(offset)s); tried "
            "UTF-8, UTF-8 with BOM and GB18030. Save it as CSV (UTF-8) and upload it again.",
            offset=f"{offset:,}",
        )
    )


def may_fall_back(data: bytes) -> bool:
    """After UTF-8 failed: only if all text before the bad byte was ASCII is GB18030 safe."""
    try:
        data.decode(_UTF8)
    except UnicodeDecodeError as error:
        return data[: error.start].isascii()
    return False  # pragma: no cover - only called after a decoding failure
