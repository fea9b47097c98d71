"""Parsing live-session exports into canonical rows: no database, no Flask.

``parse_export(data, filename)`` reads one uploaded file — a Douyin 罗盘 session list, a
Douyin 直播大屏 single-session export, a Taobao Live agency export, a TikTok Shop LIVE
analysis workbook or hrapp's own template (see `template`) — as CSV (UTF-8, UTF-8 with BOM,
GB18030) or XLSX, and returns a `ParseResult`: the valid rows in the canonical shape of
`CANONICAL_DTYPES` and every problem found, cell by cell. A file that cannot be used at all
raises `ImportFileError`.

Canonical rows: one per session. Money is exact integer minor units (fen, cents) of the
row's ``currency``; instants are tz-aware UTC; counts are nullable integers; NULL means the
export did not say (never 0). Text ids keep leading zeros. ``on_air_seconds`` is end − start
when both are known, else the exported duration. ``ended_at`` is NULL while a session is live
and for exports that give only a start and a duration (TikTok, Taobao without 结束时间).
"""

from .api import parse_export
from .model import (
    CANONICAL_COLUMNS,
    CANONICAL_DTYPES,
    MAX_PROBLEMS,
    ImportFileError,
    ParseResult,
    Problem,
    ProblemLog,
)
from .profiles import CURRENCY_EXPONENTS
from .template import template_columns, template_csv

__all__ = [
    "CANONICAL_COLUMNS",
    "CANONICAL_DTYPES",
    "CURRENCY_EXPONENTS",
    "MAX_PROBLEMS",
    "ImportFileError",
    "ParseResult",
    "Problem",
    "ProblemLog",
    "parse_export",
    "template_columns",
    "template_csv",
]
