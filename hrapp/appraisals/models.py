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
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    scheme_version: Mapped[SchemeVersion | None] = relationship()


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
    hr_notes: Mapped[str] = mapped_column(Text, default="")
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
    """A manual change to pay or score by HR, always with its reason."""

    __tablename__ = "appraisal_adjustments"

    id: Mapped[int] = mapped_column(primary_key=True)
    appraisal_id: Mapped[int] = mapped_column(ForeignKey("appraisals.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20), default="pay")  # pay | clawback | score
    amount_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    reason: Mapped[str] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    appraisal: Mapped[Appraisal] = relationship(back_populates="adjustments")


class AppraisalRevision(Base):
    """A finalized appraisal as it was before an audited reopen; never changed afterwards."""

    __tablename__ = "appraisal_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    appraisal_id: Mapped[int] = mapped_column(ForeignKey("appraisals.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
