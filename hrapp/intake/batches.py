"""The one import history: a batch per roster, training or session import, with its report.

Each import (sessions, roster, training) writes one `ImportBatch` row of its kind: what the file
was, who sent it, what it did and the problems found. This module holds what the roster and
training imports share around that row: finding a file already imported, opening and closing
a batch (and keeping a refused one), the bookkeeping of a rollback, the report's problem
records, grouping a report for people to read, and removing uploads that will never be
confirmed. It may use the database (the readers beside it may not).

One history, one table: roster and training batches are rows of ``import_batches`` with their
``kind``, not a table of their own. The columns a session batch needs (file, hash, who, when,
status, counts, report, rollback time) are what every import needs, so one table gives one
history to list and link (dashboard, audit log), one "already imported" rule by hash and kind,
and one report format. What each kind must keep to be rolled back stays with its feature, as
session_revisions does for sessions: roster_revisions (the streamer before the batch and what
the batch added) and training_records.import_batch_id. The model is beside this module:
`hrapp.intake.batch_model.ImportBatch`.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from hrapp.core import audit
from hrapp.core.db import utcnow
from hrapp.core.errors import Conflict, NotFound
from hrapp.core.messages import Message, message, render
from hrapp.extensions import db
from hrapp.intake.batch_model import ImportBatch

KINDS = ("sessions", "roster", "training")
# A grouped reason lists this many rows; the rest are behind "show all".
GROUP_FIRST_ROWS = 10
# "Show all" lists at most this many (a page of ten thousand lines helps nobody; the count is
# exact and the report keeps every problem).
GROUP_LISTED = 1_000
# An upload that was never confirmed is removed after a day.
UPLOAD_MAX_AGE_S = 24 * 3600
SHA256 = re.compile(r"[0-9a-f]{64}")


# The page of a batch of each kind (an endpoint taking ``batch_id``).
BATCH_PAGES = {
    "sessions": "live_sessions.batch",
    "roster": "streamers.import_batch",
    "training": "training.import_batch",
}


@dataclass
class BatchOutcome:
    """What importing a roster or training file did (or, for a dry run, would do); each kind
    adds what it found. The import pages (`hrapp.intake.flow`) and jobs read these fields.

    ``status``: checked (dry run), imported, refused, stale (the file would now do something
    else than the preview showed: nothing written), or duplicate (this very file is already
    imported as ``batch_id``: nothing changed)."""

    filename: str
    sha256: str
    status: str
    batch_id: int | None = None
    problems: list[Any] = field(default_factory=list)


def batch_url(kind: str, batch_id: int) -> str:
    return url_for(BATCH_PAGES.get(kind, BATCH_PAGES["sessions"]), batch_id=batch_id)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def already_imported(kind: str, sha256: str) -> ImportBatch | None:
    """The batch that imported this very file (and was not rolled back since), if any."""
    return db.session.scalar(
        select(ImportBatch)
        .where(
            ImportBatch.kind == kind,
            ImportBatch.sha256 == sha256,
            ImportBatch.status == "imported",
        )
        .order_by(ImportBatch.id.desc())
        .limit(1)
    )


def already_imported_text(batch_id: int | None) -> str:
    """What every kind's page and command says to a file already imported."""
    return _("Already imported as batch %(id)s; nothing changed.", id=batch_id)


def open_batch(kind: str, filename: str, data: bytes, *, user_id: int | None) -> ImportBatch:
    """A batch for a file being imported (status running until `close_batch`); flushes."""
    assert kind in KINDS, kind
    batch = ImportBatch(
        kind=kind,
        filename=filename[:255],
        sha256=digest(data),
        size_bytes=len(data),
        format=file_format(data),
        status="running",
        created_by_id=user_id,
    )
    db.session.add(batch)
    db.session.flush()
    return batch


def close_batch(
    batch: ImportBatch,
    status: str,
    *,
    total_rows: int,
    inserted: int = 0,
    updated: int = 0,
    unchanged: int = 0,
    rejected: int = 0,
    report: list[dict[str, Any]] | None = None,
) -> None:
    batch.status = status
    batch.total_rows = total_rows
    batch.inserted, batch.updated, batch.unchanged = inserted, updated, unchanged
    batch.rejected = rejected
    batch.report = report or []
    batch.finished_at = utcnow()
    db.session.flush()


def file_format(data: bytes) -> str:
    return "xlsx" if data.startswith(b"PK\x03\x04") else "csv"


def keep_refused(
    kind: str,
    outcome: BatchOutcome,
    data: bytes,
    *,
    user_id: int | None,
    total_rows: int,
    report: list[dict[str, Any]],
    batch: ImportBatch | None = None,
) -> None:
    """Keep a refused import in the history: its batch (opened here unless the import had
    opened it already) closed as refused with its report, the refusal in the audit log, and
    the batch in ``outcome``. The outcome's problems (each with its ``row``) refused the file;
    the report may hold warnings besides. Flushes; the caller commits (the refused batch is
    the record of the attempt)."""
    # Each kind's action spelled out: the audit log's labels are found by reading the source.
    action = {"roster": "roster.import_refused", "training": "training.import_refused"}[kind]
    if batch is None:
        batch = open_batch(kind, outcome.filename, data, user_id=user_id)
    close_batch(
        batch,
        "refused",
        total_rows=total_rows,
        rejected=len({p.row for p in outcome.problems if p.row is not None}),
        report=report,
    )
    audit.record(
        action,
        "import_batch",
        batch.id,
        summary=message(
            "%(file)s refused: %(n)d problems; nothing was written.",
            file=outcome.filename,
            n=len(outcome.problems),
        ),
    )
    outcome.batch_id = batch.id


# --- a batch's page and its rollback ----------------------------------------------------------


def batch_of(kind: str, batch_id: int) -> ImportBatch:
    """The batch of this kind; NotFound for another kind's batch as for none."""
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None or batch.kind != kind:
        raise NotFound(_("This import batch does not exist."))
    return batch


def to_roll_back(kind: str, batch_id: int) -> ImportBatch:
    """The batch a rollback may undo: only an imported one (not refused, not rolled back)."""
    batch = batch_of(kind, batch_id)
    if batch.status != "imported":
        raise Conflict(_("Only an imported batch can be rolled back."))
    return batch


def mark_rolled_back(batch: ImportBatch, summary: Message) -> None:
    """Close a rollback whose kind has undone what the batch wrote: the batch's status, the
    audit entry, and a fresh view of what the undoing deleted behind the session's back."""
    action = {"roster": "roster.rollback", "training": "training.rollback"}[batch.kind]
    batch.status, batch.rolled_back_at = "rolled_back", utcnow()
    audit.record(
        action,
        "import_batch",
        batch.id,
        changes={"status": ["imported", "rolled_back"]},
        summary=summary,
    )
    db.session.flush()
    db.session.expire_all()


def problem_record(
    row: int | None,
    column: str | None,
    value: str,
    reason: Message | str,
    severity: str = "error",
) -> dict[str, Any]:
    """One problem as the batch report stores it (the reason stays a message: data)."""
    return {
        "row": row,
        "column": column,
        "value": value,
        "reason": reason,
        "severity": severity,
    }


# --- reading a report ----------------------------------------------------------------------


@dataclass
class ProblemGroup:
    """Problems with the same column and the same reason, however many rows have them."""

    column: str
    reason: str  # in the reader's language
    severity: str
    problems: list[dict[str, Any]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.problems)

    @property
    def first_rows(self) -> list[int]:
        rows = [p["row"] for p in self.problems if p.get("row") is not None]
        return rows[:GROUP_FIRST_ROWS]

    @property
    def more_rows(self) -> int:
        rows = sum(1 for p in self.problems if p.get("row") is not None)
        return max(0, rows - GROUP_FIRST_ROWS)

    @property
    def listed(self) -> list[dict[str, Any]]:
        """The problems "show all" lists."""
        return self.problems[:GROUP_LISTED]

    @property
    def unlisted(self) -> int:
        return max(0, self.count - GROUP_LISTED)


def group_problems(
    problems: Iterable[dict[str, Any]], column_label: Any = str
) -> list[ProblemGroup]:
    """The report as people read it: one line per (column, reason), in order of first sight.

    `column_label` turns a stored column name into words in the reader's language.
    """
    groups: dict[tuple[str, str, str], ProblemGroup] = {}
    for problem in problems:
        column = column_label(problem.get("column") or "") if problem.get("column") else ""
        reason = render(problem.get("reason"))
        severity = problem.get("severity") or "error"
        key = (severity, column, reason)
        if key not in groups:
            groups[key] = ProblemGroup(column, reason, severity)
        groups[key].problems.append(problem)
    return list(groups.values())


# --- uploads kept between preview and confirm ------------------------------------------------


def upload_dir(kind: str) -> Path:
    assert kind in KINDS, kind
    path = Path(current_app.config["UPLOAD_DIR"]) / kind
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_upload(kind: str, data: bytes) -> str:
    """Keep an upload under its hash until it is confirmed or refused; abandoned ones (a day
    old) are removed on the way. The hash names it in the preview, the confirm and the job."""
    folder = upload_dir(kind)
    sweep_uploads(folder)
    sha256 = digest(data)
    target = folder / sha256
    if not target.exists():
        partial = folder / f"{sha256}.{secrets.token_hex(4)}.part"
        partial.write_bytes(data)
        partial.replace(target)  # atomic: a reader never sees half a file
    else:
        target.touch()  # uploaded again: kept for another day
    return sha256


def read_upload(kind: str, sha256: str) -> bytes | None:
    """The kept upload, or None when it is gone (confirmed, refused or abandoned)."""
    if not SHA256.fullmatch(sha256 or ""):
        return None
    path = upload_dir(kind) / sha256
    return path.read_bytes() if path.is_file() else None


def upload_kept(kind: str, sha256: str) -> bool:
    """Whether the upload is still kept (`read_upload` without reading it)."""
    return bool(SHA256.fullmatch(sha256 or "")) and (upload_dir(kind) / sha256).is_file()


def remove_upload(kind: str, sha256: str) -> None:
    """An upload that was imported or refused is not kept: it will never be confirmed."""
    if SHA256.fullmatch(sha256 or ""):
        (upload_dir(kind) / sha256).unlink(missing_ok=True)


def sweep_uploads(folder: Path, max_age_s: float = UPLOAD_MAX_AGE_S) -> int:
    """Remove uploads older than `max_age_s` (abandoned previews); how many were removed."""
    removed = 0
    now = time.time()
    for path in folder.iterdir():
        try:
            if path.is_file() and now - path.stat().st_mtime > max_age_s:
                path.unlink(missing_ok=True)
                removed += 1
        except FileNotFoundError:  # another request swept it first
            continue
    return removed


def sweep_abandoned_uploads() -> int:
    """Remove the uploads of every kind older than a day: previews never confirmed."""
    return sum(sweep_uploads(upload_dir(kind)) for kind in KINDS)
