"""Curriculum modules, classes and the training records that promotions depend on."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hrapp.core.db import Base, utcnow

if TYPE_CHECKING:
    from hrapp.auth.models import User
    from hrapp.streamers.models import Streamer


class Module(Base):
    """A curriculum module. Its pass mark and validity decide whether it is passed and still
    valid, on the training pages and in the promotion checklist alike; which promotion steps
    require it is the appraisal scheme's to say. `rubric` lists the assessed dimensions as
    ``{"key", "zh", "en"}``."""

    __tablename__ = "training_modules"
    __table_args__ = (
        CheckConstraint(
            "pass_mark IS NULL OR (pass_mark >= 0 AND pass_mark <= 100)", name="pass_mark_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    title_zh: Mapped[str] = mapped_column(String(120))
    title_en: Mapped[str] = mapped_column(String(120))
    topic: Mapped[str] = mapped_column(String(60), default="")
    hours: Mapped[float] = mapped_column(Float, default=0)
    pass_mark: Mapped[float | None] = mapped_column(Float)
    validity_months: Mapped[int | None] = mapped_column(Integer)
    assessed: Mapped[bool] = mapped_column(Boolean, default=False)
    rubric: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Display order of the curriculum (the order a streamer takes the modules in).
    position: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class TrainingClass(Base):
    """A class held on one day for one module; its attendees' records point to it."""

    __tablename__ = "training_classes"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("training_modules.id"))
    held_on: Mapped[dt.date] = mapped_column(Date)
    trainer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    trainer_name: Mapped[str] = mapped_column(String(80), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    module: Mapped[Module] = relationship()
    records: Mapped[list[TrainingRecord]] = relationship(
        back_populates="training_class", order_by="TrainingRecord.id"
    )


class TrainingRecord(Base):
    """One streamer's completion of one module. Never deleted: a mistake is corrected or voided
    with a reason, and the audit log keeps the old values."""

    __tablename__ = "training_records"
    __table_args__ = (
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score_range"),
        Index("ix_training_records_streamer_module", "streamer_id", "module_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    streamer_id: Mapped[int] = mapped_column(ForeignKey("streamers.id"))
    module_id: Mapped[int] = mapped_column(ForeignKey("training_modules.id"))
    class_id: Mapped[int | None] = mapped_column(
        ForeignKey("training_classes.id", ondelete="SET NULL")
    )
    completed_on: Mapped[dt.date] = mapped_column(Date)
    score: Mapped[float | None] = mapped_column(Float)
    rubric_scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    passed: Mapped[bool] = mapped_column(Boolean)
    # A trainer named in an imported file may have no account: the name is kept.
    trainer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    trainer_name: Mapped[str] = mapped_column(String(80), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    voided_at: Mapped[dt.datetime | None]
    void_reason: Mapped[str | None] = mapped_column(String(300))
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    import_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batches.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    streamer: Mapped[Streamer] = relationship()
    module: Mapped[Module] = relationship()
    training_class: Mapped[TrainingClass | None] = relationship(back_populates="records")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    voided_by: Mapped[User | None] = relationship(foreign_keys=[voided_by_id])

    @property
    def is_void(self) -> bool:
        return self.voided_at is not None
