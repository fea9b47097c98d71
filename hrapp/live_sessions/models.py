"""Live sessions and who hosted them with which share. The import batches they came from are
`hrapp.intake.batch_model.ImportBatch` (one history for every kind of upload)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hrapp.core.db import Base, utcnow

if TYPE_CHECKING:
    from hrapp.streamers.models import PlatformAccount, Streamer

FULL_SHARE_BP = 10_000  # shares are basis points: 10,000 = 100 %


class LiveSession(Base):
    """One broadcast of one room. Money is integer fen of the organisation's currency."""

    __tablename__ = "live_sessions"
    __table_args__ = (
        UniqueConstraint("platform_account_id", "started_at"),
        # Most exports carry no session id: indexing only the rows that have one keeps a
        # million-row import from maintaining an index of NULLs.
        Index(
            "uq_live_sessions_platform_account_id_platform_session_id",
            "platform_account_id",
            "platform_session_id",
            unique=True,
            sqlite_where=text("platform_session_id IS NOT NULL"),
            postgresql_where=text("platform_session_id IS NOT NULL"),
        ),
        Index("ix_live_sessions_started_at", "started_at"),
        CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ends_after_start"),
        CheckConstraint("refunds_fen IS NULL OR refunds_fen >= 0", name="refunds_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_account_id: Mapped[int] = mapped_column(ForeignKey("platform_accounts.id"))
    platform_session_id: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(String(255))
    started_at: Mapped[dt.datetime]
    ended_at: Mapped[dt.datetime | None]
    on_air_seconds: Mapped[int | None] = mapped_column(Integer)
    viewers: Mapped[int | None] = mapped_column(BigInteger)
    views: Mapped[int | None] = mapped_column(BigInteger)
    peak_online: Mapped[int | None] = mapped_column(Integer)
    avg_online: Mapped[int | None] = mapped_column(Integer)
    # Per view, as the platform exports it (Douyin: total watch time / views).
    avg_watch_seconds: Mapped[float | None] = mapped_column(Float)
    comments: Mapped[int | None] = mapped_column(BigInteger)
    new_followers: Mapped[int | None] = mapped_column(Integer)
    unfollows: Mapped[int | None] = mapped_column(Integer)
    orders: Mapped[int | None] = mapped_column(Integer)
    buyers: Mapped[int | None] = mapped_column(Integer)
    items_sold: Mapped[int | None] = mapped_column(Integer)
    refund_orders: Mapped[int | None] = mapped_column(Integer)
    gmv_fen: Mapped[int | None] = mapped_column(BigInteger)
    buyer_paid_fen: Mapped[int | None] = mapped_column(BigInteger)
    # "buyer_paid" when gmv_fen is the buyer-paid amount (a per-session 直播大屏 download has no
    # 成交金额; a later 罗盘 list of the session replaces it); NULL: the platform's GMV.
    gmv_basis: Mapped[str | None] = mapped_column(String(16))
    # Refunds known at the latest import; later exports only ever raise it.
    refunds_fen: Mapped[int | None] = mapped_column(BigInteger)
    platform_net_fen: Mapped[int | None] = mapped_column(BigInteger)
    refunds_1h_fen: Mapped[int | None] = mapped_column(BigInteger)
    ad_spend_fen: Mapped[int | None] = mapped_column(BigInteger)
    # The currency the export was in and the exact rate (decimal text) used to convert it.
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    fx_rate: Mapped[str] = mapped_column(String(30), default="1")
    import_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batches.id", ondelete="SET NULL"), index=True
    )
    last_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batches.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    account: Mapped[PlatformAccount] = relationship()
    hosts: Mapped[list[SessionHost]] = relationship(
        back_populates="session", cascade="all, delete-orphan"
    )


class SessionHost(Base):
    __tablename__ = "session_hosts"
    __table_args__ = (
        CheckConstraint("share_bp > 0 AND share_bp <= 10000", name="share_in_range"),
        Index("ix_session_hosts_streamer_id", "streamer_id"),
        # Rows live in the primary key's b-tree itself: one structure less to write per host.
        {"sqlite_with_rowid": False},
    )

    session_id: Mapped[int] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    streamer_id: Mapped[int] = mapped_column(ForeignKey("streamers.id"), primary_key=True)
    share_bp: Mapped[int] = mapped_column(Integer, default=FULL_SHARE_BP)

    session: Mapped[LiveSession] = relationship(back_populates="hosts")
    streamer: Mapped[Streamer] = relationship()


class SessionRevision(Base):
    """A session's values before a batch updated it, so the batch can be rolled back."""

    __tablename__ = "session_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("import_batches.id", ondelete="CASCADE"), index=True
    )
    # Indexed: deleting sessions cascades here, and a rollback looks revisions up by session.
    session_id: Mapped[int] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True
    )
    before: Mapped[dict[str, Any]] = mapped_column(JSON)


class ExchangeRate(Base):
    """HR's rate for one currency in one month: 1 unit of `currency` = `rate` org currency."""

    __tablename__ = "exchange_rates"
    __table_args__ = (UniqueConstraint("currency", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(String(3))
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM in the organisation's zone
    rate: Mapped[str] = mapped_column(String(30))  # decimal text: exact, unlike NUMERIC in SQLite
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
