"""The one problem type of every upload, and the error for a file that cannot be used at all.

A problem's ``reason`` is a message (`hrapp.core.message_data`): an English msgid and its
parameters, stored as data and worded in the reader's language only where it is shown (the
edge: a page, a CLI line, a stored report read later). Nothing here renders at import time, so
this module needs neither Flask nor a database; `Problem.text` renders on demand and is only
called at the edge, inside a request or an app context.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from hrapp.core.message_data import Message

from . import limits

Severity = Literal["error", "warning"]


def _render(reason: Message | str) -> str:
    from hrapp.core.messages import render  # the edge's words need Flask-Babel; loaded late

    return render(reason)


class ImportFileError(Exception):
    """The file as a whole cannot be imported; ``reason`` says why, as a message that each
    reader sees in their own language."""

    def __init__(self, reason: Message) -> None:
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return _render(self.reason)


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding about one cell (or row, or the file when ``row`` is None).

    ``row`` is the spreadsheet row number (header row of a plain file = 1), ``column`` the
    header as written in the file (or a canonical column name where the importer knows no
    better), ``value`` the cell text as read. ``reason`` is a message (an id and its
    parameters), stored as it is and worded in the reader's language when shown.
    """

    row: int | None
    column: str | None
    value: str | None
    # A plain string only from rules that still word their reasons at once (the roster's).
    reason: Message | str
    severity: Severity = "error"
    # In a batch of several files: the file (an archive's member: "archive.zip/member.xlsx"),
    # and for a per-session workbook read as key/value, the sheet and cell (``C2``).
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None

    @property
    def text(self) -> str:
        """The reason in the current language (at the edge only)."""
        return _render(self.reason)


class ProblemLog:
    """Collects problems while reading; every error row lands in ``rejected``."""

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
        if len(self.problems) < limits.MAX_PROBLEMS:
            self.problems.append(Problem(row, column, value, reason, severity))
        else:
            self.omitted += 1
