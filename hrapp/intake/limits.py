"""The one set of limits every upload is held to (sessions, roster, training).

Before, each reader had its own: a flat 64 MiB of unpacked workbook for the roster, 100 MiB
for training, and a per-row budget for sessions. The per-row budget is the one kept, because it
is the only one that scales with what the file may legitimately hold: a workbook may unpack to
`BASE_BYTES` plus `BYTES_PER_ROW` for every row the import accepts, and no bulky part of it may
be compressed more than `MAX_COMPRESSION_RATIO` times (sheet XML compresses 6-10x, a zip bomb
thousands of times). With the default `MAX_ROWS` that is 16 MiB + 200,000 × 2 KiB ≈ 407 MiB,
which a real 200,000-row Douyin export (~230 MB of sheet XML) fits and no bomb does.

No Flask, no database.
"""

from __future__ import annotations

# An upload larger than this is refused by the web server before any reader sees it
# (config.MAX_CONTENT_LENGTH takes its default from here); the readers refuse it too when
# handed a file from the command line.
MAX_UPLOAD_BYTES = 300 * 1024 * 1024
# The header row is looked for in this many rows at the top of a sheet (title rows above it).
HEADER_SCAN_ROWS = 20
# Data rows one sheet may hold; the session import's IMPORT_MAX_XLSX_ROWS setting may lower it.
MAX_ROWS = 200_000
# How big a workbook may unpack to, per data row allowed: Douyin writes every string inline, so
# its 30-column export takes 1.15 KiB of sheet XML per row (a 200,000-row export: ~230 MB).
BYTES_PER_ROW = 2 * 1024
BASE_BYTES = 16 * 1024 * 1024  # styles, themes, shared strings of a small sheet
MAX_COMPRESSION_RATIO = 100
# Small parts compress oddly well (empty styles); only bulky parts are held to the ratio. Both
# hold for every member of a ZIP of files too (workbooks and CSV compress 2-10x).
RATIO_EXEMPT_BYTES = 1024 * 1024
# A ZIP of files: a month of per-session workbooks for a whole agency is a few thousand members
# of ~10 KB; more members, or more bytes unpacked in all, is not a download of exports.
ARCHIVE_MAX_MEMBERS = 5_000
ARCHIVE_MAX_BYTES = 512 * 1024 * 1024
# The workbook part (xl/workbook.xml) only lists the sheets: a few KB in a real export. A larger
# one is not read to tell a per-session 直播大屏 workbook by its sheet names.
MAX_WORKBOOK_PART_BYTES = 1024 * 1024
# A report longer than this helps nobody and a wholly broken 1M-row file would otherwise hold
# millions of Problem objects; the set of rejected rows stays complete either way.
MAX_PROBLEMS = 10_000


def unpacked_budget(max_rows: int = MAX_ROWS) -> int:
    """How many bytes a workbook accepting ``max_rows`` data rows may unpack to."""
    return BASE_BYTES + BYTES_PER_ROW * max_rows
