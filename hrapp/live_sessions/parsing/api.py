"""`parse_export`: one uploaded file in, canonical session rows and a problem report out."""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence

import pandas as pd

from hrapp.core.messages import message
from hrapp.core.read_ahead import read_ahead
from hrapp.intake.limits import MAX_ROWS
from hrapp.intake.sniff import detect_container, encoding_candidates, may_fall_back, undecodable

from .checks import duplicates
from .convert import ERROR_COLUMN, convert_chunk, empty_frame
from .csv_source import CellTooWide, EncodingMismatch, open_csv
from .headers import Layout
from .model import ImportFileError, ParseResult, ProblemLog
from .profiles import Profile, candidate_profiles
from .tables import RawTable
from .xlsx_source import open_xlsx

MIXED_PLATFORMS, UNKNOWN_PLATFORM = "mixed", "unknown"


def parse_export(
    data: bytes,
    filename: str,
    *,
    platform: str = "auto",
    org_timezone: str = "Asia/Shanghai",
    max_xlsx_rows: int = MAX_ROWS,
    profiles: Sequence[Profile] | None = None,
) -> ParseResult:
    """Parse a session export (Douyin, Taobao Live, TikTok Shop or the hrapp template).

    ``platform`` is ``"auto"``, a platform (``"douyin"``, ``"taobao"``, ``"tiktok"``) or a
    format name (``"douyin_compass"``, ``"douyin_screen"``, ``"taobao"``, ``"tiktok"``,
    ``"template"``); ValueError for anything else or an unknown ``org_timezone``. Raises
    ImportFileError when the file as a whole cannot be used. ``profiles``, when given, are the
    ones tried instead of those ``platform`` names (e.g. with HR's column mappings,
    `hrapp.intake.mappings`).
    """
    profiles = candidate_profiles(platform) if profiles is None else tuple(profiles)
    try:
        zoneinfo.ZoneInfo(org_timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {org_timezone!r}") from None
    if detect_container(data, filename) == "xlsx":
        return _parse_table(open_xlsx(data, profiles, max_xlsx_rows), org_timezone)
    for encoding in encoding_candidates(data):
        try:
            return _parse_csv(data, encoding, profiles, org_timezone)
        except EncodingMismatch:
            if encoding == "utf-8" and may_fall_back(data):
                continue
            raise undecodable(data, encoding) from None
    raise ImportFileError(message("The file could not be decoded."))  # pragma: no cover


def _parse_csv(data: bytes, encoding: str, profiles: tuple[Profile, ...], tz: str) -> ParseResult:
    try:
        return _parse_table(open_csv(data, encoding, profiles), tz)
    except CellTooWide:  # rare: a long text in a number or time column
        return _parse_table(open_csv(data, encoding, profiles, cells_as_bytes=False), tz)


def _parse_table(table: RawTable, tz: str) -> ParseResult:
    layout = table.layout
    log = ProblemLog()
    for finding in table.findings:
        log.add(finding.row, None, None, finding.reason, finding.severity)
    quiet = frozenset(f.row for f in table.findings if f.severity == "error")
    # The next chunk is read (pandas' C parser) while this one is converted.
    frames = [convert_chunk(chunk, layout, tz, log, quiet) for chunk in read_ahead(table.chunks)]
    frame = pd.concat(frames, ignore_index=True) if frames else empty_frame(layout)
    _report_duplicates(frame, layout, tz, log)
    valid = ~frame[ERROR_COLUMN] & ~frame["source_row"].isin(log.rejected)
    rows = frame[valid].drop(columns=ERROR_COLUMN).reset_index(drop=True)
    problems = sorted(log.problems, key=lambda p: -1 if p.row is None else p.row)
    return ParseResult(
        format=layout.profile.name,
        platform=layout.profile.platform or _template_platform(frame),
        rows=rows,
        problems=problems,
        rejected_rows=log.rejected,
        total_rows=len(frame),
        omitted_problems=log.omitted,
        headers=_file_headers(layout),
    )


def _file_headers(layout: Layout) -> dict[str, str]:
    headers = {name: layout.header(name) for name in layout.columns}
    if "session_time" in headers:  # 直播大屏: start and end share one range cell
        headers.setdefault("started_at", headers["session_time"])
        headers.setdefault("ended_at", headers["session_time"])
    return headers


def _report_duplicates(frame: pd.DataFrame, layout: Layout, tz: str, log: ProblemLog) -> None:
    for duplicate in duplicates(frame, tz):
        field = duplicate.field
        if field == "started_at" and "session_time" in layout.columns:
            field = "session_time"
        shown = ", ".join(str(r) for r in duplicate.others[:5])
        if len(duplicate.others) > 5:
            shown += " …"
        if len(duplicate.others) > 1:
            reason = message(
                "The same session (%(key)s) as rows %(rows)s.", key=duplicate.key, rows=shown
            )
        else:
            reason = message(
                "The same session (%(key)s) as row %(rows)s.", key=duplicate.key, rows=shown
            )
        log.add(duplicate.row, layout.header(field), duplicate.value, reason)


def _template_platform(frame: pd.DataFrame) -> str:
    """The template's one platform; ``"mixed"`` when its rows name several, ``"unknown"``
    when none."""
    names = frame["platform"].dropna().unique()
    if len(names) == 1:
        return str(names[0])
    return MIXED_PLATFORMS if len(names) else UNKNOWN_PLATFORM
