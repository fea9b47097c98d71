"""Douyin 直播大屏's official per-session download (整场数据下载): one workbook, one session.

The workbook is not a table of sessions but several small sheets read as key/value
(see domain.md, "Importing platform exports"):

- 基本信息 and 整体看板: a header row and one value row (account, nickname, 直播时间 as one
  "start-end" cell, 直播间用户支付金额; viewers, online, watch time …);
- 流量分析-流量转化: name and value in two columns (成交人数 …);
- 流量分析-渠道分析: a table by 渠道名称 whose row 整体 is the whole session (成交订单数 …);
- 商品分析-商品明细: a table by 商品ID whose 成交件数 add up to the items sold.

Only 基本信息 and 整体看板 are required; the other sheets fill in what they carry. ``—`` is
"not provided" (unknown, never 0). The workbook carries the buyer-paid amount but no 成交金额:
that amount becomes the session's GMV, and the row says so in ``gmv_basis`` ("buyer_paid").

The cells found are turned into a one-row sheet and converted by the same code as every
other export (`convert.convert_chunk`), so numbers, times and checks read alike; each problem
then names the file, the sheet and the cell it is about. No Flask, no database.
"""

from __future__ import annotations

import functools
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from html import unescape
from typing import Any, NamedTuple, cast

import numpy as np
import pandas as pd
import python_calamine
from openpyxl.utils import get_column_letter

from hrapp.core.messages import Message, message
from hrapp.intake import limits

from .archives import is_zip, plain_directory, read_plain
from .convert import ERROR_COLUMN, convert_chunk
from .headers import Layout
from .headers import normalize_header as _normalize
from .model import ImportFileError, Problem, ProblemLog
from .numbers import is_null_text, read_counts
from .profiles import DOUYIN_SESSION
from .sniff import check_workbook_archive, check_workbook_entries
from .tables import RawChunk
from .xlsx_checks import CalamineUnfit
from .xlsx_source import calamine_text

BASIC, OVERVIEW = "基本信息", "整体看板"
FLOW, CHANNELS, PRODUCTS = "流量分析-流量转化", "流量分析-渠道分析", "商品分析-商品明细"
REQUIRED_SHEETS = (BASIC, OVERVIEW)
WHOLE_SESSION = "整体"  # the 渠道分析 row that is every channel together
GMV_FROM_BUYER_PAID = "buyer_paid"  # gmv_basis of a GMV that is the buyer-paid amount
# The sheets are small; a sheet claiming more is not this download (or is hostile).
MAX_SHEET_ROWS, MAX_SHEET_COLUMNS = 20_000, 200
_ARCHIVE_ROW_BUDGET = 20_000
# A thousand workbooks repeat the same few dozen headers.
normalize_header = functools.lru_cache(maxsize=4096)(_normalize)
_SHEET_NAME = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\bname=\"([^\"]*)\"")
_BOOK = "xl/workbook.xml"  # the workbook part, which lists the sheets


class Place(NamedTuple):
    """Where a value was read: sheet, cell (``C2``; a range for a sum) and its name there."""

    sheet: str
    cell: str
    header: str
    row: int


@dataclass(frozen=True)
class Source:
    """Where a field may be read: a sheet, how it is laid out, and the names it goes by."""

    sheet: str
    layout: str  # "record": header row + value row; "pairs": name | value; "whole": row 整体
    names: tuple[str, ...]

    @functools.cached_property
    def keys(self) -> tuple[str, ...]:
        """The names as `normalize_header` gives them (what the sheet's index holds)."""
        return tuple(normalize_header(n) for n in self.names)


# Per field, its sources in order of preference: the first that gives a value wins.
SOURCES: dict[str, tuple[Source, ...]] = {
    "account_id": (Source(BASIC, "record", ("抖音号or火山号", "抖音号或火山号", "抖音号")),),
    "nickname": (Source(BASIC, "record", ("达人昵称", "主播昵称")),),
    "session_time": (Source(BASIC, "record", ("直播时间",)),),
    "duration": (Source(BASIC, "record", ("直播时长",)), Source(OVERVIEW, "record", ("直播时长",))),
    "gmv_minor": (Source(BASIC, "record", ("直播间用户支付金额", "用户支付金额")),),
    "viewers": (
        Source(OVERVIEW, "record", ("直播间观看人数", "累计观看人数", "观看人数")),
        Source(FLOW, "pairs", ("直播间观看人数",)),
        Source(CHANNELS, "whole", ("观看人数",)),
    ),
    "views": (Source(OVERVIEW, "record", ("直播间观看次数", "观看次数")),),
    "avg_online": (Source(OVERVIEW, "record", ("平均在线人数", "平均在线")),),
    "peak_online": (Source(OVERVIEW, "record", ("最高在线人数", "最高在线")),),
    "avg_watch_seconds": (Source(OVERVIEW, "record", ("人均观看时长",)),),
    "comments": (Source(OVERVIEW, "record", ("评论次数",)),),
    "new_followers": (Source(OVERVIEW, "record", ("新增粉丝数", "新增粉丝")),),
    "buyers": (
        Source(FLOW, "pairs", ("成交人数",)),
        Source(CHANNELS, "whole", ("成交人数",)),
        Source(OVERVIEW, "record", ("成交人数",)),
    ),
    "orders": (
        Source(CHANNELS, "whole", ("成交订单数",)),
        Source(FLOW, "pairs", ("成交订单数",)),
        Source(OVERVIEW, "record", ("成交订单数",)),
    ),
    "items_sold": (Source(OVERVIEW, "record", ("成交件数",)),),
}
REQUIRED_FIELDS = ("account_id", "session_time", "gmv_minor")
# Per sheet, the layouts its fields are read in.
_LAYOUTS = {
    sheet: frozenset(s.layout for sources in SOURCES.values() for s in sources if s.sheet == sheet)
    for sheet in {s.sheet for sources in SOURCES.values() for s in sources}
}
ITEMS_COLUMN = "成交件数"


@dataclass
class SessionCells:
    """One per-session workbook's cells: per field, its text and where it was read, and the
    problems found while reading (a product's 成交件数)."""

    filename: str
    cells: dict[str, tuple[str, Place]]
    problems: list[Problem] = field(default_factory=list)

    @property
    def places(self) -> dict[str, Place]:
        places = {name: place for name, (_text, place) in self.cells.items()}
        # Later checks (duplicates, stored sessions) speak of the start and end.
        places["started_at"] = places["ended_at"] = places["session_time"]
        return places


@dataclass
class SessionWorkbook:
    """One per-session workbook read: its session row (none when it has errors), every
    problem (each naming the file, sheet and cell), and where each field was read."""

    filename: str
    rows: pd.DataFrame  # canonical columns plus ``gmv_basis``; 1 row, or 0 with errors
    problems: list[Problem]
    places: dict[str, Place] = field(default_factory=dict)

    @property
    def has_errors(self) -> bool:
        return any(p.severity == "error" for p in self.problems)


def is_session_workbook(data: bytes) -> bool:
    """A workbook with the sheets of the per-session download (基本信息 and 整体看板).

    Reads only the workbook's list of sheets, so a list export of any size costs nothing."""
    return _sheet_names(data) is not None and set(REQUIRED_SHEETS) <= _sheet_names(data)


def session_workbook_checked(data: bytes) -> bool:
    """`is_session_workbook`, and for one, the archive's sizes checked (ImportFileError when
    implausible): the zip directory is read once for both, without zipfile where the workbook
    is a plain ZIP (`archives.plain_directory`; a thousand workbooks make a batch)."""
    entries = plain_directory(data)
    info = None if entries is None else next((e for e in entries if e.filename == _BOOK), None)
    xml = None
    if info is not None and info.file_size <= limits.MAX_WORKBOOK_PART_BYTES:
        xml = read_plain(data, info)
    if entries is None or xml is None:
        return _session_workbook_checked_by_zipfile(data)
    if not set(REQUIRED_SHEETS) <= _names_of(xml):
        return False
    # The check reads the entries' names and sizes only, which an `Entry` gives as a ZipInfo.
    check_workbook_entries(cast("list[zipfile.ZipInfo]", entries), _ARCHIVE_ROW_BUDGET)
    return True


def _session_workbook_checked_by_zipfile(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            names = _names_in(archive)
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False
    if names is None or not set(REQUIRED_SHEETS) <= names:
        return False
    check_workbook_entries(entries, _ARCHIVE_ROW_BUDGET)
    return True


def _sheet_names(data: bytes) -> set[str] | None:
    if not is_zip(data):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return _names_in(archive)
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None


def _names_in(archive: zipfile.ZipFile) -> set[str] | None:
    info = archive.getinfo(_BOOK)
    if info.file_size > limits.MAX_WORKBOOK_PART_BYTES:
        return None
    return _names_of(archive.read(info))


def _names_of(xml: bytes) -> set[str]:
    names = (n.decode("utf-8", "replace") for n in _SHEET_NAME.findall(xml))
    return {(unescape(n) if "&" in n else n).strip() for n in names}


def read_session_workbook(data: bytes, filename: str, *, org_timezone: str) -> SessionWorkbook:
    """The workbook's one session; ImportFileError (naming the file) when it cannot be read."""
    cells = read_cells(data, filename)
    frame, problems, _rejected = convert_sessions([cells], [1], org_timezone)
    return SessionWorkbook(filename, frame, problems, cells.places)


def read_cells(data: bytes, filename: str, *, checked: bool = False) -> SessionCells:
    """Find each field's cell in the workbook; ImportFileError (naming the file) when it
    cannot be read or lacks a required column. The texts are converted by `convert_sessions`,
    many workbooks at once. ``checked``: the archive's sizes are (`session_workbook_checked`)."""
    if not checked:
        check_workbook_archive(data, _ARCHIVE_ROW_BUDGET)
    grids = _read_sheets(data, filename)
    sheets = {
        name: _Indexed(grid, _LAYOUTS[name]) for name, grid in grids.items() if name in _LAYOUTS
    }
    problems: list[Problem] = []
    cells: dict[str, tuple[str, Place]] = {}
    for name, sources in SOURCES.items():
        found = _find(sheets, sources)
        if found is not None:
            cells[name] = found
    items = _items_sold(grids.get(PRODUCTS), filename, problems)
    if items is not None and "items_sold" not in cells:
        cells["items_sold"] = items
    for name in REQUIRED_FIELDS:
        if name not in cells:
            source = SOURCES[name][0]
            raise ImportFileError(
                message(
                    "%(file)s: the sheet %(sheet)s has no column %(column)s.",
                    file=filename,
                    sheet=source.sheet,
                    column=source.names[0],
                )
            )
    cells["buyer_paid_minor"] = cells["gmv_minor"]
    return SessionCells(filename, cells, problems)


# --- reading the sheets -----------------------------------------------------------------------


Grid = list[list[str]]  # a sheet's cells as text, from A1


def _read_sheets(data: bytes, filename: str) -> dict[str, Grid]:
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as error:
        raise _damaged(filename, error) from None
    try:
        wanted = {BASIC, OVERVIEW, FLOW, CHANNELS, PRODUCTS}
        return {
            name.strip(): _grid(workbook, name, filename)
            for name in workbook.sheet_names
            if name.strip() in wanted
        }
    finally:
        workbook.close()


def _damaged(filename: str, error: BaseException) -> ImportFileError:
    return ImportFileError(
        message(
            "%(file)s: the workbook is damaged and cannot be read (%(error)s).",
            file=filename,
            error=type(error).__name__,
        )
    )


def _grid(workbook: python_calamine.CalamineWorkbook, name: str, filename: str) -> Grid:
    try:
        sheet = workbook.get_sheet_by_name(name)
        if sheet.start is None:
            return []
        rows, columns = sheet.end[0] + 1, sheet.end[1] + 1
        if rows > MAX_SHEET_ROWS or columns > MAX_SHEET_COLUMNS:
            raise ImportFileError(
                message(
                    "%(file)s: the sheet %(sheet)s is far larger than a per-session download's "
                    "(%(rows)s rows, %(columns)s columns) and was refused.",
                    file=filename,
                    sheet=name.strip(),
                    rows=f"{rows:,}",
                    columns=f"{columns:,}",
                )
            )
        values = sheet.to_python(skip_empty_area=False)
    except ImportFileError:
        raise
    except Exception as error:
        raise _damaged(filename, error) from None
    return [[v if type(v) is str else _text(v) for v in row] for row in values]


def _text(value: Any) -> str:
    try:
        return calamine_text(value)
    except CalamineUnfit:  # an integer too long for a double: no figure we read is one
        return repr(value)


def _blank(row: Sequence[str]) -> bool:
    return not "".join(row).strip()  # every cell blank (whitespace only)


def _header_row(grid: Grid) -> int | None:
    """The index of the first non-blank row."""
    return next((i for i, row in enumerate(grid) if not _blank(row)), None)


def _column_of(header: Sequence[str], names: tuple[str, ...]) -> int | None:
    normalized = [normalize_header(h) for h in header]
    for name in names:
        if normalize_header(name) in normalized:
            return normalized.index(normalize_header(name))
    return None


def _cell(grid: Grid, row: int, column: int) -> str:
    return grid[row][column] if column < len(grid[row]) else ""


@functools.lru_cache(maxsize=4096)  # a batch's workbooks have their figures in the same cells
def _place(sheet: str, row: int, column: int, header: str) -> Place:
    return Place(sheet, f"{get_column_letter(column + 1)}{row + 1}", header.strip(), row + 1)


class _Indexed:
    """A sheet's cells, and where its names are, indexed for the layouts the sheet is read in
    (`_LAYOUTS`): a thousand workbooks make a batch, so only what some field asks is built."""

    __slots__ = ("columns", "grid", "pairs", "record_row", "top", "whole_row")

    def __init__(self, grid: Grid, layouts: frozenset[str]) -> None:
        self.grid = grid
        self.top = top = _header_row(grid)
        tabular = top is not None and not layouts <= {"pairs"}
        # Header row: name → column; first column: name → row.
        self.columns = _first_positions(grid[top]) if tabular else {}
        paired = "pairs" in layouts
        self.pairs = _first_positions(row[0] if row else "" for row in grid) if paired else {}
        self.record_row = _record_row(grid, top) if "record" in layouts else None
        self.whole_row = _whole_row(grid, top) if "whole" in layouts else None


def _first_positions(names: Iterable[str]) -> dict[str, int]:
    """Each name (as `normalize_header` gives it) → where it first appears."""
    positions: dict[str, int] = {}
    for position, name in enumerate(names):
        positions.setdefault(normalize_header(name), position)
    return positions


def _record_row(grid: Grid, top: int | None) -> int | None:
    """The first non-blank row below the header."""
    if top is None:
        return None
    return next((i for i in range(top + 1, len(grid)) if not _blank(grid[i])), None)


def _whole_row(grid: Grid, top: int | None) -> int | None:
    """The row 整体 below the header."""
    if top is None:
        return None
    below = range(top + 1, len(grid))
    return next((i for i in below if grid[i] and normalize_header(grid[i][0]) == _WHOLE), None)


_WHOLE = normalize_header(WHOLE_SESSION)


def _lookup(sheet: _Indexed, source: Source) -> tuple[str, Place] | None:
    """The text a source names, and where it is; None where the sheet does not have it."""
    grid = sheet.grid
    if source.layout == "pairs":
        row = _first_of(sheet.pairs, source.keys)
        if row is None:
            return None
        return _cell(grid, row, 1), _place(source.sheet, row, 1, grid[row][0])
    if sheet.top is None:
        return None
    column = _first_of(sheet.columns, source.keys)
    if column is None:
        return None
    row = sheet.record_row if source.layout == "record" else sheet.whole_row
    if row is None:
        return None
    return _cell(grid, row, column), _place(source.sheet, row, column, grid[sheet.top][column])


def _first_of(index: dict[str, int], keys: tuple[str, ...]) -> int | None:
    for key in keys:
        if key in index:
            return index[key]
    return None


def _find(sheets: dict[str, _Indexed], sources: tuple[Source, ...]) -> tuple[str, Place] | None:
    """The first source with a value; else the first that has the cell (its value unknown).
    Sources after the first with a value are not looked at."""
    unknown = None
    for source in sources:
        sheet = sheets.get(source.sheet)
        found = None if sheet is None else _lookup(sheet, source)
        if found is None:
            continue
        if not is_null_text(found[0]):
            return found
        unknown = unknown or found
    return unknown


def _items_sold(
    grid: Grid | None, filename: str, problems: list[Problem]
) -> tuple[str, Place] | None:
    """The products' 成交件数 added up; unknown when no product gives it."""
    if not grid:
        return None
    top = _header_row(grid)
    column = None if top is None else _column_of(grid[top], (ITEMS_COLUMN,))
    if top is None or column is None:
        return None
    rows = [i for i in range(top + 1, len(grid)) if not _blank(grid[i])]
    if not rows:
        return None
    plain = [_cell(grid, i, column).strip() for i in rows]
    given = [t for t in plain if not is_null_text(t)]
    if all(t.isascii() and t.isdigit() for t in given):  # the usual case, without numpy
        total = str(sum(map(int, given))) if given else ""
        return total, _items_place(grid, top, rows, column)
    texts = np.array([_cell(grid, i, column) for i in rows], dtype=object)
    counts = read_counts(texts)
    header = grid[top][column]
    for pos, reason in counts.errors.items():
        place = _place(PRODUCTS, rows[pos], column, header)
        problems.append(_problem(filename, place, texts[pos], reason))
    total = "" if counts.missing.all() else str(int(counts.values[~counts.missing].sum()))
    return total, _items_place(grid, top, rows, column)


def _items_place(grid: Grid, top: int, rows: list[int], column: int) -> Place:
    """The 成交件数 cells added up, as a range (``D2:D9``)."""
    return _span(grid[top][column], rows[0], rows[-1], column)


@functools.lru_cache(maxsize=1024)
def _span(header: str, first_row: int, last_row: int, column: int) -> Place:
    first = _place(PRODUCTS, first_row, column, header)
    if first_row == last_row:
        return first
    return first._replace(cell=f"{first.cell}:{_place(PRODUCTS, last_row, column, '').cell}")


# --- converting ------------------------------------------------------------------------------

# The converter's sheet: one column per field, named by the field's first alias (unique but for
# GMV and the buyer-paid amount, which are one cell).
_FIELDS = tuple(spec.field for spec in DOUYIN_SESSION.fields)
_HEADERS = tuple(spec.aliases[0] for spec in DOUYIN_SESSION.fields)
_FIELD_OF_HEADER = {
    header: name for name, header in reversed(list(zip(_FIELDS, _HEADERS, strict=True)))
}


def convert_sessions(
    workbooks: list[SessionCells], rows: list[int], tz: str
) -> tuple[pd.DataFrame, list[Problem], set[int]]:
    """The workbooks' sessions, one row each numbered by ``rows``, converted together by the
    ordinary converter (a thousand workbooks cost one conversion, not a thousand): the valid
    rows (with ``gmv_basis``), every problem placed in its file, sheet and cell, and the rows
    refused."""
    layout = Layout(DOUYIN_SESSION, 0, _HEADERS, {n: i for i, n in enumerate(_FIELDS)}, "CNY")
    columns = {
        i: np.array([wb.cells.get(name, ("", None))[0] for wb in workbooks], dtype=object)
        for i, name in enumerate(_FIELDS)
    }
    log = ProblemLog()
    frame = convert_chunk(
        RawChunk(columns, np.array(rows, dtype=np.int64)), layout, tz, log, frozenset()
    )
    by_row = dict(zip(rows, workbooks, strict=True))
    problems = [p for wb in workbooks for p in wb.problems]
    rejected = {
        row for row, wb in by_row.items() if any(p.severity == "error" for p in wb.problems)
    }
    rejected |= log.rejected
    for row in set(rows) - set(frame["source_row"]) - rejected:  # every cell blank
        log.add(row, _HEADERS[0], "", message("The account id is missing."))
        rejected.add(row)
    problems += [_placed(p, by_row[p.row]) for p in log.problems if p.row in by_row]
    valid = frame[~frame[ERROR_COLUMN] & ~frame["source_row"].isin(rejected)]
    valid = valid.drop(columns=ERROR_COLUMN).reset_index(drop=True)
    basis = np.where(valid["gmv_minor"].notna(), GMV_FROM_BUYER_PAID, None)
    return valid.assign(gmv_basis=pd.array(basis, dtype="string")), _distinct(problems), rejected


def _placed(problem: Problem, workbook: SessionCells) -> Problem:
    """A converter's problem (batch row, column = a field's alias) as one about a file, sheet
    and cell."""
    name = _FIELD_OF_HEADER.get(problem.column or "")
    found = workbook.cells.get(name or "")
    if found is None:
        return replace(problem, row=None, file=workbook.filename)
    place = found[1]
    return replace(
        problem,
        row=place.row,
        column=place.header,
        file=workbook.filename,
        sheet=place.sheet,
        cell=place.cell,
    )


def _problem(filename: str, place: Place, value: str, reason: Message) -> Problem:
    return Problem(
        place.row, place.header, value, reason, file=filename, sheet=place.sheet, cell=place.cell
    )


def _distinct(problems: list[Problem]) -> list[Problem]:
    """GMV and the buyer-paid amount are one cell: its problem is reported once."""
    seen: set[tuple[Any, ...]] = set()
    kept = []
    for p in problems:
        key = (p.sheet, p.cell, p.column, repr(p.reason), p.severity)
        if key not in seen:
            seen.add(key)
            kept.append(p)
    return kept
