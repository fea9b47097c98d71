"""Reading CSV exports: encoding, delimiter, header row, row-shape check, rows in chunks.

Every cell is read as text (no NA inference), so account ids keep their leading zeros and
the converters see exactly what the file says. The cells of numeric and date-time fields
come as fixed-width UTF-8 bytes rather than Python strings: a million-row export has some
twenty million of them, and creating an object for each was most of the reading time.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np
import pandas as pd

from hrapp.core.messages import message

# The encoding sniffing is the intake's; its names stay importable from here.
from hrapp.intake.sniff import HEAD_BYTES as _HEAD_BYTES
from hrapp.intake.sniff import (  # noqa: F401 - the old import path
    encoding_candidates,
    may_fall_back,
    undecodable,
)

from .headers import HEADER_SCAN_ROWS, Layout, find_layout
from .model import ImportFileError
from .profiles import Kind, Profile
from .tables import RawChunk, RawTable, RowFinding

CHUNK_ROWS = 100_000
# Wider than any number or time an export writes (``¥1,234,567,890.00`` takes 19 bytes, an
# ISO time with microseconds and offset 32). A cell that fills the width may have been cut
# short, so the file is then read again all as text.
CELL_BYTES = 40
_BYTES_KINDS = frozenset({Kind.COUNT, Kind.MONEY, Kind.SIGNED_MONEY, Kind.DURATION, Kind.INSTANT})
_BLOCK_BYTES = 1024 * 1024  # small enough to stay in cache while counting


class EncodingMismatch(Exception):
    """The chosen encoding failed further into the file; the next candidate may fit."""


class CellTooWide(Exception):
    """A cell read as bytes filled its fixed width; the file must be read all as text."""


def open_csv(
    data: bytes, encoding: str, profiles: Sequence[Profile], *, cells_as_bytes: bool = True
) -> RawTable:
    """Find the header and check every row's shape; rows are read lazily in chunks.

    Raises ``EncodingMismatch`` (from the chunks too) when the text does not decode, so the
    caller can start over with the next candidate encoding, and ``CellTooWide`` (from the
    chunks) when a cell is too long for its bytes, so the caller can start over with
    ``cells_as_bytes=False``. Offsets into ``data`` are passed around instead of slices:
    the file may be hundreds of megabytes.
    """
    if b"\n" not in data:
        data = data.replace(b"\r", b"\n")  # classic Mac line ends
    head = _decode_head(data[:_HEAD_BYTES], encoding, whole=len(data) <= _HEAD_BYTES)
    delimiter = "\t" if head.count("\t") > head.count(",") else ","
    reader = csv.reader(io.StringIO(head, newline=""), delimiter=delimiter)
    records = list(itertools.islice(reader, HEADER_SCAN_ROWS))
    layout = find_layout(records, profiles)
    header_at = _offset_after_lines(data, _lines_through(head, delimiter, layout.header_row - 1))
    body_at = _offset_after_lines(data, _lines_through(head, delimiter, layout.header_row))
    file = _CsvText(data, encoding, delimiter)
    counts = file.cell_counts(body_at)
    if (counts > len(layout.headers)).any():
        # pandas drops or chokes on cells beyond the header's width; such files are rare.
        chunks = file.chunks_by_csv_module(body_at, layout)
    else:
        # Without data rows pandas would take the dtypes' column keys for other columns.
        as_bytes = cells_as_bytes and len(counts) > 0
        chunks = file.chunks(header_at, layout, cells_as_bytes=as_bytes)
    return RawTable(layout, chunks, _shape_findings(data, counts, layout))


def _decode_head(head: bytes, encoding: str, *, whole: bool) -> str:
    try:
        text = codecs.getincrementaldecoder(encoding)().decode(head, final=whole)
    except UnicodeDecodeError:
        raise EncodingMismatch from None
    return text if whole else text[: text.rfind("\n") + 1]


def _lines_through(head: str, delimiter: str, record_count: int) -> int:
    """Physical lines taken by the first ``record_count`` records (quoted cells may span lines)."""
    reader = csv.reader(io.StringIO(head, newline=""), delimiter=delimiter)
    for _ in itertools.islice(reader, record_count):
        pass
    return reader.line_num


def _offset_after_lines(data: bytes, lines: int) -> int:
    offset = 0
    for _ in range(lines):
        found = data.find(b"\n", offset)
        if found < 0:
            return len(data)
        offset = found + 1
    return offset


def _shape_findings(data: bytes, counts: np.ndarray, layout: Layout) -> list[RowFinding]:
    """Rows with more or fewer cells than the header: their values would sit in wrong columns.

    Records of a single cell are left to the converter: blank lines are skipped there, and a
    note like 合计 fails on its missing account and start.
    """
    expected = len(layout.headers)
    findings = [
        RowFinding(
            layout.header_row + 1 + int(index),
            message(
                "This row has %(cells)d cells but the header has %(expected)d; a value may "
                "contain an unquoted comma or the row was cut.",
                cells=int(counts[index]),
                expected=expected,
            ),
        )
        for index in np.flatnonzero((counts > 1) & (counts != expected))
    ]
    if len(counts) and not data.endswith(b"\n") and data[data.rfind(b"\n") + 1 :].strip():
        findings.append(
            RowFinding(
                layout.header_row + len(counts),
                message(
                    "The file does not end with a line break; if the download was cut short, "
                    "this last row may be incomplete."
                ),
                "warning",
            )
        )
    return findings


class _CsvText:
    """The CSV bytes with their encoding and delimiter, read from a given offset."""

    def __init__(self, data: bytes, encoding: str, delimiter: str) -> None:
        self.data = data
        self.encoding = encoding
        self.delimiter = delimiter

    def _stream(self, offset: int) -> io.BytesIO:
        stream = io.BytesIO(self.data)  # shares the bytes, no copy
        stream.seek(offset)
        return stream

    def _records(self, offset: int) -> Iterator[list[str]]:
        text = io.TextIOWrapper(self._stream(offset), encoding=self.encoding, newline="")
        return csv.reader(text, delimiter=self.delimiter)

    def cell_counts(self, offset: int) -> np.ndarray:
        """Cells per record from ``offset`` on (a blank record counts 1)."""
        if self.data.find(b'"', offset) < 0:
            return self._cell_counts_plain(offset)
        # Quotes may hide delimiters and line breaks: only a real CSV parser can count.
        with _reading():
            return np.fromiter((len(r) or 1 for r in self._records(offset)), dtype=np.int64)

    def _cell_counts_plain(self, offset: int) -> np.ndarray:
        """Counted on the bytes in numpy: safe for UTF-8 and GB18030 alike, as neither uses the
        bytes of ``,``, tab or newline inside a multi-byte character."""
        raw = np.frombuffer(self.data, dtype=np.uint8, offset=offset)
        delimiter = ord(self.delimiter)
        parts: list[np.ndarray] = []
        carry = 0  # delimiters of the record that runs over into the next block
        for start in range(0, len(raw), _BLOCK_BYTES):
            block = raw[start : start + _BLOCK_BYTES]
            is_delimiter = (block == delimiter).view(np.uint8)
            ends = np.flatnonzero(block == ord("\n"))
            if not len(ends):
                carry += int(np.count_nonzero(is_delimiter))
                continue
            starts = np.concatenate(([0], ends[:-1] + 1))
            per_record = np.add.reduceat(is_delimiter, starts, dtype=np.int64)
            tail = int(np.count_nonzero(is_delimiter[ends[-1] + 1 :]))
            per_record[-1] -= tail  # the last segment runs to the block's end
            per_record[0] += carry
            carry = tail
            parts.append(per_record)
        if len(raw) and not self.data.endswith(b"\n"):
            parts.append(np.array([carry]))
        counts = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        return counts + 1

    def chunks(self, header_at: int, layout: Layout, *, cells_as_bytes: bool) -> Iterator[RawChunk]:
        """The fast reader: pandas' C parser, fed from the header record so the header fixes
        the width (a short row is padded, never shifted)."""
        used = sorted(set(layout.columns.values()))
        as_bytes = _byte_columns(layout) if cells_as_bytes else set()
        # Keys are the file's column positions (pandas reads them so only when there is data).
        dtypes = {c: f"S{CELL_BYTES}" if c in as_bytes else object for c in used}
        first_row = layout.header_row + 1
        with _reading():
            reader = pd.read_csv(
                self._stream(header_at),
                sep=self.delimiter,
                header=0,
                usecols=used,
                dtype=dtypes if as_bytes else object,  # type: ignore[arg-type]
                na_filter=False,
                skip_blank_lines=False,
                encoding=self.encoding,
                engine="c",
                chunksize=CHUNK_ROWS,
            )
            with reader:
                for frame in reader:
                    rows = np.arange(first_row, first_row + len(frame), dtype=np.int64)
                    first_row += len(frame)
                    yield RawChunk(_cells(frame, used, as_bytes), rows)

    def chunks_by_csv_module(self, body_at: int, layout: Layout) -> Iterator[RawChunk]:
        """The slow reader for files with over-long rows: each record padded or cut to the
        header's width (the over-long rows are rejected anyway; their neighbours read
        normally)."""
        used = sorted(set(layout.columns.values()))
        records = self._records(body_at)
        first_row = layout.header_row + 1
        with _reading():
            while batch := list(itertools.islice(records, CHUNK_ROWS)):
                columns = {
                    c: np.array([r[c] if c < len(r) else "" for r in batch], dtype=object)
                    for c in used
                }
                rows = np.arange(first_row, first_row + len(batch), dtype=np.int64)
                yield RawChunk(columns, rows)
                first_row += len(batch)


def _byte_columns(layout: Layout) -> set[int]:
    """Columns read only as numbers or times (a column also serving a text field stays text)."""
    numeric = {layout.columns[s.field] for s in layout.specs if s.kind in _BYTES_KINDS}
    other = {layout.columns[s.field] for s in layout.specs if s.kind not in _BYTES_KINDS}
    return numeric - other


def _cells(frame: pd.DataFrame, used: list[int], as_bytes: set[int]) -> dict[int, np.ndarray]:
    cells = {}
    for position, column in enumerate(used):
        if column in as_bytes:
            values = frame.iloc[:, position].to_numpy()
            if values.view(np.uint8).reshape(len(values), CELL_BYTES)[:, -1].any():
                raise CellTooWide
        else:
            values = frame.iloc[:, position].to_numpy(dtype=object)
        cells[column] = values
    return cells


@contextmanager
def _reading() -> Iterator[None]:
    try:
        yield
    except UnicodeDecodeError:
        raise EncodingMismatch from None
    except (csv.Error, pd.errors.ParserError) as error:
        raise ImportFileError(
            message("The CSV file is malformed: %(error)s", error=str(error))
        ) from None
