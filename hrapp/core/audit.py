"""The audit log: who changed what, when, from which value to which.

Services call `record()` in the same transaction as the change, so a change without its audit
row can never be committed.

A summary is kept as data: a message (`hrapp.core.messages.message`) that each reader sees in
their own language, or the plain text a person wrote (a reason). Actions, object types and the
changed fields are codes; the log page shows them through their label tables
(`hrapp.audit.labels`).
"""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from flask import g, has_app_context, has_request_context, request
from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from hrapp.core.db import Base, utcnow
from hrapp.core.messages import Message
from hrapp.extensions import db

SYSTEM_ACTOR = "system"
SUMMARY_TEXT_MAX = 300


class AuditEntry(Base):
    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(60), index=True)
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(40))
    # A message, or text someone wrote ("" for none): rendered with `messages.render`.
    summary: Mapped[Message | str] = mapped_column(JSON, default="")
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip: Mapped[str | None] = mapped_column(String(64))


def _plain(value: Any) -> Any:
    """Make a value JSON-safe without losing what a reader needs to see."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if hasattr(value, "value") and not isinstance(value, int | float | str | bool):
        return value.value  # enums
    return value


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields whose value changed, as ``{field: [old, new]}``."""
    keys = sorted(set(old) | set(new))
    return {
        k: [_plain(old.get(k)), _plain(new.get(k))]
        for k in keys
        if _plain(old.get(k)) != _plain(new.get(k))
    }


def _current_actor() -> tuple[int | None, str]:
    # CLI commands say on whose behalf they act by setting g.actor.
    if has_app_context() and g.get("actor") is not None:
        return g.actor.id, g.actor.username
    if not has_request_context():
        return None, SYSTEM_ACTOR
    from flask_login import current_user

    if current_user and current_user.is_authenticated:
        return current_user.id, current_user.username
    return None, "anonymous"


def record(
    action: str,
    entity_type: str,
    entity_id: object | None = None,
    *,
    changes: dict[str, Any] | None = None,
    summary: Message | str = "",
    actor: Any = None,
) -> AuditEntry:
    """Add an audit row to the current transaction (flushes nothing itself).

    `summary` is a message built with `message()`, never a sentence in the writer's language;
    a plain string is only for text a person wrote. `actor` is a User for CLI commands acting
    on someone's behalf; in a request the logged-in user is used.
    """
    if actor is not None:
        actor_id, actor_name = actor.id, actor.username
    else:
        actor_id, actor_name = _current_actor()
    entry = AuditEntry(
        actor_id=actor_id,
        actor_name=actor_name,
        action=action,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        changes=_plain(changes or {}),
        summary=summary[:SUMMARY_TEXT_MAX] if isinstance(summary, str) else summary,
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    return entry
