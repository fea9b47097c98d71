"""The import history's table: one row per import of any kind (sessions, roster, training).

It sits beside `hrapp.intake.batches` (the services around a batch) because every import
writes one; the features keep only what they need to roll their own batches back
(session_revisions, roster_revisions, training_records.import_batch_id). Unlike the readers,
limits and problems of the intake, this module uses the database.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hrapp.core.db import Base, utcnow


class ImportBatch(Base):
    """One uploaded file: what it was, who sent it, what it did, and its problem report."""

    __tablename__ = "import_batches"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'running', 'imported', 'refused', 'rolled_back', 'failed')",
            name="status_known",
        ),
        # One history for every upload: the kind says which import wrote the batch.
        CheckConstraint("kind IN ('sessions', 'roster', 'training')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="sessions")  # sessions|roster|training
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    format: Mapped[str | None] = mapped_column(String(30))
    # The name of the column mapping the file was read with (format "mapping"), as it was then.
    mapping_name: Mapped[str | None] = mapped_column(String(100))
    platform: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    accept_valid_rows: Mapped[bool] = mapped_column(default=False)
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    # Every problem found: [{"row", "column", "value", "reason", "severity"}].
    report: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Problems beyond the report's cap (the parser keeps the first 10,000).
    omitted_problems: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]
    rolled_back_at: Mapped[dt.datetime | None]
