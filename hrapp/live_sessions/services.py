"""Use cases around the session import: uploads kept for re-runs, mapping accounts, exchange
rates, editing a session's hosts, and rolling a batch back.

The import itself is `hrapp.live_sessions.importer.import_sessions`. Each function here
validates, changes, writes its audit row and flushes; the caller commits.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, delete, func, or_, select

from hrapp.appraisals.models import AppraisalCycle
from hrapp.appraisals.staleness import inputs_changed, instants_changed
from hrapp.core import audit
from hrapp.core.audit import AuditEntry
from hrapp.core.db import utcnow
from hrapp.core.errors import Conflict, DomainError, Locked, NotFound, ValidationFailed
from hrapp.core.messages import message
from hrapp.core.timeutil import local_midnight_utc
from hrapp.extensions import db
from hrapp.intake import batches
from hrapp.intake.batch_model import ImportBatch
from hrapp.intake.mapping_preview import NoTable, file_head
from hrapp.live_sessions import bulk
from hrapp.live_sessions.importer import FIELD_DTYPES, REVISION_COLUMNS
from hrapp.live_sessions.models import (
    FULL_SHARE_BP,
    ExchangeRate,
    LiveSession,
    SessionHost,
    SessionRevision,
)
from hrapp.live_sessions.parsing import ImportFileError
from hrapp.live_sessions.parsing.profiles import CURRENCY_EXPONENTS
from hrapp.streamers import services as streamers
from hrapp.streamers.models import PlatformAccount, Streamer

SHA256 = re.compile(r"[0-9a-f]{64}")
MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
RATE_MAX_DECIMALS = 10
UPLOADS = "sessions"  # the kind of upload, its folder under UPLOAD_DIR

# --- uploads --------------------------------------------------------------------------------


def store_upload(data: bytes, sha256: str) -> None:
    """Keep an uploaded file under its hash so that preview, re-check, column mapping and job
    need no re-upload. It is removed once imported or refused for good, else after a day
    (`hrapp.intake.batches`: one store and one hourly sweep for every kind)."""
    kept = batches.store_upload(UPLOADS, data)
    assert kept == sha256, "an upload is named by its own hash"


def read_upload(sha256: str) -> bytes:
    if not SHA256.fullmatch(sha256):
        raise NotFound(message("This upload does not exist."))
    data = batches.read_upload(UPLOADS, sha256)
    if data is None:
        raise NotFound(message("This upload is no longer kept; please upload the file again."))
    return data


def upload_kept(sha256: str) -> bool:
    return batches.upload_kept(UPLOADS, sha256)


def remove_upload(sha256: str) -> None:
    """An upload imported (or found already imported) or refused will not be confirmed again."""
    batches.remove_upload(UPLOADS, sha256)


def settle_checked_upload(sha256: str, data: bytes, filename: str, check: dict[str, Any]) -> None:
    """After a check: the upload is removed when no later step can import it, kept otherwise
    (a re-check after mapping accounts, a confirm, a column mapping need it)."""
    if check["status"] == "duplicate" or refused_for_good(data, filename, check):
        remove_upload(sha256)


def refused_for_good(data: bytes, filename: str, check: dict[str, Any]) -> bool:
    """Whether a checked file can never be imported as it is: no reader opens it (a zip bomb, a
    workbook unpacking beyond the limits, a damaged or fake file), so neither a column mapping
    nor a check after mapping accounts or setting rates can. Anything read is kept for them
    (until the day-old sweep): a file in a layout no format knows, a batch with problems."""
    if not check["has_file_error"] or check["format"]:
        return False
    try:
        file_head(data, filename)
    except (ImportFileError, NoTable):
        return True
    return False


# --- accounts -------------------------------------------------------------------------------


def map_account(platform: str, account_id: str, nickname: str, employee_no: str) -> PlatformAccount:
    """Link an account the import did not know (or knew without a streamer) to a streamer.

    The roster's own use case does it (creates or links, refuses an account someone else owns,
    audits), so that both pages follow the same rules.
    """
    streamer = streamers.require_by_employee_no(employee_no)
    return streamers.add_account(streamer, platform, account_id, nickname)


@dataclass(frozen=True)
class Suggestion:
    """The streamer an unknown account probably belongs to, and why: one of the nicknames the
    file gives the account matches the streamer's stage or legal name."""

    employee_no: str
    streamer: str  # the streamer's display name
    name: str  # the stage or legal name that matched
    nickname: str  # the file's nickname it matched
    # How: "same" (equal after whitespace and case), "in_nickname" (the nickname contains the
    # name: 小红酱的直播间, 小红酱) or "in_name" (the name contains the nickname).
    how: str


def _plain(text: str) -> str:
    """Text as names are compared: no whitespace, case folded (小红 酱 = 小红酱, Mia = MIA)."""
    return "".join(text.split()).casefold()


# A shorter name (one character) is contained in too many nicknames to suggest anything.
SUGGEST_MIN_LENGTH = 2


def suggest_streamers(accounts: list[dict[str, Any]]) -> dict[str, Suggestion]:
    """A suggested streamer per unknown account (keyed ``platform:account_id``) where exactly
    one active streamer matches: an exact name match first, else one name containing the
    other. Two streamers matching equally well suggest nobody; HR chooses."""
    if not accounts:
        return {}
    names = [
        (plain, name, streamer)
        for streamer in db.session.scalars(select(Streamer).where(Streamer.status == "active"))
        for name in {streamer.stage_name, streamer.legal_name}
        if len(plain := _plain(name or "")) >= SUGGEST_MIN_LENGTH
    ]
    found: dict[str, Suggestion] = {}
    for account in accounts:
        nicknames = account.get("nicknames") or [account.get("nickname") or ""]
        seen = [(n, p) for n in nicknames if len(p := _plain(n)) >= SUGGEST_MIN_LENGTH]
        if suggestion := _only_match(seen, names):
            found[f"{account['platform']}:{account['account_id']}"] = suggestion
    return found


def _only_match(
    nicknames: list[tuple[str, str]], names: list[tuple[str, str, Streamer]]
) -> Suggestion | None:
    for exact in (True, False):
        matches = {
            streamer.employee_no: Suggestion(
                streamer.employee_no, streamer.display_name, name, nickname, how
            )
            for nickname, nick in nicknames
            for plain, name, streamer in names
            if (how := _how(plain, nick)) and (how == "same") == exact
        }
        if matches:
            return next(iter(matches.values())) if len(matches) == 1 else None
    return None


def _how(name: str, nickname: str) -> str | None:
    if name == nickname:
        return "same"
    if name in nickname:
        return "in_nickname"
    return "in_name" if nickname in name else None


def map_accounts(mappings: list[tuple[str, str, str, str]]) -> list[PlatformAccount]:
    """Map many accounts at once, each as `map_account` does (audited one by one): (platform,
    account id, nickname, employee number) each. All or nothing: the first that is refused
    raises, naming the account; the caller rolls back the ones before it."""
    if not mappings:
        raise ValidationFailed(_("Give the employee number of at least one account."))
    mapped = []
    for platform, account_id, nickname, employee_no in mappings:
        try:
            mapped.append(map_account(platform, account_id, nickname, employee_no))
        except DomainError as exc:
            raise ValidationFailed(
                _(
                    "Nothing was mapped: account %(account)s (%(nickname)s): %(reason)s",
                    account=account_id,
                    nickname=nickname,
                    reason=exc.message,
                ),
                getattr(exc, "problems", []),
            ) from exc
    return mapped


# --- exchange rates -------------------------------------------------------------------------


def parse_rate(text: str) -> str:
    """A positive exact decimal as canonical text (``7.10`` → ``7.1``), so equal rates compare
    equal as text wherever they are stored."""
    try:
        rate = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        raise ValidationFailed(_("%(rate)s is not a number.", rate=text)) from None
    if not rate.is_finite() or rate <= 0:
        raise ValidationFailed(_("The rate must be a positive number."))
    exponent = rate.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > RATE_MAX_DECIMALS:
        raise ValidationFailed(_("Give the rate with at most %(n)d decimals.", n=RATE_MAX_DECIMALS))
    return format(rate.normalize(), "f")


def set_rate(currency: str, month: str, rate_text: str, *, user_id: int | None) -> ExchangeRate:
    """Set HR's rate for one currency in one month: 1 `currency` = rate × org currency."""
    currency = currency.strip().upper()
    org = current_app.config["ORG_CURRENCY"]
    if currency not in CURRENCY_EXPONENTS or currency == org:
        raise ValidationFailed(
            _("%(currency)s is not a currency that needs a rate.", currency=currency)
        )
    if not MONTH.fullmatch(month.strip()):
        raise ValidationFailed(_("Write the month as YYYY-MM, e.g. 2026-09."))
    month = month.strip()
    rate = parse_rate(rate_text)
    row = db.session.scalar(
        select(ExchangeRate).where(ExchangeRate.currency == currency, ExchangeRate.month == month)
    )
    if row is None:
        row = ExchangeRate(currency=currency, month=month, rate=rate)
        db.session.add(row)
        db.session.flush()
        old = None
    elif row.rate == rate:
        return row
    else:
        old, row.rate = row.rate, rate
    row.set_by_id = user_id
    audit.record(
        "exchange_rate.set",
        "exchange_rate",
        row.id,
        changes={"rate": [old, rate]},
    )
    first = dt.date.fromisoformat(f"{month}-01")
    following = (first + dt.timedelta(days=31)).replace(day=1)
    inputs_changed("exchange_rate", first, following - dt.timedelta(days=1))
    db.session.flush()
    return row


# --- hosts ----------------------------------------------------------------------------------


def percent_to_bp(text: str) -> int:
    """``"33.33"`` percent → 3333 basis points; more than two decimals is refused."""
    try:
        value = Decimal(text.strip().rstrip("%"))
    except InvalidOperation:
        raise ValidationFailed(_("%(value)s is not a percentage.", value=text)) from None
    points = value * 100
    if not points.is_finite() or points != points.to_integral_value():
        raise ValidationFailed(_("Give shares with at most two decimals: %(value)s.", value=text))
    return int(points)


HOSTS_EDITED = "session.hosts"  # the audit action of an edit by HR


def _hosts_text(hosts: list[tuple[str, int]]) -> str:
    return "; ".join(f"{no} {Decimal(bp) / 100}%" for no, bp in sorted(hosts))


def set_hosts(session_id: int, hosts: list[tuple[str, int]]) -> None:
    """Replace a session's hosts: (employee number, share in basis points), summing to 100 %."""
    session = db.session.get(LiveSession, session_id)
    if session is None:
        raise NotFound(_("This session does not exist."))
    problems = []
    numbers = [no for no, _bp in hosts]
    if not hosts:
        problems.append(_("Name at least one host."))
    if len(set(numbers)) != len(numbers):
        problems.append(_("A host is named twice."))
    if any(bp <= 0 or bp > FULL_SHARE_BP for _no, bp in hosts):
        problems.append(_("Every share must be more than 0% and at most 100%."))
    total = sum(bp for _no, bp in hosts)
    if hosts and total != FULL_SHARE_BP:
        problems.append(
            _("The shares add up to %(total)s%%, not 100%%.", total=Decimal(total) / 100)
        )
    found = {}
    for no in numbers:
        try:
            found[no] = streamers.require_by_employee_no(no)
        except ValidationFailed as exc:
            problems.append(exc.message)
    if problems:
        raise ValidationFailed(_("The hosts were not saved."), problems)
    old = [(h.streamer.employee_no, h.share_bp) for h in session.hosts]
    if sorted(old) == sorted(hosts):
        return
    session.hosts = [SessionHost(streamer_id=found[no].id, share_bp=bp) for no, bp in hosts]
    instants_changed("sessions_edited", [session.started_at])
    audit.record(
        HOSTS_EDITED,
        "live_session",
        session.id,
        changes={"hosts": [_hosts_text(old), _hosts_text(hosts)]},
    )
    db.session.flush()


# --- rollback -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RollbackResult:
    deleted: int
    restored: int


def _touched_by(batch: ImportBatch) -> ColumnElement[bool]:
    revised = select(SessionRevision.session_id).where(SessionRevision.batch_id == batch.id)
    return or_(LiveSession.import_batch_id == batch.id, LiveSession.id.in_(revised))


def _finalized_cycle_covering(batch: ImportBatch) -> AppraisalCycle | None:
    """A finalized cycle in which a session this batch inserted or changed starts (or started
    before the change)."""
    revisions = db.session.scalars(
        select(SessionRevision.before).where(SessionRevision.batch_id == batch.id)
    ).all()
    earlier_starts = [pd.Timestamp(r["started_at"]) for r in revisions]
    for cycle in db.session.scalars(
        select(AppraisalCycle).where(AppraisalCycle.status == "finalized")
    ):
        zone = ZoneInfo(cycle.timezone)
        begins = local_midnight_utc(cycle.starts_on, zone)
        ends = local_midnight_utc(cycle.ends_on + dt.timedelta(days=1), zone)
        inside = db.session.scalar(
            select(func.count())
            .select_from(LiveSession)
            .where(
                _touched_by(batch), LiveSession.started_at >= begins, LiveSession.started_at < ends
            )
        )
        if inside or any(begins <= s < ends for s in earlier_starts):
            return cycle
    return None


def rollback_batch(batch_id: int, *, discard_host_edits: bool = False) -> RollbackResult:
    """Undo an import: delete the sessions it inserted, restore the ones it updated.

    Refused when a later import changed the same sessions (roll that one back first, newest
    first, so that no later change is silently lost), when a finalized appraisal cycle
    covers any of them (pay was computed from them), and, unless ``discard_host_edits``,
    when HR has since edited hosts that the rollback would remove or overwrite.
    """
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None or batch.kind != "sessions":
        raise NotFound(_("This import batch does not exist."))
    if batch.status != "imported":
        raise Conflict(_("Only an imported batch can be rolled back."))
    later = sorted(
        db.session.scalars(
            select(LiveSession.last_batch_id)
            .distinct()
            .where(_touched_by(batch), LiveSession.last_batch_id != batch.id)
        )
    )
    if later:
        raise Conflict(
            _(
                "Later imports (batch %(batches)s) changed these sessions: roll them back first.",
                batches=", ".join(str(b) for b in later),
            )
        )
    cycle = _finalized_cycle_covering(batch)
    if cycle is not None:
        raise Locked(
            _(
                "Appraisal cycle %(cycle)s is finalized and depends on these sessions; it must "
                "be reopened before this import can be rolled back.",
                cycle=cycle.code,
            )
        )
    edited = host_edits_lost_by_rollback(batch)
    if edited and not discard_host_edits:
        raise Conflict(
            _(
                "HR edited the hosts of %(count)d of these sessions after this import (session "
                "%(ids)s); rolling it back discards those edits. Confirm to roll back anyway.",
                count=len(edited),
                ids=_id_list(edited),
            )
        )
    starts = _starts_touched(batch)
    restored = _restore_revisions(batch)
    deleted = db.session.execute(
        delete(LiveSession).where(LiveSession.import_batch_id == batch.id),
        execution_options={"synchronize_session": False},
    ).rowcount
    batch.status, batch.rolled_back_at = "rolled_back", utcnow()
    audit.record(
        "sessions.rollback",
        "import_batch",
        batch.id,
        changes={
            "status": ["imported", "rolled_back"],
            **({"discarded_host_edits": [None, edited]} if edited else {}),
        },
        summary=message(
            "%(file)s rolled back: %(deleted)d sessions removed, %(restored)d restored.",
            file=batch.filename,
            deleted=deleted,
            restored=restored,
        ),
    )
    instants_changed("sessions_rolled_back", starts, batch=batch.id)
    db.session.flush()
    db.session.expire_all()
    return RollbackResult(deleted=deleted, restored=restored)


def _starts_touched(batch: ImportBatch) -> list[dt.datetime]:
    """The first and last start of the sessions a batch inserted or changed, and of their
    starts before the change."""
    low, high = db.session.execute(
        select(func.min(LiveSession.started_at), func.max(LiveSession.started_at)).where(
            _touched_by(batch)
        )
    ).one()
    revisions = db.session.scalars(
        select(SessionRevision.before).where(SessionRevision.batch_id == batch.id)
    ).all()
    earlier = [
        pd.Timestamp(r["started_at"]).to_pydatetime() for r in revisions if r.get("started_at")
    ]
    return [instant for instant in (low, high, *earlier) if instant is not None]


def host_edits_lost_by_rollback(batch: ImportBatch) -> list[int]:
    """Sessions whose hosts HR edited after ``batch`` where rolling it back would undo the
    edit: sessions it inserted (deleted) and sessions whose hosts it replaced (restored)."""
    edited_ids = {
        int(entity_id)
        for entity_id in db.session.scalars(
            select(AuditEntry.entity_id).where(
                AuditEntry.action == HOSTS_EDITED,
                AuditEntry.entity_type == "live_session",
                AuditEntry.at >= batch.created_at,
            )
        )
        if entity_id is not None
    }
    if not edited_ids:
        return []
    ids = list(edited_ids)
    inserted = db.session.scalars(
        select(LiveSession.id).where(
            LiveSession.id.in_(ids), LiveSession.import_batch_id == batch.id
        )
    )
    revised = db.session.execute(
        select(SessionRevision.session_id, SessionRevision.before).where(
            SessionRevision.batch_id == batch.id, SessionRevision.session_id.in_(ids)
        )
    )
    rehosted = [sid for sid, before in revised if "hosts" in before]
    return sorted({*inserted, *rehosted})


def _id_list(ids: list[int], shown: int = 10) -> str:
    text = ", ".join(str(i) for i in ids[:shown])
    return text + (" …" if len(ids) > shown else "")


def _restore_revisions(batch: ImportBatch) -> int:
    """Put back the values (and hosts) the batch's updates replaced."""
    revisions = db.session.execute(
        select(SessionRevision.session_id, SessionRevision.before).where(
            SessionRevision.batch_id == batch.id
        )
    ).all()
    if not revisions:
        return 0
    before = pd.DataFrame([{"id": sid, **values} for sid, values in revisions])
    before = before.drop(columns=["hosts"], errors="ignore")
    for name in REVISION_COLUMNS:  # a revision kept before the column existed: NULL then
        if name not in before.columns:
            before[name] = None
    for name in ("started_at", "ended_at", "updated_at"):
        before[name] = pd.to_datetime(before[name], utc=True, format="ISO8601")
    before = before.astype({**FIELD_DTYPES, "last_batch_id": "Int64"})
    conn = db.session.connection()
    bulk.update_frame(conn, LiveSession.__table__, before[["id", *REVISION_COLUMNS]])
    rehosted = {sid: values["hosts"] for sid, values in revisions if "hosts" in values}
    if rehosted:
        db.session.execute(
            delete(SessionHost).where(SessionHost.session_id.in_(list(rehosted))),
            execution_options={"synchronize_session": False},
        )
        db.session.execute(
            SessionHost.__table__.insert(),
            [
                {"session_id": sid, "streamer_id": streamer_id, "share_bp": share}
                for sid, hosts in rehosted.items()
                for streamer_id, share in hosts
            ],
        )
    return len(revisions)
