"""What the export parser returns: the canonical session columns, problems and file errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from hrapp.core.messages import Message, render

Severity = Literal["error", "warning"]

# A report longer than this helps nobody and a wholly broken 1M-row file would otherwise hold
# millions of Problem objects; rejected_rows stays complete either way.
MAX_PROBLEMS = 10_000


class ImportFileError(Exception):
    """The file as a whole cannot be imported; ``reason`` says why, as a message (see
    `hrapp.core.messages`) that each reader sees in their own language."""

    def __init__(self, reason: Message) -> None:
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return render(self.reason)


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding about one cell (or row, or the file when ``row`` is None).

    ``row`` is the spreadsheet row number (header row of a plain file = 1), ``column`` the
    header as written in the file, ``value`` the cell text as read. ``reason`` is a message
    (an id and its parameters), stored as it is and worded in the reader's language when shown.
    """

    row: int | None
    column: str | None
    value: str | None
    reason: Message
    severity: Severity = "error"
    # In a batch of several files: the file (an archive's member: "archive.zip/member.xlsx"),
    # and for a per-session workbook read as key/value, the sheet and cell (``C2``).
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None

    @property
    def text(self) -> str:
        """The reason in the current language."""
        return render(self.reason)


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


class ProblemLog:
    """Collects problems while parsing; every error row lands in ``rejected``."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.rejected: set[int] = set()
        self.omitted = 0

    def add(
        self,
        row: int | None,
        column: str | None,
        value: str | None,
        reason: Message,
        severity: Severity = "error",
    ) -> None:
        if severity == "error" and row is not None:
            self.rejected.add(row)
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(row, column, value, reason, severity))
        else:
            self.omitted += 1
