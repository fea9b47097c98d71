"""Scheme versions, appraisal cycles, appraisals and what HR changes on them."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hrapp.core.db import Base, utcnow

if TYPE_CHECKING:
    from hrapp.auth.models import User
    from hrapp.streamers.models import Streamer


class SchemeVersion(Base):
    """One saved version of the appraisal scheme, as the TOML document it was saved as.

    Versions are never edited: a save makes a new one, and each appraisal names the version
    it was computed with.
    """

    __tablename__ = "scheme_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    toml: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(String(300), default="")
    # How it was saved: default | form | upload (a file or pasted text on the page) | cli.
    source: Mapped[str] = mapped_column(String(10), default="form")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AppraisalCycle(Base):
    """A quarter being appraised, e.g. 2026Q3, with its dates in the organisation's zone."""

    __tablename__ = "appraisal_cycles"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'finalized')", name="status_known"),
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)  # inclusive
    timezone: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10), default="open")
    scheme_version_id: Mapped[int | None] = mapped_column(ForeignKey("scheme_versions.id"))
    last_run_at: Mapped[dt.datetime | None]
    finalized_at: Mapped[dt.datetime | None]
    finalized_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Set when something the run reads changed after the last run (or, once finalized, after
    # finalizing: late data, settled in the next cycle); cleared by the next run. The reasons
    # are message keys with their parameters, rendered in the reader's language:
    # [{"key": "sessions_imported", "at": iso instant, ...params}].
    stale_since: Mapped[dt.datetime | None]
    stale_reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    scheme_version: Mapped[SchemeVersion | None] = relationship()
    finalized_by: Mapped[User | None] = relationship(foreign_keys=[finalized_by_id])


class Appraisal(Base):
    """One streamer's result for one cycle, with the explanation that justifies every number."""

    __tablename__ = "appraisals"
    __table_args__ = (
        UniqueConstraint("cycle_id", "streamer_id"),
        CheckConstraint("status IN ('draft', 'finalized')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("appraisal_cycles.id", ondelete="CASCADE"))
    streamer_id: Mapped[int] = mapped_column(ForeignKey("streamers.id"), index=True)
    scheme_version_id: Mapped[int] = mapped_column(ForeignKey("scheme_versions.id"))
    # The streamer's level and team when appraised; the roster may change later.
    level: Mapped[str] = mapped_column(String(20))
    team: Mapped[str] = mapped_column(String(40), default="")
    category: Mapped[str] = mapped_column(String(30), default="")
    sessions: Mapped[int] = mapped_column(Integer, default=0)
    # NULL is not 0: a total is NULL when every session it sums left the value unknown, and
    # commission and payable are NULL when net GMV is unknown (the data must be fixed first).
    on_air_seconds: Mapped[int | None] = mapped_column(BigInteger, default=0)
    gmv_fen: Mapped[int | None] = mapped_column(BigInteger, default=0)
    refunds_fen: Mapped[int | None] = mapped_column(BigInteger, default=0)
    net_gmv_fen: Mapped[int | None] = mapped_column(BigInteger, default=0)
    avg_watch_seconds: Mapped[float | None] = mapped_column(Float)
    new_followers: Mapped[int | None] = mapped_column(Integer)
    net_followers: Mapped[int | None] = mapped_column(Integer)
    score: Mapped[float | None] = mapped_column(Float)
    grade: Mapped[str | None] = mapped_column(String(2))  # None while not graded
    not_graded: Mapped[bool] = mapped_column(Boolean, default=False)
    data_incomplete: Mapped[bool] = mapped_column(Boolean, default=False)
    tier_commission_fen: Mapped[int | None] = mapped_column(BigInteger, default=0)
    multiplier: Mapped[str | None] = mapped_column(String(20), default="1")  # exact decimal text
    commission_fen: Mapped[int | None] = mapped_column(BigInteger, default=0)
    adjustment_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    payable_fen: Mapped[int | None] = mapped_column(BigInteger, default=0)  # commission + adj.
    promotion_eligible: Mapped[bool] = mapped_column(Boolean, default=False)
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    # Comments: `hr_notes` only HR and administrators see; `shared_comment` (备注) the streamer
    # sees too, and the sheet prints.
    hr_notes: Mapped[str] = mapped_column(Text, default="")
    shared_comment: Mapped[str] = mapped_column(Text, default="")
    # HR's score override (its reason is the `score` adjustment): when set, `score` is this
    # value, the grade and multiplier are read from it, and the computed score stays in the
    # explanation.
    score_override: Mapped[float | None] = mapped_column(Float)
    computed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finalized_at: Mapped[dt.datetime | None]
    acknowledged_at: Mapped[dt.datetime | None]
    disputed_at: Mapped[dt.datetime | None]
    dispute_reason: Mapped[str | None] = mapped_column(Text)
    # Optimistic locking: two people saving the same appraisal cannot overwrite each other.
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": lock_version}  # noqa: RUF012 - SQLAlchemy reads it as is

    cycle: Mapped[AppraisalCycle] = relationship()
    streamer: Mapped[Streamer] = relationship()
    scheme_version: Mapped[SchemeVersion] = relationship()
    adjustments: Mapped[list[AppraisalAdjustment]] = relationship(
        back_populates="appraisal", cascade="all, delete-orphan"
    )


class AppraisalAdjustment(Base):
    """A change to pay or score, always with the reason the streamer reads.

    kind: `pay` (HR: ± amount_fen), `score` (HR: the score overridden to `score`, amount 0),
    `settlement` (the run: the late-data difference of the finalized quarter `source_cycle_id`,
    negative = clawback, positive = top-up; recomputed by every run of its cycle, never added
    twice; its reason is `reason_key` with `reason_params`, rendered in the reader's language).
    """

    __tablename__ = "appraisal_adjustments"
    __table_args__ = (
        CheckConstraint("kind IN ('pay', 'score', 'settlement')", name="kind_known"),
        UniqueConstraint("appraisal_id", "source_cycle_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appraisal_id: Mapped[int] = mapped_column(
        ForeignKey("appraisals.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20), default="pay")
    amount_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    score: Mapped[float | None] = mapped_column(Float)
    source_cycle_id: Mapped[int | None] = mapped_column(
        ForeignKey("appraisal_cycles.id", ondelete="CASCADE")
    )
    reason: Mapped[str] = mapped_column(String(500))
    reason_params: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    appraisal: Mapped[Appraisal] = relationship(back_populates="adjustments")
    source_cycle: Mapped[AppraisalCycle | None] = relationship()


class AppraisalRevision(Base):
    """A finalized appraisal as it was before an audited reopen; never changed afterwards."""

    __tablename__ = "appraisal_revisions"
    __table_args__ = (UniqueConstraint("appraisal_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    appraisal_id: Mapped[int] = mapped_column(ForeignKey("appraisals.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
