"""The session import: an export file in; sessions and hosts upserted; one batch recorded.

`import_sessions()` is the one use case behind the CLI command, the upload page's preview (a dry
run) and the background job. Its steps:

1. parse the file (`hrapp.live_sessions.parsing`), which reports cell-level problems;
2. resolve each row's (platform, account id) to a platform account and its streamer;
3. convert foreign-currency amounts with HR's rate for the month the session started in;
4. resolve the template's co-hosts and shares;
5. match rows to stored sessions by natural key — the platform's session id where the export
   has one, else (account, start time) — and sort them into insert / update / unchanged;
6. unless this is a dry run, write everything in the caller's transaction, or, when errors were
   found and valid rows were not explicitly accepted, write only the refused batch and its report
   (the history of the attempt; no session is touched). A file the history holds as imported
   (the same bytes, not rolled back) that would change nothing is "already imported as batch
   N": no new batch, no audit row (status "duplicate", for a dry run too).

Rules for an update (a later export of a stored session):
- a value the export does not know (empty, `-`) never erases a stored one;
- refund figures (`refunds_fen`, `refund_orders`) only grow: a smaller figure keeps the stored one
  and the report says so with a warning;
- hosts change only when the file names them (template `hosts` column): HR's edits survive
  re-imports of platform exports;
- the session's previous values are kept in a SessionRevision (for rollback) and one audit row per
  session lists every changed field old → new.

Everything runs on whole columns: at a million rows a per-row ORM object or per-row Python check
would blow the time and memory budget (see `bulk`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from flask import current_app
from sqlalchemy import delete, exists, insert, literal, select

from hrapp.appraisals.staleness import instants_changed
from hrapp.auth.models import User
from hrapp.core import audit
from hrapp.core.audit import AuditEntry
from hrapp.core.db import utcnow
from hrapp.core.messages import Message, message
from hrapp.core.messages import money as money_param
from hrapp.core.money import yuan_text
from hrapp.core.progress import ProgressFn, no_progress
from hrapp.extensions import db
from hrapp.intake import batches
from hrapp.intake.batch_model import ImportBatch
from hrapp.intake.limits import MAX_ROWS
from hrapp.intake.mapping_store import parse_sessions
from hrapp.intake.mappings import ColumnMapping
from hrapp.live_sessions import bulk
from hrapp.live_sessions.models import (
    FULL_SHARE_BP,
    ExchangeRate,
    LiveSession,
    SessionHost,
    SessionRevision,
)
from hrapp.live_sessions.parsing import ImportFileError, Problem
from hrapp.live_sessions.parsing.dashboard_workbook import GMV_FROM_BUYER_PAID
from hrapp.live_sessions.parsing.files import (
    FilesParse,
    is_batch_upload,
    mark_buyer_paid,
    parse_files,
)
from hrapp.live_sessions.parsing.model import COUNT_COLUMNS, MAX_PROBLEMS, ProblemLog, Severity
from hrapp.live_sessions.parsing.profiles import CURRENCY_EXPONENTS
from hrapp.streamers.models import PlatformAccount, Streamer

# Parsed money column (minor units of the row's currency) → stored column (org-currency fen).
MONEY_FIELDS = {
    "gmv_minor": "gmv_fen",
    "buyer_paid_minor": "buyer_paid_fen",
    "refunds_minor": "refunds_fen",
    "platform_net_minor": "platform_net_fen",
    "refunds_1h_minor": "refunds_1h_fen",
    "ad_spend_minor": "ad_spend_fen",
}
COUNT_FIELDS = ("on_air_seconds", *COUNT_COLUMNS)
# What a session stores from a file; equal on every one of these means "unchanged".
FIELD_DTYPES: dict[str, Any] = {
    "platform_session_id": "string",
    "title": "string",
    "started_at": pd.DatetimeTZDtype("ns", "UTC"),
    "ended_at": pd.DatetimeTZDtype("ns", "UTC"),
    **dict.fromkeys(COUNT_FIELDS, "Int64"),
    "avg_watch_seconds": "Float64",
    **dict.fromkeys(MONEY_FIELDS.values(), "Int64"),
    "currency": "string",
    "fx_rate": "string",
    # "buyer_paid" when the GMV is the buyer-paid amount (a per-session 直播大屏 download
    # carries no 成交金额); NULL when it is the platform's GMV.
    "gmv_basis": "string",
}
SESSION_FIELDS = tuple(FIELD_DTYPES)
GROWING_FIELDS = ("refunds_fen", "refund_orders")
TEXT_LIMITS = {"platform_session_id": 64, "title": 255}
PREVIEW_ROWS = 50
# Beyond this an XLSX is refused with advice to export CSV: the intake's one row limit, which
# the IMPORT_MAX_XLSX_ROWS setting overrides.
MAX_XLSX_ROWS = MAX_ROWS
# Indexes whose order is not the insert order (new ids follow account and start time): a big
# import rebuilds them rather than inserting a million keys at random places (see `bulk`).
OUT_OF_ORDER_INDEXES = ("ix_live_sessions_started_at", "ix_session_hosts_streamer_id")
HostList = list[tuple[int, int]]  # (streamer id, share in basis points), sorted


@dataclass
class UnknownAccount:
    """An account named by the file that no streamer answers for yet."""

    platform: str
    account_id: str
    nickname: str
    rows: int
    exists: bool  # the account is known but linked to no streamer
    # Every nickname the file gives it, in order of first sight (a renamed room has several).
    nicknames: list[str] = field(default_factory=list)


@dataclass
class ImportOutcome:
    """What an import did (or, for a dry run, would do) and everything it found."""

    filename: str
    sha256: str
    status: str  # imported | refused | checked (dry run) | duplicate (already imported)
    batch_id: int | None = None
    format: str | None = None
    platform: str | None = None
    mapping: str | None = None  # the name of the column mapping the file was read with
    total_rows: int = 0
    files: int = 1  # a batch of several files (ZIPs opened) reads more than one
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    problems: list[Problem] = field(default_factory=list)
    omitted_problems: int = 0
    unknown_accounts: list[UnknownAccount] = field(default_factory=list)
    preview: list[dict[str, Any]] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for p in self.problems if p.severity == "warning")

    @property
    def has_file_error(self) -> bool:
        return any(p.row is None and p.severity == "error" for p in self.problems)

    @property
    def valid_rows(self) -> int:
        return self.inserted + self.updated + self.unchanged

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe, for a job's stored result and the pages."""
        data = asdict(self)
        data["problems"] = [problem_dict(p) for p in self.problems]
        data.update(errors=self.errors, warnings=self.warnings, valid_rows=self.valid_rows)
        data["has_file_error"] = self.has_file_error
        return data


def problem_dict(problem: Problem) -> dict[str, Any]:
    data = {
        "row": problem.row,
        "column": problem.column,
        "value": problem.value,
        "reason": problem.reason,
        "severity": problem.severity,
    }
    # Where, in a batch of several files or a per-session workbook (sheet and cell).
    data.update({k: v for k in ("file", "sheet", "cell") if (v := getattr(problem, k))})
    return data


@dataclass
class Plan:
    """The valid rows sorted by what the import does with them."""

    new: pd.DataFrame
    changed: pd.DataFrame  # merged values, with the stored session's "id"
    before: pd.DataFrame  # stored values of the changed rows, same order
    changed_fields: pd.DataFrame  # per changed row and field: did it change
    unchanged: pd.DataFrame
    explicit_hosts: dict[int, HostList]  # source row → hosts the file names
    stored_hosts: dict[int, HostList]  # session id → hosts before, where the file changes them
    actions: dict[int, str]  # source row → insert | update | unchanged
    # A batch of files: a source row's file, and its row there (None: a per-session workbook).
    locate: Callable[[int], tuple[str, int | None]] | None = None


@dataclass(frozen=True)
class _Options:
    dry_run: bool
    accept_valid_rows: bool
    user_id: int | None
    size_bytes: int


def import_sessions(
    data: bytes,
    filename: str,
    *,
    platform: str = "auto",
    dry_run: bool = False,
    accept_valid_rows: bool = False,
    user_id: int | None = None,
    progress: ProgressFn | None = None,
    mapping: ColumnMapping | None = None,
) -> ImportOutcome:
    """Import one export file; see the module docstring. Flushes; the caller commits.

    ``mapping`` reads a layout no profile knows; without one, a saved mapping whose headers the
    file holds is used when no recognised format fits better (`hrapp.intake.mapping_store`).
    A ZIP of files and a per-session 直播大屏 workbook are read by `import_session_files`."""
    if is_batch_upload(data, filename) and mapping is None:
        return import_session_files(
            [(filename, data)],
            name=filename,
            platform=platform,
            dry_run=dry_run,
            accept_valid_rows=accept_valid_rows,
            user_id=user_id,
            progress=progress,
        )
    report = progress or no_progress
    options = _Options(dry_run, accept_valid_rows, user_id, len(data))
    outcome = ImportOutcome(filename, hashlib.sha256(data).hexdigest(), "checked")
    log = ProblemLog()
    report(0, 1, message("Reading the file…"))
    try:
        parsed, used = parse_sessions(
            data,
            filename,
            platform=platform,
            mapping=mapping,
            org_timezone=current_app.config["ORG_TIMEZONE"],
            org_currency=current_app.config["ORG_CURRENCY"],
            max_xlsx_rows=current_app.config.get("IMPORT_MAX_XLSX_ROWS", MAX_XLSX_ROWS),
        )
    except ImportFileError as exc:
        log.add(None, None, None, exc.reason)
        return _conclude(outcome, log, None, options, report)
    outcome.mapping = used.name if used else None
    outcome.format, outcome.platform, outcome.total_rows = (
        parsed.format,
        parsed.platform,
        parsed.total_rows,
    )
    log.problems, log.rejected, log.omitted = (
        list(parsed.problems),
        set(parsed.rejected_rows),
        parsed.omitted_problems,
    )
    report(0, 1, message("Checking accounts, rates and hosts…"))
    plan = _plan(mark_buyer_paid(parsed.rows), log, outcome)
    _name_columns_as_in_file(log.problems, len(parsed.problems), parsed.headers)
    return _conclude(outcome, log, plan, options, report)


def import_session_files(
    files: list[tuple[str, bytes]],
    *,
    name: str | None = None,
    platform: str = "auto",
    dry_run: bool = False,
    accept_valid_rows: bool = False,
    user_id: int | None = None,
    progress: ProgressFn | None = None,
) -> ImportOutcome:
    """Import several files (per-session workbooks, list exports, ZIPs of them) as one batch:
    one check, one report naming each problem's file (and sheet and cell), one write. The
    progress counts files while they are read. Flushes; the caller commits."""
    report = progress or no_progress
    name = name or batch_name([file for file, _data in files])
    outcome = ImportOutcome(name, _batch_digest(files), "checked")
    options = _Options(dry_run, accept_valid_rows, user_id, sum(len(d) for _f, d in files))
    log = ProblemLog()
    try:
        parsed = parse_files(
            files,
            platform=platform,
            org_timezone=current_app.config["ORG_TIMEZONE"],
            max_xlsx_rows=current_app.config.get("IMPORT_MAX_XLSX_ROWS", MAX_XLSX_ROWS),
            progress=report,
        )
    except ImportFileError as exc:
        log.add(None, None, None, exc.reason)
        return _conclude(outcome, log, None, options, report)
    outcome.format, outcome.platform = parsed.format, parsed.platform
    outcome.total_rows, outcome.files = parsed.total_rows, parsed.files
    log.problems, log.rejected = list(parsed.problems), set(parsed.rejected_rows)
    log.omitted = parsed.omitted_problems
    report(parsed.files, parsed.files, message("Checking accounts, rates and hosts…"))
    plan = _plan(parsed.rows, log, outcome)
    _localize(log.problems, len(parsed.problems), parsed)
    if plan is not None:
        _name_preview_files(plan, parsed)
    return _conclude(outcome, log, plan, options, report)


def batch_name(files: list[str]) -> str:
    """What a batch of several files is called in the history: its files, shortened."""
    if len(files) == 1:
        return files[0]
    shown = ", ".join(files[:3])
    more = f" … (+{len(files) - 3})" if len(files) > 3 else ""
    return f"{shown}{more}"[:255]


def _batch_digest(files: list[tuple[str, bytes]]) -> str:
    if len(files) == 1:
        return hashlib.sha256(files[0][1]).hexdigest()
    digests = sorted(hashlib.sha256(data).hexdigest() for _name, data in files)
    return hashlib.sha256("".join(digests).encode()).hexdigest()


def _localize(problems: list[Problem], start: int, parsed: FilesParse) -> None:
    """Checks after parsing speak of batch rows and canonical fields; HR looks for the file,
    its row and header, or the sheet and cell of a per-session workbook."""
    for index in range(start, len(problems)):
        problems[index] = parsed.localize(problems[index])


def _name_preview_files(plan: Plan, parsed: FilesParse) -> None:
    """The preview names each row's file (a batch row number means nothing to HR): found for
    the rows the preview shows, not for every row of the batch."""
    plan.locate = parsed.locate


def _name_columns_as_in_file(problems: list[Problem], start: int, headers: dict[str, str]) -> None:
    """Checks after parsing speak of canonical fields (`account_id`, `refunds`); HR looks for
    the header in their file (主播抖音号, 直播间退款金额). Renames from `start` on."""
    for index in range(start, len(problems)):
        problem = problems[index]
        column = problem.column
        if column is None:
            continue
        header = headers.get(column) or headers.get(f"{column}_minor")
        if column == "currency" and header is None:  # the currency is named in the GMV header
            header = headers.get("gmv_minor")
        if header:
            problems[index] = replace(problem, column=header)


# --- planning -------------------------------------------------------------------------------


# --- planning -------------------------------------------------------------------------------


def _plan(rows: pd.DataFrame, log: ProblemLog, outcome: ImportOutcome) -> Plan:
    frame = rows.reset_index(drop=True)
    _check_text_lengths(frame, log)
    frame, outcome.unknown_accounts = _resolve_accounts(frame, log)
    frame = _convert_currency(frame, log)
    explicit_hosts = _resolve_hosts(frame, log)
    valid = frame[~frame["source_row"].isin(log.rejected)].reset_index(drop=True)
    valid, stored = _match_stored(valid, log)
    valid = valid[~valid["source_row"].isin(log.rejected)].reset_index(drop=True)
    return _diff(valid, stored, explicit_hosts, log)


def _report(
    log: ProblemLog,
    rows: pd.DataFrame,
    column: str,
    values: Callable[[Any], str | None],
    reason: Callable[[Any], Message],
    severity: Severity = "error",
) -> None:
    """One problem per row of `rows` (kept up to the report's cap); errors reject the rows."""
    if rows.empty:
        return
    if severity == "error":
        log.rejected.update(int(r) for r in rows["source_row"])
    room = max(0, MAX_PROBLEMS - len(log.problems))
    for row in rows.head(room).itertuples(index=False):
        log.problems.append(
            Problem(int(row.source_row), column, values(row), reason(row), severity)
        )
    log.omitted += max(0, len(rows) - room)


def _check_text_lengths(frame: pd.DataFrame, log: ProblemLog) -> None:
    for name, limit in TEXT_LIMITS.items():
        too_long = frame[frame[name].str.len().fillna(0) > limit]
        _report(
            log,
            too_long,
            name,
            lambda r, n=name: getattr(r, n),
            lambda r, limit=limit: message("Longer than %(limit)d characters.", limit=limit),
        )


def _load_accounts(platforms: Iterable[str]) -> pd.DataFrame:
    """Every account of the file's platforms: one cheap query, however many the file names
    (an agency has thousands of accounts; a file may name all of them)."""
    found = db.session.execute(
        select(
            PlatformAccount.platform,
            PlatformAccount.account_id,
            PlatformAccount.id,
            PlatformAccount.streamer_id,
        ).where(PlatformAccount.platform.in_(sorted(set(platforms))))
    ).all()
    known = pd.DataFrame.from_records(
        found, columns=["platform", "account_id", "platform_account_id", "account_streamer_id"]
    )
    return known.astype(
        {
            "platform": "string",
            "account_id": "string",
            "platform_account_id": "Int64",
            "account_streamer_id": "Int64",
        }
    )


def _resolve_accounts(
    frame: pd.DataFrame, log: ProblemLog
) -> tuple[pd.DataFrame, list[UnknownAccount]]:
    """Add each row's platform account and streamer; rows nobody answers for are errors.

    An account linked to no streamer is fine for a row whose `hosts` column names the hosts.
    """
    accounts = _load_accounts(frame["platform"].dropna().unique().tolist())
    frame = frame.merge(accounts, on=["platform", "account_id"], how="left")
    unknown = frame["platform_account_id"].isna()
    unlinked = ~unknown & frame["account_streamer_id"].isna() & frame["hosts"].isna()

    def label(r: Any) -> dict[str, str]:
        return {"account": r.account_id, "nickname": r.nickname if pd.notna(r.nickname) else ""}

    _report(
        log,
        frame[unknown],
        "account_id",
        lambda r: r.account_id,
        lambda r: message(
            "Unknown account %(account)s (%(nickname)s): map it to a streamer.", **label(r)
        ),
    )
    _report(
        log,
        frame[unlinked],
        "account_id",
        lambda r: r.account_id,
        lambda r: message(
            "Account %(account)s (%(nickname)s) is linked to no streamer: map it to a streamer.",
            **label(r),
        ),
    )
    return frame, _unknown_accounts(frame[unknown | unlinked])


def _unknown_accounts(rows: pd.DataFrame) -> list[UnknownAccount]:
    if rows.empty:
        return []
    groups = rows.groupby(["platform", "account_id"], sort=True, dropna=False)
    summary = groups.agg(
        nickname=("nickname", "first"),
        rows=("source_row", "size"),
        pk=("platform_account_id", "first"),
        nicknames=("nickname", _distinct_texts),
    ).reset_index()
    return [
        UnknownAccount(
            platform=str(r.platform),
            account_id=str(r.account_id),
            nickname="" if pd.isna(r.nickname) else str(r.nickname),
            rows=int(r.rows),
            exists=pd.notna(r.pk),
            nicknames=list(r.nicknames),
        )
        for r in summary.itertuples(index=False)
    ]


def _distinct_texts(values: pd.Series) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(v) for v in values.dropna() if str(v).strip()))


def convert_minor(values: pd.Series, rate: Decimal, exponent: int) -> pd.Series:
    """Minor units of a currency → org fen: value × rate × 100 / 10^exponent, half up once.

    Integer arithmetic on the exact fraction of the rate: no float ever touches the amount.
    """
    numerator, denominator = rate.as_integer_ratio()
    numerator *= 100
    denominator *= 10**exponent

    def one(value: Any) -> Any:
        if value is None:
            return pd.NA
        scaled = abs(int(value)) * numerator
        rounded = (2 * scaled + denominator) // (2 * denominator)
        return -rounded if value < 0 else rounded

    raw = values.to_numpy(dtype=object, na_value=None)
    return pd.Series([one(v) for v in raw], index=values.index, dtype="Int64")


def _load_rates(currencies: Iterable[str]) -> dict[tuple[str, str], str]:
    rows = db.session.execute(
        select(ExchangeRate.currency, ExchangeRate.month, ExchangeRate.rate).where(
            ExchangeRate.currency.in_(sorted(set(currencies)))
        )
    ).all()
    return {(c, m): rate for c, m, rate in rows}


def _convert_currency(frame: pd.DataFrame, log: ProblemLog) -> pd.DataFrame:
    """Amounts → org-currency fen with HR's rate for (currency, month of the start)."""
    org = current_app.config["ORG_CURRENCY"]
    frame["fx_rate"] = pd.Series("1", index=frame.index, dtype="string")
    for source, target in MONEY_FIELDS.items():
        frame[target] = frame[source]
    foreign = frame[frame["currency"] != org]
    if foreign.empty:
        return frame
    months = foreign["started_at"].dt.tz_convert(_zone()).dt.strftime("%Y-%m")
    rates = _load_rates(foreign["currency"])
    for (currency, month), group in foreign.groupby([foreign["currency"], months]):
        rate = rates.get((str(currency), str(month)))
        if rate is None:
            _report(
                log,
                group,
                "currency",
                lambda r: r.currency,
                lambda r, c=currency, m=month: message(
                    "No exchange rate for %(currency)s in %(month)s: set it on the exchange "
                    "rates page, then import again.",
                    currency=str(c),
                    month=str(m),
                ),
            )
            continue
        exponent = CURRENCY_EXPONENTS.get(str(currency), 2)
        for source, target in MONEY_FIELDS.items():
            frame.loc[group.index, target] = convert_minor(group[source], Decimal(rate), exponent)
        frame.loc[group.index, "fx_rate"] = rate
    return frame


def _split_hosts(text: str) -> list[tuple[str, int]]:
    """The parser's normalised `E1001:6000;E1002:4000` → [(employee number, basis points)]."""
    return [(no, int(bp)) for no, _, bp in (part.partition(":") for part in text.split(";"))]


def _resolve_hosts(frame: pd.DataFrame, log: ProblemLog) -> dict[int, HostList]:
    """The co-hosts the template names, by source row; an unknown employee rejects the row."""
    named = frame[frame["hosts"].notna()]
    if named.empty:
        return {}
    listed = {
        int(row): _split_hosts(str(text))
        for row, text in zip(named["source_row"], named["hosts"], strict=True)
    }
    streamers = _streamer_ids({no for hosts in listed.values() for no, _share in hosts})
    unknown = {
        row: [no for no, _share in hosts if no not in streamers] for row, hosts in listed.items()
    }
    _report(
        log,
        named[named["source_row"].isin([row for row, nos in unknown.items() if nos])],
        "hosts",
        lambda r: r.hosts,
        lambda r: message(
            "No streamer has the employee number %(no)s.", no=", ".join(unknown[r.source_row])
        ),
    )
    return {
        row: sorted((streamers[no], share) for no, share in hosts)
        for row, hosts in listed.items()
        if not unknown[row]
    }


def _streamer_ids(employee_numbers: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for numbers in bulk.chunks(sorted(employee_numbers)):
        found.update(
            db.session.execute(
                select(Streamer.employee_no, Streamer.id).where(Streamer.employee_no.in_(numbers))
            ).all()
        )
    return found


def _check_one_row_per_stored_session(valid: pd.DataFrame, log: ProblemLog) -> None:
    """Two rows of the file that are one stored session (one matched by the platform's session
    id, the other by its start time): the later row is an error naming the first."""
    matched = valid[valid["session_id"].notna()]
    matched = matched.assign(first_row=matched.groupby("session_id")["source_row"].transform("min"))
    later = matched[matched["source_row"] != matched["first_row"]]
    _report(
        log,
        later,
        "started_at",
        lambda r: r.started_at.tz_convert(_zone()).strftime("%Y-%m-%d %H:%M:%S"),
        lambda r: message("Row %(row)d is the same stored session.", row=int(r.first_row)),
    )


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["ORG_TIMEZONE"])


# --- matching stored sessions ---------------------------------------------------------------

STORED_COLUMNS = ("id", "platform_account_id", *SESSION_FIELDS, "last_batch_id", "updated_at")
STORED_DTYPES = {
    "id": "int64",
    "platform_account_id": "Int64",
    **FIELD_DTYPES,
    "last_batch_id": "Int64",
    "updated_at": pd.DatetimeTZDtype("ns", "UTC"),
}
REVISION_COLUMNS = (*SESSION_FIELDS, "last_batch_id", "updated_at")


def _stored_frame(where: str, params: list[Any]) -> pd.DataFrame:
    conn = db.session.connection()
    names = ", ".join(bulk.quote(conn, c) for c in STORED_COLUMNS)
    sql = f"SELECT {names} FROM live_sessions WHERE {where}"  # noqa: S608 - names are ours
    datetimes = ("started_at", "ended_at", "updated_at")
    return bulk.read_frame(conn, sql, params, STORED_COLUMNS, datetimes).astype(STORED_DTYPES)


def _load_stored(valid: pd.DataFrame) -> pd.DataFrame:
    """Stored sessions the rows may match: same accounts in the file's time span, or same ids."""
    conn = db.session.connection()
    mark = bulk.in_list(conn, 1)[1:-1]
    span = [
        bulk.datetime_param(conn, valid["started_at"].min()),
        bulk.datetime_param(conn, valid["started_at"].max()),
    ]
    accounts = sorted(int(a) for a in valid["platform_account_id"].unique())
    frames = [
        _stored_frame(
            f"started_at >= {mark} AND started_at <= {mark} "
            f"AND platform_account_id IN {bulk.in_list(conn, len(chunk))}",
            [*span, *chunk],
        )
        for chunk in bulk.chunks(accounts)
    ]
    session_ids = valid["platform_session_id"].dropna().unique().tolist()
    frames += [
        _stored_frame(f"platform_session_id IN {bulk.in_list(conn, len(chunk))}", list(chunk))
        for chunk in bulk.chunks(session_ids)
    ]
    return pd.concat(frames, ignore_index=True).drop_duplicates("id").reset_index(drop=True)


def _match_stored(valid: pd.DataFrame, log: ProblemLog) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add `session_id`: the stored session a row is, by platform session id, then by start."""
    valid["session_id"] = pd.Series(pd.NA, index=valid.index, dtype="Int64")
    if valid.empty:
        return valid, _stored_frame("1 = 0", [])
    stored = _load_stored(valid)
    if stored.empty:
        return valid, stored
    with_ids = stored[stored["platform_session_id"].notna()]
    by_session_id = valid.reset_index().merge(
        with_ids[["id", "platform_account_id", "platform_session_id"]],
        on=["platform_account_id", "platform_session_id"],
    )
    valid.loc[by_session_id["index"], "session_id"] = by_session_id["id"].to_numpy()
    by_start = (
        valid[valid["session_id"].isna()]
        .reset_index()
        .merge(
            stored[["id", "platform_account_id", "started_at", "platform_session_id"]],
            on=["platform_account_id", "started_at"],
            suffixes=("", "_stored"),
        )
    )
    other_id = (
        by_start["platform_session_id"].notna()
        & by_start["platform_session_id_stored"].notna()
        & (by_start["platform_session_id"] != by_start["platform_session_id_stored"])
    ).fillna(False)
    _report(
        log,
        by_start[other_id],
        "platform_session_id",
        lambda r: r.platform_session_id,
        lambda r: message(
            "A stored session of this account starts at the same time under session id %(other)s.",
            other=str(r.platform_session_id_stored),
        ),
    )
    by_start = by_start[~other_id]
    valid.loc[by_start["index"], "session_id"] = by_start["id"].to_numpy()
    _check_one_row_per_stored_session(valid, log)
    return valid, stored


# --- the difference between the file and the database ---------------------------------------


def _same(a: pd.Series, b: pd.Series) -> pd.Series:
    """Null-aware equality: NULL equals NULL, and nothing else."""
    equal = a.eq(b).fillna(False).astype(bool)
    return equal | (a.isna() & b.isna())


def _diff(
    valid: pd.DataFrame,
    stored: pd.DataFrame,
    explicit_hosts: dict[int, HostList],
    log: ProblemLog,
) -> Plan:
    """Sort valid rows into new, changed and unchanged, applying the update rules."""
    incoming = valid.astype(FIELD_DTYPES)
    is_new = incoming["session_id"].isna()
    if is_new.all():
        return _all_new(incoming, stored, explicit_hosts)
    matched = incoming[~is_new].assign(id=incoming.loc[~is_new, "session_id"].astype("int64"))
    old = matched[["id"]].merge(stored, on="id", how="left").set_index(matched.index)
    merged = matched.copy()
    changes = pd.DataFrame(index=matched.index)
    fill_only = _fills_in_only(matched, old)
    for name in SESSION_FIELDS:
        value = matched[name].where(matched[name].notna(), old[name])
        value = value.where(~(fill_only & old[name].notna()), old[name])
        if name == "gmv_basis":  # follows the GMV it describes, even to NULL
            value = matched[name].where(matched["gmv_fen"].notna() & ~fill_only, old[name])
        if name in GROWING_FIELDS:
            _warn_smaller(log, matched, old, name)
            value = value.where(~(old[name] > value).fillna(False).astype(bool), old[name])
        merged[name] = value
        changes[name] = ~_same(value, old[name])
    stored_hosts = _stored_hosts(matched, explicit_hosts)
    rehost = pd.Series(False, index=matched.index)
    named = matched[matched["source_row"].isin(explicit_hosts)]
    for index, session_id, row in zip(named.index, named["id"], named["source_row"], strict=True):
        rehost[index] = explicit_hosts[int(row)] != stored_hosts.get(int(session_id), [])
    changed_any = changes.any(axis=1) | rehost
    changed = merged[changed_any]
    actions = dict.fromkeys(incoming.loc[is_new, "source_row"].tolist(), "insert")
    actions.update(dict.fromkeys(changed["source_row"].tolist(), "update"))
    actions.update(dict.fromkeys(matched.loc[~changed_any, "source_row"].tolist(), "unchanged"))
    return Plan(
        new=incoming[is_new],
        changed=changed,
        before=old[changed_any],
        changed_fields=changes[changed_any],
        unchanged=merged[~changed_any],
        explicit_hosts=explicit_hosts,
        stored_hosts={
            int(sid): stored_hosts.get(int(sid), []) for sid in matched.loc[rehost, "id"]
        },
        actions=actions,
    )


def _all_new(
    incoming: pd.DataFrame, stored: pd.DataFrame, explicit_hosts: dict[int, HostList]
) -> Plan:
    """`_diff` when no row is a stored session (a first import): every row is inserted, and
    the field-by-field comparison, on no rows, is skipped."""
    none = incoming.iloc[:0].assign(id=pd.Series(dtype="int64"))
    return Plan(
        new=incoming,
        changed=none,
        before=stored.iloc[:0],
        changed_fields=pd.DataFrame(False, index=none.index, columns=list(SESSION_FIELDS)),
        unchanged=none,
        explicit_hosts=explicit_hosts,
        stored_hosts={},
        actions=dict.fromkeys(incoming["source_row"].tolist(), "insert"),  # plain ints
    )


def _fills_in_only(matched: pd.DataFrame, old: pd.DataFrame) -> pd.Series:
    """Rows of a per-session workbook (GMV = buyer-paid amount) for sessions a list export
    brought (the platform's GMV): the list's figures win wherever it has them, so the row only
    fills the gaps. The other order gives the same session: a list overwrites such a row."""
    incoming_paid = (matched["gmv_basis"] == GMV_FROM_BUYER_PAID).fillna(False).astype(bool)
    stored_real = (old["gmv_fen"].notna() & old["gmv_basis"].isna()).astype(bool)
    return incoming_paid & stored_real


def _warn_smaller(log: ProblemLog, matched: pd.DataFrame, old: pd.DataFrame, name: str) -> None:
    smaller = (matched[name] < old[name]).fillna(False).astype(bool)
    if not smaller.any():
        return
    money = name.endswith("_fen")

    def text(value: Any) -> str:
        return yuan_text(int(value)) if money else str(int(value))

    def stored(value: Any) -> Any:
        return money_param(int(value)) if money else int(value)

    _report(
        log,
        matched[smaller].assign(stored_value=old.loc[smaller, name]),
        name.removesuffix("_fen"),
        lambda r: text(getattr(r, name)),
        lambda r: message(
            "Lower than the %(stored)s already stored for this session; refund figures only "
            "grow, so the stored figure is kept.",
            stored=stored(r.stored_value),
        ),
        severity="warning",
    )


def _stored_hosts(
    matched: pd.DataFrame, explicit_hosts: dict[int, HostList]
) -> dict[int, HostList]:
    """Current hosts of the matched sessions for which the file names hosts."""
    named = matched[matched["source_row"].isin(explicit_hosts)]
    hosts: dict[int, HostList] = {}
    for ids in bulk.chunks([int(i) for i in named["id"]]):
        for session_id, streamer_id, share in db.session.execute(
            select(SessionHost.session_id, SessionHost.streamer_id, SessionHost.share_bp).where(
                SessionHost.session_id.in_(ids)
            )
        ):
            hosts.setdefault(session_id, []).append((streamer_id, share))
    return {sid: sorted(h) for sid, h in hosts.items()}


# --- concluding: refuse, or write -----------------------------------------------------------


def _conclude(
    outcome: ImportOutcome,
    log: ProblemLog,
    plan: Plan | None,
    options: _Options,
    report: ProgressFn,
) -> ImportOutcome:
    outcome.problems = sorted(log.problems, key=_problem_order)
    outcome.omitted_problems = log.omitted
    outcome.rejected = len(log.rejected)
    if plan is not None:
        outcome.inserted, outcome.updated = len(plan.new), len(plan.changed)
        outcome.unchanged = len(plan.unchanged)
        outcome.preview = _preview(plan)
        if _already_imported(outcome, options):
            return outcome
    if options.dry_run:
        return outcome
    actor = db.session.get(User, options.user_id) if options.user_id else None
    batch = _new_batch(outcome, options)
    if plan is None or _refused(outcome, options.accept_valid_rows):
        _record_refusal(outcome, batch, actor)
    else:
        _record_import(outcome, plan, batch, actor, report)
    db.session.flush()
    return outcome


def _already_imported(outcome: ImportOutcome, options: _Options) -> bool:
    """This very file (or batch of files) was imported before, not rolled back since, and would
    change nothing now: the outcome names that batch (status "duplicate") and nothing is
    written, not even a batch. A rate set or an account mapped since makes it change
    something, and then it is imported like any file."""
    if outcome.inserted or outcome.updated or outcome.has_file_error:
        return False
    if outcome.rejected and not options.accept_valid_rows:
        return False  # a refusal: its problems are the answer
    earlier = batches.already_imported("sessions", outcome.sha256)
    if earlier is None:
        return False
    outcome.status, outcome.batch_id = "duplicate", earlier.id
    return True


def _record_refusal(outcome: ImportOutcome, batch: ImportBatch, actor: User | None) -> None:
    """Nothing is written but the batch: the history of the attempt, with its report."""
    outcome.status = "refused"
    outcome.inserted = outcome.updated = outcome.unchanged = 0
    _close_batch(batch, outcome)
    audit.record(
        "sessions.import_refused",
        "import_batch",
        batch.id,
        summary=message(
            "%(file)s refused: %(rows)d rows with errors; nothing was written.",
            file=outcome.filename,
            rows=outcome.rejected,
        ),
        actor=actor,
    )


def _record_import(
    outcome: ImportOutcome, plan: Plan, batch: ImportBatch, actor: User | None, report: ProgressFn
) -> None:
    """One audit row for the batch (its counts), then the rows themselves."""
    entry = audit.record(
        "sessions.import",
        "import_batch",
        batch.id,
        changes={
            name: [None, getattr(outcome, name)]
            for name in ("inserted", "updated", "unchanged", "rejected")
        },
        summary=message("Imported %(file)s.", file=outcome.filename),
        actor=actor,
    )
    db.session.flush()  # the per-session audit rows copy this one's time and actor
    _write(plan, batch, entry, report)
    outcome.status = "imported"
    _close_batch(batch, outcome)
    _mark_cycles_stale(plan, batch)


def _mark_cycles_stale(plan: Plan, batch: ImportBatch) -> None:
    """The appraisal cycles whose quarter these sessions start in (before or after an update)
    are out of date; a finalized one learns of its late data."""
    frames = [plan.new, plan.changed, plan.before]
    starts = [
        instant
        for frame in frames
        if "started_at" in frame.columns and len(frame)
        for instant in (frame["started_at"].min(), frame["started_at"].max())
        if not pd.isna(instant)
    ]
    instants_changed(
        "sessions_imported",
        [pd.Timestamp(instant).to_pydatetime() for instant in starts],
        n=len(plan.new) + len(plan.changed),
        batch=batch.id,
    )


def _refused(outcome: ImportOutcome, accept_valid_rows: bool) -> bool:
    """All or nothing, unless valid rows were accepted (and there are some)."""
    if outcome.has_file_error:
        return True
    if not outcome.rejected:
        return False
    return not accept_valid_rows or outcome.valid_rows == 0


def _problem_order(problem: Problem) -> tuple[str, int, int]:
    return (
        problem.file or "",
        -1 if problem.row is None else problem.row,
        0 if problem.severity == "error" else 1,
    )


_PREVIEW_COLUMNS = [
    "source_row",
    "account_id",
    "nickname",
    "title",
    "started_at",
    "ended_at",
    "on_air_seconds",
    "viewers",
    "gmv_fen",
    "refunds_fen",
    "currency",
]


def _preview(plan: Plan) -> list[dict[str, Any]]:
    """The first rows as HR reads them, with what the import does to each."""
    firsts = [
        f.loc[f["source_row"].nsmallest(PREVIEW_ROWS).index, _PREVIEW_COLUMNS]
        for f in (plan.new, plan.changed, plan.unchanged)
        if len(f)
    ]
    if not firsts:
        return []
    rows = pd.concat(firsts) if len(firsts) > 1 else firsts[0]
    rows = rows.sort_values("source_row").head(PREVIEW_ROWS)
    zone = _zone()

    def local(value: Any) -> str:
        return "" if pd.isna(value) else value.tz_convert(zone).strftime("%Y-%m-%d %H:%M:%S")

    def number(value: Any) -> int | None:
        return None if pd.isna(value) else int(value)

    def where(r: Any) -> dict[str, Any]:
        if plan.locate is None:
            return {}
        file, row = plan.locate(int(r.source_row))
        return {"file": file, "row": row}

    return [
        {
            "row": int(r.source_row),
            "account_id": str(r.account_id),
            "nickname": "" if pd.isna(r.nickname) else str(r.nickname),
            "title": "" if pd.isna(r.title) else str(r.title),
            "started_at": local(r.started_at),
            "ended_at": local(r.ended_at),
            "on_air_seconds": number(r.on_air_seconds),
            "viewers": number(r.viewers),
            "gmv_fen": number(r.gmv_fen),
            "refunds_fen": number(r.refunds_fen),
            "currency": str(r.currency),
            "action": plan.actions[int(r.source_row)],
            **where(r),
        }
        for r in rows.itertuples(index=False)
    ]


def _new_batch(outcome: ImportOutcome, options: _Options) -> ImportBatch:
    batch = ImportBatch(
        kind="sessions",
        filename=outcome.filename[:255],
        sha256=outcome.sha256,
        size_bytes=options.size_bytes,
        format=outcome.format,
        mapping_name=outcome.mapping,
        platform=outcome.platform,
        status="running",
        accept_valid_rows=options.accept_valid_rows,
        created_by_id=options.user_id,
    )
    db.session.add(batch)
    db.session.flush()
    outcome.batch_id = batch.id
    return batch


def _close_batch(batch: ImportBatch, outcome: ImportOutcome) -> None:
    batch.status = outcome.status
    batch.total_rows = outcome.total_rows
    batch.inserted, batch.updated = outcome.inserted, outcome.updated
    batch.unchanged, batch.rejected = outcome.unchanged, outcome.rejected
    batch.report = [problem_dict(p) for p in outcome.problems]
    batch.omitted_problems = outcome.omitted_problems
    batch.finished_at = utcnow()


def _write(plan: Plan, batch: ImportBatch, entry: AuditEntry, report: ProgressFn) -> None:
    """Insert new sessions and their hosts, update changed ones with revisions and audit rows."""
    conn = db.session.connection()
    now = pd.Timestamp(utcnow())
    total = len(plan.new) + len(plan.changed)
    written = 0

    def advance(rows: int) -> None:
        nonlocal written
        written += rows
        report(written, total, message("Writing sessions…"))

    report(0, total, message("Writing sessions…"))
    columns = ["id", "platform_account_id", *SESSION_FIELDS]
    stamps = {
        "import_batch_id": batch.id,
        "last_batch_id": batch.id,
        "created_at": now,
        "updated_at": now,
    }
    sessions, hosts = LiveSession.__table__, SessionHost.__table__
    with bulk.bulk_write_cache(conn):
        with bulk.indexes_rebuilt(conn, sessions, OUT_OF_ORDER_INDEXES, len(plan.new)) as held:
            # Ids in (account, start) order make the unique (account, start) index grow at
            # its end.
            new = plan.new.sort_values(["platform_account_id", "started_at"]).assign(
                id=bulk.allocate_ids(conn, sessions, len(plan.new), held=held)
            )
            bulk.insert_frame(conn, sessions, new[columns], constants=stamps, on_chunk=advance)
        with bulk.indexes_rebuilt(conn, hosts, OUT_OF_ORDER_INDEXES, len(new)):
            named = _named_host_rows(new, plan.explicit_hosts)
            if bulk.copies(conn):
                # COPY sends what the plan already knows; the database re-reading a million
                # sessions and their accounts costs it twice as much.
                everyone = [named, _account_host_rows(new, plan.explicit_hosts)]
                bulk.insert_frame(conn, hosts, pd.concat(everyone).sort_values("session_id"))
            else:
                bulk.insert_frame(conn, hosts, named)
                _insert_account_hosts(batch.id, skip_hosted=not named.empty)
        if not plan.changed.empty:
            _write_updates(plan, batch, now)
            _audit_updates(plan, batch, entry)
            advance(len(plan.changed))
    # The rows were written beneath the ORM: objects it holds may be stale.
    db.session.expire_all()


def _named_host_rows(sessions: pd.DataFrame, explicit_hosts: dict[int, HostList]) -> pd.DataFrame:
    """The hosts the file names for these sessions (the template's hosts column)."""
    named = sessions[sessions["source_row"].isin(explicit_hosts)]
    return pd.DataFrame(
        [
            (int(sid), streamer_id, share)
            for sid, row in zip(named["id"], named["source_row"], strict=True)
            for streamer_id, share in explicit_hosts[int(row)]
        ],
        columns=["session_id", "streamer_id", "share_bp"],
    ).astype("int64")


def _account_host_rows(sessions: pd.DataFrame, explicit_hosts: dict[int, HostList]) -> pd.DataFrame:
    """The account's streamer at 100 % for each session whose hosts the file does not name.
    Planning has rejected rows whose account belongs to nobody."""
    unnamed = sessions[~sessions["source_row"].isin(explicit_hosts)]
    return pd.DataFrame(
        {
            "session_id": unnamed["id"].to_numpy(dtype="int64"),
            "streamer_id": unnamed["account_streamer_id"].to_numpy(dtype="int64"),
            "share_bp": FULL_SHARE_BP,
        }
    )


def _insert_account_hosts(batch_id: int, *, skip_hosted: bool) -> None:
    """The batch's sessions without named hosts get their account's streamer at 100 %.

    Written by the database from the rows just inserted: a million hosts need no Python
    rows. Planning has rejected rows whose account belongs to nobody. `skip_hosted` when
    some sessions have named hosts already (a lookup per row, spared for platform exports).
    """
    sessions, accounts, hosts = (
        LiveSession.__table__,
        PlatformAccount.__table__,
        SessionHost.__table__,
    )
    rows = (
        select(sessions.c.id, accounts.c.streamer_id, literal(FULL_SHARE_BP))
        .join(accounts, accounts.c.id == sessions.c.platform_account_id)
        .where(sessions.c.import_batch_id == batch_id)
        .order_by(sessions.c.id)
    )
    if skip_hosted:
        rows = rows.where(~exists().where(hosts.c.session_id == sessions.c.id))
    db.session.execute(insert(hosts).from_select(["session_id", "streamer_id", "share_bp"], rows))


def _plain_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-safe dicts: NA → None, instants as ISO text, numpy → Python numbers."""
    columns = {}
    for name in frame.columns:
        series = frame[name]
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            columns[name] = [None if pd.isna(v) else v.isoformat() for v in series]
        else:
            columns[name] = series.to_numpy(dtype=object, na_value=None).tolist()
    names = list(columns)
    return [dict(zip(names, values, strict=True)) for values in zip(*columns.values(), strict=True)]


def _write_updates(plan: Plan, batch: ImportBatch, now: pd.Timestamp) -> None:
    """Keep each session's previous values, then update; hosts only where the file names them."""
    conn = db.session.connection()
    session_ids = [int(i) for i in plan.changed["id"]]
    befores = _plain_records(plan.before[list(REVISION_COLUMNS)])
    for session_id, before in zip(session_ids, befores, strict=True):
        if session_id in plan.stored_hosts:
            before["hosts"] = [list(h) for h in plan.stored_hosts[session_id]]
    db.session.execute(
        insert(SessionRevision),
        [
            {"batch_id": batch.id, "session_id": sid, "before": before}
            for sid, before in zip(session_ids, befores, strict=True)
        ],
    )
    updates = plan.changed[["id", *SESSION_FIELDS]].assign(last_batch_id=batch.id, updated_at=now)
    bulk.update_frame(conn, LiveSession.__table__, updates)
    rehosted = plan.changed[plan.changed["id"].isin(plan.stored_hosts)]
    if not rehosted.empty:
        ids = [int(i) for i in rehosted["id"]]
        db.session.execute(delete(SessionHost).where(SessionHost.session_id.in_(ids)))
        bulk.insert_frame(
            conn, SessionHost.__table__, _named_host_rows(rehosted, plan.explicit_hosts)
        )


def _audit_updates(plan: Plan, batch: ImportBatch, entry: AuditEntry) -> None:
    """One audit row per updated session with its changed fields old → new."""
    old = _plain_records(plan.before[list(SESSION_FIELDS)])
    new = _plain_records(plan.changed[list(SESSION_FIELDS)])
    flags = plan.changed_fields.to_numpy()
    rows = []
    for i, (session_id, source_row) in enumerate(
        zip(plan.changed["id"], plan.changed["source_row"], strict=True)
    ):
        changes = {
            name: [old[i][name], new[i][name]]
            for name, changed in zip(SESSION_FIELDS, flags[i], strict=True)
            if changed
        }
        if int(session_id) in plan.stored_hosts:
            changes["hosts"] = [
                [list(h) for h in plan.stored_hosts[int(session_id)]],
                [list(h) for h in plan.explicit_hosts[int(source_row)]],
            ]
        rows.append(
            {
                "at": entry.at,
                "actor_id": entry.actor_id,
                "actor_name": entry.actor_name,
                "action": "session.import_update",
                "entity_type": "live_session",
                "entity_id": str(int(session_id)),
                "summary": message("Updated by import batch %(batch)d.", batch=batch.id),
                "changes": changes,
                "ip": entry.ip,
            }
        )
    db.session.execute(insert(AuditEntry), rows)
