"""Saved column mappings: the table, and saving, listing and finding them (audited).

A mapping is saved under a name once per layout (`hrapp mappings save`, or the upload page when no
profile fits a file); later files whose header row holds all of its headers are read with it
without asking (`hrapp.live_sessions.importer`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from hrapp.core import audit
from hrapp.core.db import Base, utcnow
from hrapp.core.messages import message
from hrapp.extensions import db
from hrapp.live_sessions.parsing import ParseResult, parse_export
from hrapp.live_sessions.parsing.headers import normalize_header
from hrapp.live_sessions.parsing.profiles import candidate_profiles

from .mappings import MAPPING_FORMAT, ColumnMapping, mapping_profile


class SavedMapping(Base):
    """A column mapping HR saved under a name (the TOML document's content)."""

    __tablename__ = "column_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    platform: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str | None] = mapped_column(String(3))
    timezone: Mapped[str | None] = mapped_column(String(64))
    # [[file header, template field], …] in the document's order
    columns: Mapped[list[list[str]]] = mapped_column(JSON)
    # The mapped headers normalised and sorted: two mappings for one layout are one too many.
    header_key: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def to_mapping(self) -> ColumnMapping:
        return ColumnMapping(
            self.name,
            self.platform,
            tuple((header, field) for header, field in self.columns),
            self.currency,
            self.timezone,
        )


def _values(mapping: ColumnMapping) -> dict[str, Any]:
    return {
        "platform": mapping.platform,
        "currency": mapping.currency,
        "timezone": mapping.timezone,
        "columns": [list(pair) for pair in mapping.columns],
    }


def save_mapping(
    mapping: ColumnMapping, *, user_id: int | None = None, actor: Any = None
) -> SavedMapping:
    """Save `mapping` under its name; an existing mapping of that name is replaced (audited with
    what changed). Flushes; the caller commits."""
    saved = db.session.scalar(select(SavedMapping).where(SavedMapping.name == mapping.name))
    values = _values(mapping)
    if saved is None:
        saved = SavedMapping(name=mapping.name, created_by_id=user_id, **values)
        saved.header_key = mapping.header_key()
        db.session.add(saved)
        db.session.flush()
        audit.record(
            "mapping.save",
            "column_mapping",
            saved.id,
            changes={
                "mapping_name": [None, mapping.name],
                **{k: [None, v] for k, v in values.items()},
            },
            summary=message("Column mapping “%(name)s” saved.", name=mapping.name),
            actor=actor,
        )
        return saved
    before = _values(saved.to_mapping())
    for key, value in values.items():
        setattr(saved, key, value)
    saved.header_key = mapping.header_key()
    db.session.flush()
    audit.record(
        "mapping.save",
        "column_mapping",
        saved.id,
        changes=audit.diff(before, values),
        summary=message("Column mapping “%(name)s” changed.", name=mapping.name),
        actor=actor,
    )
    return saved


def saved_mappings() -> list[SavedMapping]:
    """Every saved mapping, by name."""
    return list(db.session.scalars(select(SavedMapping).order_by(SavedMapping.name)))


def find_mapping(name: str) -> ColumnMapping | None:
    saved = db.session.scalar(select(SavedMapping).where(SavedMapping.name == name.strip()))
    return saved.to_mapping() if saved else None


def parse_sessions(
    data: bytes,
    filename: str,
    *,
    platform: str,
    mapping: ColumnMapping | None,
    org_timezone: str,
    org_currency: str,
    max_xlsx_rows: int,
) -> tuple[ParseResult, ColumnMapping | None]:
    """Parse a session file with `mapping` when one is given; else as a recognised export or
    with a saved mapping whose headers the file's header row holds (the best-covered layout
    wins, as between recognised formats). Returns the result and the mapping it was read
    with. ImportFileError as `parse_export`."""
    if mapping is not None:
        return _parse_mapped(data, filename, mapping, org_timezone, org_currency, max_xlsx_rows)
    saved = [s.to_mapping() for s in saved_mappings() if platform in ("auto", s.platform)]
    profiles = (
        *candidate_profiles(platform),
        *(mapping_profile(m, org_currency) for m in saved),
    )
    result = parse_export(
        data, filename, org_timezone=org_timezone, max_xlsx_rows=max_xlsx_rows, profiles=profiles
    )
    if result.format != MAPPING_FORMAT:
        return result, None
    used = _mapping_read(saved, result.headers, org_currency)
    if used.timezone and used.timezone != org_timezone:  # times read in the mapping's zone
        return _parse_mapped(data, filename, used, org_timezone, org_currency, max_xlsx_rows)
    return result, used


def _parse_mapped(
    data: bytes,
    filename: str,
    mapping: ColumnMapping,
    org_timezone: str,
    org_currency: str,
    max_xlsx_rows: int,
) -> tuple[ParseResult, ColumnMapping]:
    result = parse_export(
        data,
        filename,
        org_timezone=mapping.timezone or org_timezone,
        max_xlsx_rows=max_xlsx_rows,
        profiles=[mapping_profile(mapping, org_currency)],
    )
    return result, mapping


def _mapping_read(
    saved: list[ColumnMapping], headers: dict[str, str], org_currency: str
) -> ColumnMapping:
    """Which saved mapping the parser chose: the one whose headers the result names."""

    def agreement(mapping: ColumnMapping) -> int:
        fields = mapping_profile(mapping, org_currency).fields
        return sum(
            normalize_header(headers.get(spec.field, "")) == normalize_header(spec.aliases[0])
            for spec in fields
        ) - len(fields)

    return max(saved, key=agreement)
