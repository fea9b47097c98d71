"""Importing training records from a CSV or XLSX sheet, all or nothing.

Columns (header row first, any order, case and spaces ignored): ``employee_no``,
``module_code``, ``completed_on`` (required), ``score``, ``trainer``, ``note``. Rows are numbered
as a spreadsheet shows them, the header being row 1. Every problem is reported with its row,
column, value and reason, and a file with any problem writes nothing.

A row whose employee, module and date already have a (non-voided) record is *unchanged* when
the score is the same; a different score is an error, never a silent update: a logged score is
changed only by correcting that record with a reason. A row matching a voided record's score is
unchanged too (the record stays voided). So importing a file twice changes nothing, and notes or
trainer names of existing records are never overwritten. A trainer named in the
file is linked to the account of that name (username or display name) when exactly one exists,
and is always kept by name.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from hrapp.auth.models import User
from hrapp.core.errors import ValidationFailed
from hrapp.core.messages import Message, message
from hrapp.core.timeutil import org_today
from hrapp.extensions import db
from hrapp.intake import ImportFileError, Problem, read_table
from hrapp.streamers.models import Streamer
from hrapp.training.models import Module, TrainingRecord
from hrapp.training.services import MAX_SCORE, list_modules

COLUMNS = ("employee_no", "module_code", "completed_on", "score", "trainer", "note")
REQUIRED_COLUMNS = COLUMNS[:3]
EARLIEST_DATE = dt.date(2000, 1, 1)
MAX_NOTE_LENGTH = 2000
MAX_TRAINER_LENGTH = 80
ZIP_MAGIC = b"PK\x03\x04"
DATE_PATTERN = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]00:00(?::00)?)?$")


def describe(problem: Problem) -> str:
    """A problem as one line in the reader's language: where, which column, why, which value."""
    where = _("row %(row)d", row=problem.row) if problem.row is not None else _("file")
    column = f", {problem.column}" if problem.column else ""
    value = f" ({problem.value!r})" if problem.value else ""
    return f"{where}{column}: {problem.text}{value}"


class ImportRefused(ValidationFailed):
    """The file has problems; nothing was written. `rows` holds them as `Problem`s."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(
            _(
                "The file has %(n)d problem(s); nothing was imported. Fix them and import it "
                "again.",
                n=len(problems),
            ),
            [describe(p) for p in problems],
        )
        self.rows = problems


@dataclass(frozen=True)
class ImportResult:
    total: int
    inserted: int
    unchanged: int
    batch_id: int | None


Row = tuple[int, dict[str, str]]


# --- reading the sheet (the intake reads it) ---------------------------------------------------


def _normal_header(text: str) -> str:
    return re.sub(r"\s+", "_", text.replace("\ufeff", "").strip().lower())


def read_rows(filename: str, content: bytes) -> list[Row]:
    """(spreadsheet row number, {column: text}) for every non-blank data row."""
    try:
        table = read_table(content, filename=filename)
    except ImportFileError as exc:
        raise ImportRefused([Problem(None, "", "", exc.reason)]) from None
    if not table:
        raise ImportRefused([Problem(None, "", "", message("The file has no data rows."))])
    header_row, lines = table[0], table[1:]
    header = [_normal_header(h) for h in header_row.cells]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ImportRefused(
            [Problem(header_row.number, c, "", message("This column is missing.")) for c in missing]
        )
    rows = []
    for line in lines:
        cells = line.cells
        values = {c: (cells[i] if i < len(cells) else "") for i, c in enumerate(header)}
        if any(values.values()):
            rows.append((line.number, {c: values.get(c, "") for c in COLUMNS}))
    return rows


# --- checking the rows --------------------------------------------------------------------------


def _parse_date(text: str) -> tuple[dt.date | None, Message | None]:
    """(date, None) or (None, why)."""
    match = DATE_PATTERN.match(text)
    if not match:
        return None, message("Not a date; write it as YYYY-MM-DD.")
    try:
        day = dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None, message("No such day in the calendar.")
    if day > org_today():
        return None, message("The date is in the future.")
    if day < EARLIEST_DATE:
        return None, message("The date is before 2000, which cannot be right.")
    return day, None


def _parse_score(text: str) -> tuple[float | None, Message | None]:
    if not text:
        return None, None
    try:
        score = float(text)
    except ValueError:
        return None, message("Not a number.")
    if not math.isfinite(score) or not 0 <= score <= MAX_SCORE:
        return None, message("A score lies between 0 and 100.")
    return score, None


@dataclass
class _Lookups:
    streamers: dict[str, Streamer]
    modules: dict[str, Module]
    trainers: dict[str, User]


def _lookups(rows: list[Row]) -> _Lookups:
    numbers = {values["employee_no"] for _n, values in rows if values["employee_no"]}
    streamers = {
        s.employee_no: s
        for s in db.session.scalars(select(Streamer).where(Streamer.employee_no.in_(numbers)))
    }
    by_name: dict[str, list[User]] = {}
    for user in db.session.scalars(select(User)):
        for name in {user.username, user.display_name} - {""}:
            by_name.setdefault(name, []).append(user)
    trainers = {name: users[0] for name, users in by_name.items() if len(users) == 1}
    return _Lookups(streamers, {m.code: m for m in list_modules()}, trainers)


@dataclass
class _Checked:
    row: int
    streamer: Streamer
    module: Module
    completed_on: dt.date
    score: float | None
    trainer_name: str
    note: str


def _check_row(number: int, values: dict[str, str], found: _Lookups) -> _Checked | list[Problem]:
    problems = []

    def refuse(column: str, reason: Message) -> None:
        problems.append(Problem(number, column, values[column], reason))

    streamer = found.streamers.get(values["employee_no"])
    if not values["employee_no"]:
        refuse("employee_no", message("The employee number is empty."))
    elif streamer is None:
        refuse("employee_no", message("No streamer has this employee number."))
    module = found.modules.get(values["module_code"].upper())
    if not values["module_code"]:
        refuse("module_code", message("The module code is empty."))
    elif module is None:
        refuse("module_code", message("No module has this code."))
    completed_on, why = _parse_date(values["completed_on"])
    if why:
        refuse("completed_on", why)
    score, why = _parse_score(values["score"])
    if why:
        refuse("score", why)
    elif score is None and module is not None and module.pass_mark is not None:
        refuse(
            "score", message("%(code)s has a pass mark, so a score is required.", code=module.code)
        )
    if len(values["trainer"]) > MAX_TRAINER_LENGTH:
        refuse("trainer", message("The name is too long."))
    if len(values["note"]) > MAX_NOTE_LENGTH:
        refuse("note", message("The note is too long."))
    if problems or streamer is None or module is None or completed_on is None:
        return problems
    return _Checked(
        number, streamer, module, completed_on, score, values["trainer"], values["note"]
    )


def _same_score(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, abs_tol=1e-9)


Key = tuple[int, int, dt.date]


def _existing(checked: list[_Checked]) -> dict[Key, list[TrainingRecord]]:
    """Every record (voided ones too) of the file's streamers, by streamer, module and day."""
    streamer_ids = {c.streamer.id for c in checked}
    found: dict[Key, list[TrainingRecord]] = {}
    for r in db.session.scalars(
        select(TrainingRecord).where(TrainingRecord.streamer_id.in_(streamer_ids))
    ):
        found.setdefault((r.streamer_id, r.module_id, r.completed_on), []).append(r)
    return found


def _against_existing(item: _Checked, records: list[TrainingRecord]) -> bool | Problem:
    """True: insert the row; False: already recorded (or voided with these very values)."""
    current = next((r for r in records if r.voided_at is None), None)
    if current is None:
        # A voided record stays voided: importing the same file again must not revive it.
        return not any(_same_score(r.score, item.score) for r in records)
    if _same_score(current.score, item.score):
        return False
    return Problem(
        item.row,
        "score",
        "" if item.score is None else f"{item.score:g}",
        message(
            "Already recorded with the score %(score)s (record %(id)d); correct that record "
            "with a reason instead of importing a different score.",
            score="—" if current.score is None else f"{current.score:g}",
            id=current.id,
        ),
    )


def _column_order(problem: Problem) -> tuple[int, int]:
    column = COLUMNS.index(problem.column) if problem.column in COLUMNS else -1
    return problem.row or 0, column


def _plan(rows: list[Row], found: _Lookups) -> tuple[list[_Checked], int]:
    """(rows to insert, rows already recorded); raises ImportRefused with every problem."""
    problems: list[Problem] = []
    checked: list[_Checked] = []
    for number, values in rows:
        outcome = _check_row(number, values, found)
        if isinstance(outcome, list):
            problems += outcome
        else:
            checked.append(outcome)
    existing = _existing(checked) if checked else {}
    first_row: dict[Key, int] = {}
    new, unchanged = [], 0
    for item in checked:
        key = (item.streamer.id, item.module.id, item.completed_on)
        if key in first_row:
            problems.append(
                Problem(
                    item.row,
                    "completed_on",
                    item.completed_on.isoformat(),
                    message(
                        "Repeats row %(row)d (same employee, module and date).",
                        row=first_row[key],
                    ),
                )
            )
            continue
        first_row[key] = item.row
        outcome = _against_existing(item, existing.get(key, []))
        if isinstance(outcome, Problem):
            problems.append(outcome)
        elif outcome:
            new.append(item)
        else:
            unchanged += 1
    if problems:
        raise ImportRefused(sorted(problems, key=_column_order))
    return new, unchanged
