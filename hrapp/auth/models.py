"""User accounts, their roles and the login attempts used for throttling."""

from __future__ import annotations

import datetime as dt
import enum
import secrets
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hrapp.core.db import Base, utcnow

if TYPE_CHECKING:
    from hrapp.streamers.models import Streamer


class Role(enum.StrEnum):
    ADMIN = "admin"
    HR = "hr"
    TRAINER = "trainer"
    STREAMER = "streamer"


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    # The account's own name; a streamer's account is named by the roster (`display_name`).
    own_name: Mapped[str] = mapped_column("display_name", String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(10))
    # Rotated at logout, password change and deactivation so that old cookies stop working.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    streamer_id: Mapped[int | None] = mapped_column(
        ForeignKey("streamers.id", ondelete="SET NULL"), unique=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[dt.datetime | None]
    password_changed_at: Mapped[dt.datetime | None]
    # Set by an initial or reset password someone else handed over: the user must choose
    # their own before anything else (`hrapp.auth.views`).
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)

    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    streamer: Mapped[Streamer | None] = relationship(back_populates="user")

    @property
    def display_name(self) -> str:
        """The roster's name of the linked streamer (a rename shows at once), else the
        account's own name."""
        if self.streamer is not None:
            return self.streamer.display_name
        return self.own_name

    @display_name.setter
    def display_name(self, value: str) -> None:
        self.own_name = value

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(r.role) for r in self.role_rows)

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows")


class LoginAttempt(Base):
    """One login try; recent failures per account and per address throttle new tries."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_username_at", "username", "at"),
        Index("ix_login_attempts_ip_at", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    username: Mapped[str] = mapped_column(String(80))
    ip: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(Boolean)
