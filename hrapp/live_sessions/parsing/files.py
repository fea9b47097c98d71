"""Several uploaded files read as one batch: per-session workbooks, lists, ZIPs of them.

HR uploads a month of 直播大屏 per-session downloads at once, as files or zipped. Each file
is read by its own reader (`dashboard_workbook` for a per-session workbook, `parse_export`
for any list export); their rows become one frame whose ``source_row`` numbers run on across
the files, so that the import's checks treat the batch as one. `FilesParse.localize` turns a
problem about such a batch row back into one about the file it came from: its own row, or the
sheet and cell of a per-session workbook.

No Flask, no database.
"""

from __future__ import annotations

import bisect
import functools
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import pandas as pd

from hrapp.core.collector import collection_paused
from hrapp.core.messages import Message, message
from hrapp.intake.limits import MAX_ROWS

from .api import parse_export
from .archives import Member, is_file_archive, open_archive
from .checks import duplicates
from .convert import ERROR_COLUMN, empty_frame
from .dashboard_workbook import (
    GMV_FROM_BUYER_PAID,
    Place,
    SessionCells,
    convert_sessions,
    is_session_workbook,
    read_cells,
    session_workbook_checked,
)
from .headers import Layout
from .model import ImportFileError, ParseResult, Problem
from .profiles import DOUYIN_SESSION

Progress = Callable[[int, int, Message | str], None]
SESSION_FORMAT, MIXED = "douyin_session", "mixed"
# A ZIP the upload page makes of several files chosen at once: its members are the files
# themselves (named without the bundle's name), and ZIPs among them are opened in turn.
BUNDLE_COMMENT = b"hrapp upload bundle"


@dataclass(frozen=True)
class _Part:
    """One file's rows in the batch: batch rows ``first`` … ``first + size - 1``."""

    file: str
    first: int
    size: int
    headers: dict[str, str] = field(default_factory=dict)  # list export: field → header
    places: dict[str, Place] | None = None  # per-session workbook: field → cell


@dataclass
class FilesParse:
    """The batch read: every file's valid rows, problems (each naming its file) and parts."""

    format: str
    platform: str
    rows: pd.DataFrame
    problems: list[Problem]
    rejected_rows: set[int]  # batch rows
    total_rows: int
    files: int
    omitted_problems: int = 0
    parts: list[_Part] = field(default_factory=list)

    @functools.cached_property
    def _firsts(self) -> list[int]:
        return [p.first for p in self.parts]

    def _part(self, row: int) -> _Part:
        index = bisect.bisect_right(self._firsts, row) - 1
        return self.parts[max(index, 0)]

    def locate(self, row: int) -> tuple[str, int | None]:
        """The file of a batch row, and its row there (None for a per-session workbook)."""
        part = self._part(row)
        return part.file, None if part.places is not None else row - part.first + 1

    def localize(self, problem: Problem) -> Problem:
        """A problem about a batch row, as one about its file's row or cell."""
        if problem.row is None or problem.file is not None or not self.parts:
            return problem
        part = self._part(problem.row)
        if part.places is None:
            column = problem.column
            header = (
                (part.headers.get(column) or part.headers.get(f"{column}_minor"))
                if column
                else None
            )
            return replace(
                problem, row=problem.row - part.first + 1, column=header or column, file=part.file
            )
        place = _place_of(part.places, problem.column)
        if place is None:
            return replace(problem, row=None, file=part.file)
        return replace(
            problem,
            row=place.row,
            column=place.header,
            file=part.file,
            sheet=place.sheet,
            cell=place.cell,
        )


def _place_of(places: dict[str, Place], column: str | None) -> Place | None:
    if column is None:
        return None
    for name in (column, f"{column}_minor", "gmv_minor" if column == "currency" else ""):
        if name in places:
            return places[name]
    return None


def is_batch_upload(data: bytes, filename: str) -> bool:
    """Whether an upload is read by `parse_files`: a ZIP of files or a per-session workbook."""
    return is_file_archive(data) or is_session_workbook(data)


def expand(files: list[tuple[str, bytes]]) -> list[Member]:
    """The files of the batch: archives opened (safely), a bundle's files taken as uploaded."""
    found: list[Member] = []
    for name, data in files:
        if not is_file_archive(data):
            found.append(Member(name, data))
            continue
        if _is_bundle(data):
            for member in open_archive(data, name, allow_archives=True):
                found += expand([(member.name, member.data)])
        else:
            found += [Member(f"{name}/{m.name}", m.data) for m in open_archive(data, name)]
    return found


def _is_bundle(data: bytes) -> bool:
    if not data.endswith(BUNDLE_COMMENT):  # the comment ends the archive
        return False
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.comment == BUNDLE_COMMENT


def bundle(files: list[tuple[str, bytes]]) -> bytes:
    """Several uploaded files as one stored upload (the import reads them as a batch)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.comment = BUNDLE_COMMENT
        for name, data in files:
            archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)
    return buffer.getvalue()


def parse_files(
    files: list[tuple[str, bytes]],
    *,
    platform: str = "auto",
    org_timezone: str = "Asia/Shanghai",
    max_xlsx_rows: int = MAX_ROWS,
    progress: Progress | None = None,
) -> FilesParse:
    """Read every file (ZIPs opened); ImportFileError when an archive cannot be opened."""
    members = expand(files)
    if not members:
        raise ImportFileError(message("The archive holds no files."))
    report = progress or (lambda done, total, step: None)
    batch = _Batch()
    with collection_paused():  # what each file leaves is kept until the batch ends
        for number, member in enumerate(members):
            report(number, len(members), _reading(number + 1, len(members)))
            batch.read(member, platform, org_timezone, max_xlsx_rows)
    report(len(members), len(members), _reading(len(members), len(members)))
    return batch.result(org_timezone, len(members))


def _reading(number: int, total: int) -> Message:
    return message("Reading file %(n)d of %(total)d…", n=number, total=total)


class _Batch:
    def __init__(self) -> None:
        self.frames: list[pd.DataFrame] = []
        self.problems: list[Problem] = []
        self.rejected: set[int] = set()
        self.parts: list[_Part] = []
        self.formats: set[str] = set()
        self.platforms: set[str] = set()
        self.total_rows = 0
        self.omitted = 0
        self.next_row = 1
        self.workbooks: list[tuple[SessionCells, int]] = []  # converted together at the end

    def _take(self, file: str, size: int, **where: object) -> _Part:
        part = _Part(file, self.next_row, size, **where)  # type: ignore[arg-type]
        self.parts.append(part)
        self.next_row += max(size, 1)
        return part

    def read(self, member: Member, platform: str, tz: str, max_xlsx_rows: int) -> None:
        """One file of the batch: a per-session workbook or a list export; a file that cannot
        be read becomes a problem naming it."""
        try:
            if session_workbook_checked(member.data):
                self.add_workbook(read_cells(member.data, member.name, checked=True))
            else:
                parsed = parse_export(
                    member.data,
                    member.name,
                    platform=platform,
                    org_timezone=tz,
                    max_xlsx_rows=max_xlsx_rows,
                )
                self.add_list(member.name, parsed)
        except ImportFileError as error:
            self.problems.append(Problem(None, None, None, error.reason, file=member.name))

    def add_workbook(self, workbook: SessionCells) -> None:
        part = self._take(workbook.filename, 1, places=workbook.places)
        self.formats.add(SESSION_FORMAT)
        self.platforms.add("douyin")
        self.total_rows += 1
        self.workbooks.append((workbook, part.first))

    def _convert_workbooks(self, tz: str) -> None:
        if not self.workbooks:
            return
        cells, rows = zip(*self.workbooks, strict=True)
        frame, problems, rejected = convert_sessions(list(cells), list(rows), tz)
        self.frames.append(frame)
        self.problems += problems
        self.rejected |= rejected

    def add_list(self, file: str, parsed: ParseResult) -> None:
        last = max(
            [parsed.total_rows, *parsed.rejected_rows, *parsed.rows["source_row"]], default=0
        )
        part = self._take(file, int(last), headers=parsed.headers)
        self.formats.add(parsed.format)
        self.platforms.add(parsed.platform)
        self.total_rows += parsed.total_rows
        self.omitted += parsed.omitted_problems
        self.problems += [replace(p, file=file) for p in parsed.problems]
        self.rejected |= {part.first + row - 1 for row in parsed.rejected_rows}
        rows = parsed.rows.assign(
            source_row=parsed.rows["source_row"] + part.first - 1,
            gmv_basis=_unmarked(parsed.rows),
        )
        self.frames.append(rows)

    def result(self, tz: str, files: int) -> FilesParse:
        self._convert_workbooks(tz)
        frames = [f for f in self.frames if len(f)]
        rows = pd.concat(frames, ignore_index=True) if frames else _empty()
        parse = FilesParse(
            format=self.formats.pop() if len(self.formats) == 1 else MIXED,
            platform=self.platforms.pop() if len(self.platforms) == 1 else MIXED,
            rows=rows,
            problems=self.problems,
            rejected_rows=self.rejected,
            total_rows=self.total_rows,
            files=files,
            omitted_problems=self.omitted,
            parts=self.parts,
        )
        _report_repeats(parse, tz)
        return parse


def _empty() -> pd.DataFrame:
    frame = empty_frame(Layout(DOUYIN_SESSION, 0, (), {}, "CNY"))
    return frame.drop(columns=ERROR_COLUMN).assign(gmv_basis=pd.array([], dtype="string"))


def _report_repeats(parse: FilesParse, tz: str) -> None:
    """The same session in two files of the batch (a file's own repeats are reported by its
    reader, and its rows left out): every copy is an error naming the other files."""
    if parse.rows.empty:
        return
    found = duplicates(parse.rows, tz)
    if not found:
        return
    names = {part.first: part.file for part in parse.parts}
    firsts = sorted(names)
    for duplicate in found:
        others = [names[firsts[bisect.bisect_right(firsts, r) - 1]] for r in duplicate.others]
        problem = Problem(
            duplicate.row,
            duplicate.field,
            duplicate.value,
            message(
                "The same session (%(key)s) is also in %(files)s.",
                key=duplicate.key,
                files=", ".join(dict.fromkeys(others)),
            ),
        )
        parse.problems.append(parse.localize(problem))
        parse.rejected_rows.add(duplicate.row)


def mark_buyer_paid(rows: pd.DataFrame) -> pd.DataFrame:
    """``gmv_basis`` of rows read by `parse_export`: their GMV is 成交金额, not marked."""
    if "gmv_basis" in rows.columns:
        return rows
    return rows.assign(gmv_basis=_unmarked(rows))


def _unmarked(rows: pd.DataFrame) -> pd.Series:
    """A ``gmv_basis`` of NA for every row (built in one step: a million rows make a batch)."""
    return pd.Series(pd.NA, index=rows.index, dtype="string")


__all__ = [
    "BUNDLE_COMMENT",
    "GMV_FROM_BUYER_PAID",
    "FilesParse",
    "bundle",
    "expand",
    "is_batch_upload",
    "is_session_workbook",
    "mark_buyer_paid",
    "parse_files",
]
