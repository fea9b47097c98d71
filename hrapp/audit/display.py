"""An audit entry as people read it: the object by name with a link, and each change as
"field: old → new" with values in words, yuan and local dates.

Entries keep codes and plain values (`hrapp.core.audit`); everything here happens when a page
is drawn, in the reader's language. Names are looked up once per object type for a whole page,
never once per row.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from hrapp.audit import labels as audit_labels  # noqa: F401 - registers the audit's label tables
from hrapp.auth.models import User
from hrapp.auth.permissions import can_manage_accounts
from hrapp.core import labels
from hrapp.core.audit import AuditEntry
from hrapp.core.messages import LIST_SEPARATOR, render
from hrapp.core.money import yuan_display
from hrapp.extensions import db
from hrapp.i18n import format_day, localized

EMPTY = "—"
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
# Fields whose values are codes, and the label table each is read through.
CODED_FIELDS = {
    "level": "level",
    "scheduled_level": "level",
    "platform": "platform",
    "category": "category",
    "roles": "role",
    "status": "record_status",
    "streamer_response": "record_status",
    "locale": "language",
    "required_for": "promotion_step",
    "topic": "training_category",
    "gmv_basis": "gmv_basis",
}
SCHEME_ACTIONS = ("scheme.save",)  # their fields are paths in the scheme document
# Entries written before amounts were kept in fen hold these as yuan text ("12650.00").
YUAN_TEXT_FIELDS = ("commission", "adjustment", "payable", "total_payable")
YUAN_TEXT = re.compile(r"^-?\d+\.\d{2}$")


@dataclass(frozen=True)
class Named:
    """An object as the log shows it; `url` None when it is gone or not for this reader."""

    text: str
    url: str | None = None


@dataclass(frozen=True)
class ChangeLine:
    field: str
    old: str
    new: str


# --- values -----------------------------------------------------------------------------------


def shown_value(field: str, value: Any) -> str:
    """One stored value for people: 是/否, —, yuan, a local date, a code's label, lists joined."""
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if field.endswith("_fen") and isinstance(value, int):
        return yuan_display(value)
    if field in YUAN_TEXT_FIELDS and isinstance(value, str) and YUAN_TEXT.match(value):
        return yuan_display(round(Decimal(value) * 100))
    if field == "hosts" and isinstance(value, list):
        return _joined(_host(item) for item in value)
    if isinstance(value, list):
        return _joined(shown_value(field, item) for item in value)
    if isinstance(value, Mapping):
        return _mapping_text(value)
    if field in CODED_FIELDS and labels.has_label(CODED_FIELDS[field], value):
        return labels.label(CODED_FIELDS[field], value)
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _host(item: Any) -> str:
    """A session host as an import keeps it, (streamer id, share in basis points)."""
    if isinstance(item, list) and len(item) == 2:
        return f"#{item[0]} {item[1] / 100:g}%"
    return str(item)


def _mapping_text(value: Mapping[str, Any]) -> str:
    # A rubric dimension names itself in both languages; rubric scores are key → points.
    if "zh" in value and "en" in value:
        return localized(str(value["zh"]), str(value["en"]))
    return _joined(f"{key}: {shown_value(str(key), item)}" for key, item in value.items())


def _text(value: str) -> str:
    if ISO_DAY.match(value):
        return format_day(value)
    if ISO_INSTANT.match(value):
        try:
            instant = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        from hrapp.web import localtime_filter

        return localtime_filter(instant if instant.tzinfo else instant.replace(tzinfo=dt.UTC))
    return value


def _joined(items: Iterable[str]) -> str:
    language = str(get_locale() or "zh")[:2]
    return LIST_SEPARATOR.get(language, ", ").join(items)


def change_lines(changes: Mapping[str, Any] | None, action: str | None = None) -> list[ChangeLine]:
    """An entry's changes in the order they were written, each field by its label."""
    lines = []
    for key, pair in (changes or {}).items():
        old, new = pair if isinstance(pair, list | tuple) and len(pair) == 2 else (None, pair)
        if action in SCHEME_ACTIONS:
            line = _scheme_line(key, old, new)
        else:
            line = ChangeLine(
                labels.label("field", key), shown_value(key, old), shown_value(key, new)
            )
        if line.old != line.new:  # a creation lists fields it left empty ("—" → "—")
            lines.append(line)
    return lines


def _scheme_line(path: str, old: Any, new: Any) -> ChangeLine:
    from hrapp.appraisals import scheme_form

    def value(item: Any) -> str:
        return EMPTY if item is None else scheme_form.shown_value(path, item) or EMPTY

    return ChangeLine(scheme_form.field_label(path), value(old), value(new))


# --- objects ----------------------------------------------------------------------------------

Lookup = Callable[[list[int]], dict[int, Named]]


def objects_of(entries: Iterable[AuditEntry]) -> dict[tuple[str, str | None], Named]:
    """Each entry's object by name and link, keyed by (entity_type, entity_id)."""
    wanted: dict[str, set[int]] = defaultdict(set)
    pairs = {(e.entity_type, e.entity_id) for e in entries}
    for kind, key in pairs:
        if key is not None and key.isdigit() and kind in _LOOKUPS:
            wanted[kind].add(int(key))
    found = {kind: _LOOKUPS[kind](sorted(keys)) for kind, keys in wanted.items()}
    return {(kind, key): _named(kind, key, found.get(kind, {})) for kind, key in pairs}


def _named(kind: str, key: str | None, found: Mapping[int, Named]) -> Named:
    if key is not None and key.isdigit() and int(key) in found:
        return found[int(key)]
    type_label = labels.label("entity_type", kind)
    return Named(f"{type_label} {key}" if key else type_label)


def _person(name: str, employee_no: str) -> str:
    return _("%(name)s (%(no)s)", name=name, no=employee_no)


def _streamers(ids: list[int]) -> dict[int, Named]:
    from hrapp.streamers.models import Streamer

    rows = db.session.execute(
        select(Streamer.id, Streamer.stage_name, Streamer.legal_name, Streamer.employee_no).where(
            Streamer.id.in_(ids)
        )
    )
    return {
        row.id: Named(
            _person(row.stage_name or row.legal_name, row.employee_no),
            url_for("streamers.show", streamer_id=row.id),
        )
        for row in rows
    }


def _appraisals(ids: list[int]) -> dict[int, Named]:
    from hrapp.appraisals.models import Appraisal, AppraisalCycle
    from hrapp.streamers.models import Streamer

    rows = db.session.execute(
        select(Appraisal.id, Streamer.stage_name, Streamer.legal_name, AppraisalCycle.code)
        .join(Streamer, Streamer.id == Appraisal.streamer_id)
        .join(AppraisalCycle, AppraisalCycle.id == Appraisal.cycle_id)
        .where(Appraisal.id.in_(ids))
    )
    return {
        row.id: Named(
            _("%(name)s, cycle %(code)s", name=row.stage_name or row.legal_name, code=row.code),
            url_for("appraisals.appraisal", appraisal_id=row.id),
        )
        for row in rows
    }


def _cycles(ids: list[int]) -> dict[int, Named]:
    from hrapp.appraisals.models import AppraisalCycle

    rows = db.session.execute(
        select(AppraisalCycle.id, AppraisalCycle.code).where(AppraisalCycle.id.in_(ids))
    )
    return {
        row.id: Named(
            _("Cycle %(code)s", code=row.code), url_for("appraisals.cycle", code=row.code)
        )
        for row in rows
    }


def _scheme_versions(versions: list[int]) -> dict[int, Named]:
    return {
        number: Named(
            _("Scheme version %(n)d", n=number), url_for("appraisals.scheme", version=number)
        )
        for number in versions
    }


def _users(ids: list[int]) -> dict[int, Named]:
    rows = db.session.execute(select(User.id, User.username).where(User.id.in_(ids)))
    # The accounts pages are the administrators'; HR reads the name without a link.
    admin = can_manage_accounts(current_user)
    return {
        row.id: Named(row.username, url_for("auth.edit_user", user_id=row.id) if admin else None)
        for row in rows
    }


def _jobs(ids: list[int]) -> dict[int, Named]:
    from hrapp.jobs.models import Job

    rows = db.session.execute(select(Job.id, Job.title).where(Job.id.in_(ids)))
    return {row.id: Named(render(row.title), url_for("jobs.show", job_id=row.id)) for row in rows}


def _import_batches(ids: list[int]) -> dict[int, Named]:
    from hrapp.intake.batch_model import ImportBatch
    from hrapp.intake.batches import batch_url

    rows = db.session.execute(
        select(ImportBatch.id, ImportBatch.kind, ImportBatch.filename).where(
            ImportBatch.id.in_(ids)
        )
    )
    return {row.id: Named(row.filename, batch_url(row.kind, row.id)) for row in rows}


def _live_sessions(ids: list[int]) -> dict[int, Named]:
    from hrapp.live_sessions.models import LiveSession
    from hrapp.streamers.models import PlatformAccount
    from hrapp.web import localtime_filter

    rows = db.session.execute(
        select(
            LiveSession.id,
            LiveSession.started_at,
            PlatformAccount.platform,
            PlatformAccount.nickname,
            PlatformAccount.account_id,
        )
        .join(PlatformAccount, PlatformAccount.id == LiveSession.platform_account_id)
        .where(LiveSession.id.in_(ids))
    )
    return {
        row.id: Named(
            _(
                "%(account)s on %(platform)s at %(start)s",
                account=row.nickname or row.account_id,
                platform=labels.label("platform", row.platform),
                start=localtime_filter(row.started_at),
            ),
            url_for("live_sessions.session", session_id=row.id),
        )
        for row in rows
    }


def _platform_accounts(ids: list[int]) -> dict[int, Named]:
    from hrapp.streamers.models import PlatformAccount

    rows = db.session.execute(
        select(
            PlatformAccount.id,
            PlatformAccount.platform,
            PlatformAccount.account_id,
            PlatformAccount.streamer_id,
        ).where(PlatformAccount.id.in_(ids))
    )
    return {
        row.id: Named(
            f"{labels.label('platform', row.platform)} {row.account_id}",
            url_for("streamers.show", streamer_id=row.streamer_id) if row.streamer_id else None,
        )
        for row in rows
    }


def _exchange_rates(ids: list[int]) -> dict[int, Named]:
    from hrapp.live_sessions.models import ExchangeRate

    rows = db.session.execute(
        select(ExchangeRate.id, ExchangeRate.currency, ExchangeRate.month).where(
            ExchangeRate.id.in_(ids)
        )
    )
    return {
        row.id: Named(f"{row.currency} {row.month}", url_for("live_sessions.rates")) for row in rows
    }


def _modules(ids: list[int]) -> dict[int, Named]:
    from hrapp.training.models import Module

    rows = db.session.execute(
        select(Module.id, Module.code, Module.title_zh, Module.title_en).where(Module.id.in_(ids))
    )
    return {
        row.id: Named(
            f"{row.code} {localized(row.title_zh, row.title_en)}",
            url_for("training.edit_module", module_id=row.id),
        )
        for row in rows
    }


def _classes(ids: list[int]) -> dict[int, Named]:
    from hrapp.training.models import Module, TrainingClass

    rows = db.session.execute(
        select(TrainingClass.id, TrainingClass.held_on, Module.code)
        .join(Module, Module.id == TrainingClass.module_id)
        .where(TrainingClass.id.in_(ids))
    )
    return {
        row.id: Named(
            f"{row.code} {format_day(row.held_on)}",
            url_for("training.show_class", class_id=row.id),
        )
        for row in rows
    }


def _training_records(ids: list[int]) -> dict[int, Named]:
    from hrapp.streamers.models import Streamer
    from hrapp.training.models import Module, TrainingRecord

    rows = db.session.execute(
        select(
            TrainingRecord.id,
            TrainingRecord.completed_on,
            Module.code,
            Streamer.stage_name,
            Streamer.legal_name,
            Streamer.employee_no,
        )
        .join(Module, Module.id == TrainingRecord.module_id)
        .join(Streamer, Streamer.id == TrainingRecord.streamer_id)
        .where(TrainingRecord.id.in_(ids))
    )
    return {
        row.id: Named(
            _(
                "%(who)s, %(module)s on %(day)s",
                who=_person(row.stage_name or row.legal_name, row.employee_no),
                module=row.code,
                day=format_day(row.completed_on),
            ),
            url_for("training.show_record", record_id=row.id),
        )
        for row in rows
    }


_LOOKUPS: dict[str, Lookup] = {
    "streamer": _streamers,
    "appraisal": _appraisals,
    "appraisal_cycle": _cycles,
    "scheme_version": _scheme_versions,
    "user": _users,
    "job": _jobs,
    "import_batch": _import_batches,
    "live_session": _live_sessions,
    "platform_account": _platform_accounts,
    "exchange_rate": _exchange_rates,
    "training_module": _modules,
    "training_class": _classes,
    "training_record": _training_records,
}
