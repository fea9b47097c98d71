"""Streamers, the platform accounts they broadcast from, their level and mentor history."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hrapp.core.db import Base, utcnow
from hrapp.core.messages import Message

if TYPE_CHECKING:
    from hrapp.auth.models import User


class Level(enum.StrEnum):
    """The promotion path, in order."""

    ASSISTANT = "assistant"
    SENIOR = "senior"
    MENTOR = "mentor"


class Platform(enum.StrEnum):
    DOUYIN = "douyin"
    TAOBAO = "taobao"
    KUAISHOU = "kuaishou"
    TIKTOK = "tiktok"


CATEGORIES = ("beauty", "appliance", "food", "home", "fashion", "other")
MIN_STREAMER_AGE = 16


class Streamer(Base):
    __tablename__ = "streamers"
    __table_args__ = (
        CheckConstraint("level IN ('assistant', 'senior', 'mentor')", name="level_known"),
        CheckConstraint("status IN ('active', 'left')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_no: Mapped[str] = mapped_column(String(20), unique=True)
    legal_name: Mapped[str] = mapped_column(String(80))
    stage_name: Mapped[str] = mapped_column(String(80), default="")
    date_of_birth: Mapped[dt.date | None] = mapped_column(Date)
    level: Mapped[str] = mapped_column(String(20), default=Level.ASSISTANT.value)
    level_since: Mapped[dt.date | None] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(30), default="other")
    team: Mapped[str] = mapped_column(String(40), default="")
    persona: Mapped[str] = mapped_column(String(120), default="")
    hire_date: Mapped[dt.date | None] = mapped_column(Date)
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("streamers.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10), default="active", index=True)
    left_on: Mapped[dt.date | None] = mapped_column(Date)
    # Personal information under PIPL: HR-only, shown masked, never printed on a sheet.
    id_number: Mapped[str | None] = mapped_column(String(40))
    bank_account: Mapped[str | None] = mapped_column(String(40))
    hr_notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    mentor: Mapped[Streamer | None] = relationship(remote_side=[id], back_populates="mentees")
    mentees: Mapped[list[Streamer]] = relationship(back_populates="mentor")
    mentorships: Mapped[list[Mentorship]] = relationship(
        foreign_keys="Mentorship.mentee_id",
        back_populates="mentee",
        order_by="(Mentorship.started_on, Mentorship.id)",
        cascade="all, delete-orphan",
    )
    accounts: Mapped[list[PlatformAccount]] = relationship(
        back_populates="streamer", order_by="PlatformAccount.platform"
    )
    level_changes: Mapped[list[LevelChange]] = relationship(
        back_populates="streamer",
        # Two changes on one day keep the order in which they were made.
        order_by="(LevelChange.effective_on, LevelChange.id)",
        cascade="all, delete-orphan",
    )
    user: Mapped[User | None] = relationship(back_populates="streamer")

    @property
    def display_name(self) -> str:
        return f"{self.legal_name}（{self.stage_name}）" if self.stage_name else self.legal_name

    @property
    def is_active(self) -> bool:
        return self.status == "active"

    @property
    def current_mentorship(self) -> Mentorship | None:
        """The open mentorship period (the one `mentor` stands for), if any."""
        return next((m for m in self.mentorships if m.ended_on is None), None)


class Mentorship(Base):
    """Who mentored a streamer, from which day until which day (exclusive; open while current).

    `Streamer.mentor` is the current mentor; these periods are kept so that a mentee's training
    passes count for whoever mentored them on the day (promotion to mentor asks for mentees who
    passed PRACTICAL-1), even after the mentee moves to someone else.
    """

    __tablename__ = "mentorships"
    __table_args__ = (
        CheckConstraint("ended_on IS NULL OR ended_on > started_on", name="ends_after_start"),
        Index("ix_mentorships_mentee_id", "mentee_id"),
        Index("ix_mentorships_mentor_id", "mentor_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("streamers.id", ondelete="CASCADE"))
    mentee_id: Mapped[int] = mapped_column(ForeignKey("streamers.id", ondelete="CASCADE"))
    started_on: Mapped[dt.date] = mapped_column(Date)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)

    mentor: Mapped[Streamer] = relationship(foreign_keys=[mentor_id])
    mentee: Mapped[Streamer] = relationship(foreign_keys=[mentee_id], back_populates="mentorships")


class LevelChange(Base):
    __tablename__ = "level_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed: every view of a streamer's scorecard counts their level changes (its fingerprint).
    streamer_id: Mapped[int] = mapped_column(
        ForeignKey("streamers.id", ondelete="CASCADE"), index=True
    )
    from_level: Mapped[str | None] = mapped_column(String(20))
    to_level: Mapped[str] = mapped_column(String(20))
    effective_on: Mapped[dt.date] = mapped_column(Date)
    # What HR wrote, or a message (`hrapp.core.messages`) when the system changed the level
    # (an import); shown with the `message` filter.
    reason: Mapped[Message | str] = mapped_column(JSON)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    streamer: Mapped[Streamer] = relationship(back_populates="level_changes")
    changed_by: Mapped[User | None] = relationship()


class PlatformAccount(Base):
    """A room on a platform. Imports know accounts, not people; HR maps one to a streamer."""

    __tablename__ = "platform_accounts"
    __table_args__ = (UniqueConstraint("platform", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    # Text, never a number: Douyin ids keep their leading zeros.
    account_id: Mapped[str] = mapped_column(String(64))
    nickname: Mapped[str] = mapped_column(String(120), default="")
    streamer_id: Mapped[int | None] = mapped_column(
        ForeignKey("streamers.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    streamer: Mapped[Streamer | None] = relationship(back_populates="accounts")


class RosterRevision(Base):
    """What one roster import batch did to one streamer, so that the batch can be rolled back.

    ``before`` holds the profile, level and ``level_since`` before the batch (empty when the
    batch created the streamer); ``did`` what the batch did beside them and what it left, so
    that a rollback can tell whether anything changed since: ``{"created": bool,
    "level_changes": [ids], "accounts_created": [ids], "nicknames": {account id: ["link" or
    "rename", old nickname]}, "after": the state it left, "last_level_change": id,
    "accounts": {account id: [streamer id, nickname]}}``.
    """

    __tablename__ = "roster_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("import_batches.id", ondelete="CASCADE"), index=True
    )
    streamer_id: Mapped[int] = mapped_column(
        ForeignKey("streamers.id", ondelete="CASCADE"), index=True
    )
    before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    did: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
