"""A sheet read as text: the layout found in its header and its data rows in chunks.

Both readers (CSV and XLSX) hand the converter the same thing, so everything after reading
is format-blind. A column comes either as an object array of ``str`` or, for the number and
date-time fields of a CSV file, as a fixed-width array of UTF-8 bytes (numpy ``S``): the CSV
parser fills those without creating a Python object per cell, and the readers of numbers and
times work on the bytes directly. A bytes column always holds every cell whole (the reader
guarantees it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from hrapp.core.messages import Message

from .headers import Layout
from .model import Severity


@dataclass(frozen=True)
class RawChunk:
    """Consecutive data rows: cell texts of the used columns, and their spreadsheet rows."""

    columns: dict[int, np.ndarray]  # column index → str objects or UTF-8 bytes ("" for empty)
    rows: np.ndarray  # int64 spreadsheet row numbers


def is_bytes(column: np.ndarray) -> bool:
    return column.dtype.kind == "S"


def cell_text(column: np.ndarray, pos: int) -> str:
    """One cell as text, whichever kind of column holds it."""
    value = column[pos]
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def as_texts(column: np.ndarray) -> np.ndarray:
    """The column as an object array of ``str``."""
    if not is_bytes(column):
        return column
    return np.array([value.decode("utf-8") for value in column.tolist()], dtype=object)


def empty_cells(column: np.ndarray) -> np.ndarray:
    return column == (b"" if is_bytes(column) else "")


@dataclass(frozen=True)
class RowFinding:
    """A problem with a whole row found while reading (e.g. a wrong number of cells)."""

    row: int
    reason: Message
    severity: Severity = "error"


@dataclass
class RawTable:
    layout: Layout
    chunks: Iterable[RawChunk]
    findings: list[RowFinding] = field(default_factory=list)
