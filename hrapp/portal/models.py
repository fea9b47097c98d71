"""A streamer's response to a finalized appraisal and the thread HR and the streamer write.

One response per appraisal: the streamer acknowledges it, or disputes it (then HR answers,
and resolves the dispute or adjusts the pay); every step is a message of the thread, which
both sides read. The appraisal itself never changes for a response: its `disputed_at` and
`acknowledged_at` only mirror the state for HR's cycle filters.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hrapp.core.db import Base, utcnow

if TYPE_CHECKING:
    from hrapp.appraisals.models import Appraisal
    from hrapp.auth.models import User
    from hrapp.streamers.models import Streamer

# What the payroll export's `streamer_response` says of an appraisal nobody answered.
NO_RESPONSE = "none"
STATUSES = ("acknowledged", "disputed", "resolved")
SIDES = ("streamer", "hr")
# acknowledge / dispute / reply: the streamer; answer / resolve / adjust: HR.
KINDS = ("acknowledge", "dispute", "reply", "answer", "resolve", "adjust")


class AppraisalResponse(Base):
    __tablename__ = "appraisal_responses"
    __table_args__ = (
        CheckConstraint("status IN ('acknowledged', 'disputed', 'resolved')", name="status_known"),
        Index("ix_appraisal_responses_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appraisal_id: Mapped[int] = mapped_column(
        ForeignKey("appraisals.id", ondelete="CASCADE"), unique=True
    )
    streamer_id: Mapped[int] = mapped_column(ForeignKey("streamers.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    # The finalized revision the streamer answered (a reopen may make a later one).
    revision: Mapped[int | None] = mapped_column(Integer)
    # The statement line a dispute names, if any (a metric key, "commission", "adjustments").
    disputed_line: Mapped[str | None] = mapped_column(String(40))
    acknowledged_at: Mapped[dt.datetime | None]
    disputed_at: Mapped[dt.datetime | None]
    resolved_at: Mapped[dt.datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Up to when the streamer has read HR's messages: a later one is a "new answer".
    streamer_read_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    appraisal: Mapped[Appraisal] = relationship()
    streamer: Mapped[Streamer] = relationship()
    resolved_by: Mapped[User | None] = relationship()
    messages: Mapped[list[ResponseMessage]] = relationship(
        back_populates="response",
        order_by="(ResponseMessage.created_at, ResponseMessage.id)",
        cascade="all, delete-orphan",
    )


class ResponseMessage(Base):
    """One step of a response's thread: who wrote what, as which side, when."""

    __tablename__ = "response_messages"
    __table_args__ = (
        CheckConstraint("side IN ('streamer', 'hr')", name="side_known"),
        CheckConstraint(
            "kind IN ('acknowledge', 'dispute', 'reply', 'answer', 'resolve', 'adjust')",
            name="kind_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("appraisal_responses.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    side: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text, default="")
    # An `adjust` step: the adjustment it made (on the appraisal of the open cycle it went to).
    adjustment_id: Mapped[int | None] = mapped_column(
        ForeignKey("appraisal_adjustments.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    response: Mapped[AppraisalResponse] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship()
