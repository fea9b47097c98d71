"""A sheet read as text: the layout found in its header and its data rows in chunks.

Both readers (CSV and XLSX) hand the converter the same thing, so everything after reading
is format-blind.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from .headers import Layout
from .model import Severity


@dataclass(frozen=True)
class RawChunk:
    """Consecutive data rows: cell texts of the used columns, and their spreadsheet rows."""

    columns: dict[int, np.ndarray]  # column index → object array of str ("" for empty)
    rows: np.ndarray  # int64 spreadsheet row numbers


@dataclass(frozen=True)
class RowFinding:
    """A problem with a whole row found while reading (e.g. a wrong number of cells)."""

    row: int
    reason: str
    severity: Severity = "error"


@dataclass
class RawTable:
    layout: Layout
    chunks: Iterable[RawChunk]
    findings: list[RowFinding] = field(default_factory=list)
