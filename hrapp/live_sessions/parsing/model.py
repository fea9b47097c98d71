"""What the export parser returns: the canonical session columns, problems and file errors."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

# The problem type, the file error and the problem log are the intake's, shared by every upload.
from hrapp.intake.limits import MAX_PROBLEMS
from hrapp.intake.problems import ImportFileError, Problem, ProblemLog, Severity

COUNT_COLUMNS = (
    "viewers",
    "views",
    "peak_online",
    "avg_online",
    "comments",
    "new_followers",
    "unfollows",
    "orders",
    "buyers",
    "items_sold",
    "refund_orders",
)
MONEY_COLUMNS = (
    "gmv_minor",
    "buyer_paid_minor",
    "refunds_minor",
    "platform_net_minor",
    "refunds_1h_minor",
    "ad_spend_minor",
)
TEXT_COLUMNS = ("platform", "account_id", "nickname", "platform_session_id", "title")
UTC = pd.DatetimeTZDtype("ns", "UTC")

CANONICAL_DTYPES: dict[str, object] = {
    "source_row": "int64",
    **dict.fromkeys(TEXT_COLUMNS, "string"),
    "started_at": UTC,
    "ended_at": UTC,
    "on_air_seconds": "Int64",
    **dict.fromkeys(COUNT_COLUMNS, "Int64"),
    "avg_watch_seconds": "Float64",
    **dict.fromkeys(MONEY_COLUMNS, "Int64"),
    "currency": "string",
    "hosts": "string",
}
CANONICAL_COLUMNS = tuple(CANONICAL_DTYPES)


@dataclass(frozen=True)
class ParseResult:
    """A parsed export: valid rows in canonical shape plus everything found wrong.

    ``rows`` holds only rows without errors (rows with warnings stay). ``rejected_rows`` holds
    the spreadsheet row numbers of every row with at least one error; ``total_rows`` counts the
    non-blank data rows read. ``omitted_problems`` counts problems beyond ``MAX_PROBLEMS`` that
    were not kept in ``problems``.
    """

    format: str
    platform: str
    rows: pd.DataFrame
    problems: list[Problem]
    rejected_rows: set[int]
    total_rows: int
    omitted_problems: int = 0
    # Canonical field → the header as written in the file, so that later checks (accounts,
    # rates, hosts) can name the column HR sees in their spreadsheet.
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def has_errors(self) -> bool:
        return bool(self.rejected_rows)


__all__ = [
    "CANONICAL_COLUMNS",
    "CANONICAL_DTYPES",
    "COUNT_COLUMNS",
    "MAX_PROBLEMS",
    "MONEY_COLUMNS",
    "TEXT_COLUMNS",
    "ImportFileError",
    "ParseResult",
    "Problem",
    "ProblemLog",
    "Severity",
]
