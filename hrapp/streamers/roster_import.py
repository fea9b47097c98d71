"""Importing the roster from a CSV or XLSX file: read, check, preview, then all of it or nothing.

The file has ONE ROW PER PLATFORM ACCOUNT: a streamer with two accounts has two rows that repeat
the streamer's columns (employee_no, name, stage_name, level, category, team, hire_date and the
optional date_of_birth); a streamer without an account has one row with platform and account_id
blank. Headers may be the English column names or their Chinese equivalents (工号, 姓名, …);
levels, platforms and categories may be codes or Chinese names (资深主播, 抖音, 美妆, …).

Rules:
- every problem is reported with its spreadsheet row (header = row 1), column and reason, and a
  file with any problem writes nothing;
- an employee number already in the roster updates that streamer; the same file twice changes
  nothing and writes no audit row;
- a blank optional cell keeps what the roster has (it never erases);
- a level that differs from the roster's is a level change effective on the optional column
  level_since (级别生效日期), or on the day of the import when that cell is blank; the date may
  not be in the future, before the hire date or before the streamer's last level change (the
  history is never reordered); a level_since beside an unchanged level changes nothing;
- an account that belongs to another streamer is refused, never moved silently: moving an
  account moves future commission, so HR does it on the roster page;
- streamers and accounts missing from the file are left alone (the file need not be complete).

All changes go through `services`, so they are validated and audited like changes made by hand.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import event, select

from hrapp.audit import labels as audit_labels  # noqa: F401 - the "field" labels of columns
from hrapp.core import audit, labels
from hrapp.core.errors import UnreadableFile, ValidationFailed
from hrapp.core.messages import Message, coded, day, message
from hrapp.core.progress import ProgressFn, no_progress
from hrapp.core.timeutil import org_today
from hrapp.extensions import db
from hrapp.intake import ImportFileError, SheetRow, read_table
from hrapp.intake import Problem as IntakeProblem
from hrapp.streamers import rules, services
from hrapp.streamers.models import CATEGORIES, PlatformAccount, RosterRevision, Streamer
from hrapp.streamers.services import Profile

# Canonical column → the header spellings accepted for it (compared after `_header_key`).
COLUMNS: dict[str, tuple[str, ...]] = {
    "employee_no": ("employee_no", "工号", "员工编号"),
    "name": ("name", "legal_name", "姓名"),
    "stage_name": ("stage_name", "艺名"),
    "level": ("level", "级别", "岗位"),
    "category": ("category", "品类", "直播领域"),
    "team": ("team", "组别", "团队"),
    "hire_date": ("hire_date", "入职日期"),
    "date_of_birth": ("date_of_birth", "出生日期"),
    "level_since": ("level_since", "级别生效日期"),
    "platform": ("platform", "平台"),
    "account_id": ("account_id", "账号", "账号id", "抖音号"),
    "nickname": ("nickname", "昵称", "直播间名称"),
}
REQUIRED_COLUMNS = ("employee_no", "name", "level", "category", "hire_date")
# The columns that describe the streamer's profile, with the Profile field each one sets.
PROFILE_COLUMNS = {
    "name": "legal_name",
    "stage_name": "stage_name",
    "category": "category",
    "team": "team",
    "hire_date": "hire_date",
    "date_of_birth": "date_of_birth",
}
# What each of a streamer's rows repeats and must repeat identically.
STREAMER_COLUMNS = (*PROFILE_COLUMNS, "level", "level_since")
VALUE_ALIASES: dict[str, dict[str, str]] = {
    "level": {
        "助理主播": "assistant",
        "助理": "assistant",
        "资深主播": "senior",
        "资深": "senior",
        "培训导师": "mentor",
        "导师": "mentor",
    },
    "platform": {"抖音": "douyin", "淘宝": "taobao", "淘宝直播": "taobao", "快手": "kuaishou"},
    "category": {
        "美妆": "beauty",
        "家电": "appliance",
        "食品": "food",
        "家居": "home",
        "服饰": "fashion",
        "其他": "other",
    },
}
KNOWN_VALUES = {
    "level": services.LEVELS,
    "platform": services.PLATFORMS,
    "category": CATEGORIES,
}
TEXT_LIMITS = {
    "name": services.NAME_MAX,
    "stage_name": services.NAME_MAX,
    "team": services.TEAM_MAX,
    "nickname": services.NICKNAME_MAX,
}
# The file name a rehearsal's level changes would be dated with; rolled back, never seen.
REHEARSAL_SOURCE = "rehearsal"
REHEARSAL_STEP = message("Checking each change against the roster…")
WRITING_STEP = message("Writing the roster…")
_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]00:00(?::00)?)?")


# The "field" label of a canonical column (the file's `name` is the streamer's legal name).
COLUMN_FIELDS = {"name": "legal_name"}


def column_label(column: str) -> str:
    """A column of the roster file in words: a canonical column by its label, any other (a
    header the import does not know) as written."""
    if column in COLUMNS:
        return labels.label("field", COLUMN_FIELDS.get(column, column))
    return column or ""


class Problem(IntakeProblem):
    """The intake's problem (`hrapp.intake.Problem`: where, which value, why), with the roster's
    way of naming its columns.

    ``column`` is a canonical column name or, for a header the import does not know, the
    header as written. ``reason`` is a message worded in the reader's language when shown; a
    reason from the roster's shared rules is a sentence already in the reader's language.
    """

    __slots__ = ()

    @property
    def column_label(self) -> str:
        """The column in words: a canonical column by its label, any other as written."""
        return column_label(self.column or "")

    def __str__(self) -> str:
        if self.row is None:
            return self.text
        if self.column is None:
            return _("Row %(row)d: %(reason)s", row=self.row, reason=self.text)
        if not self.value:
            return _(
                "Row %(row)d, column %(column)s: %(reason)s",
                row=self.row,
                column=self.column_label,
                reason=self.text,
            )
        return _(
            "Row %(row)d, column %(column)s, value “%(value)s”: %(reason)s",
            row=self.row,
            column=self.column_label,
            value=self.value,
            reason=self.text,
        )


def refusal_message(count: int) -> str:
    return ngettext(
        "The roster file was refused: %(num)d problem. Nothing was imported.",
        "The roster file was refused: %(num)d problems. Nothing was imported.",
        count,
    )


class ImportRefused(ValidationFailed):
    """The file was refused; `details` lists every problem found."""

    def __init__(self, details: list[Problem]) -> None:
        super().__init__(refusal_message(len(details)), [str(p) for p in details])
        self.details = details


class CellError(ValueError):
    """A cell's text is not a valid value; ``reason`` says why."""

    def __init__(self, reason: Message | str) -> None:
        super().__init__(reason)
        self.reason = reason


# --- reading rows ----------------------------------------------------------------------------


def read_rows(data: bytes) -> list[SheetRow]:
    """The file's non-blank rows, read by the intake; UnreadableFile when it cannot be read."""
    try:
        return read_table(data)
    except ImportFileError as exc:
        raise UnreadableFile(exc.reason) from None


@dataclass(frozen=True)
class AccountRow:
    row: int
    platform: str
    account_id: str
    nickname: str


@dataclass
class Entry:
    """One employee as the file describes them, gathered from all their rows."""

    employee_no: str
    first_row: int
    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, tuple[int, str]] = field(default_factory=dict)  # column → (row, text)
    accounts: list[AccountRow] = field(default_factory=list)


@dataclass
class ParsedFile:
    entries: dict[str, Entry] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    account_rows: dict[tuple[str, str], tuple[str, AccountRow]] = field(default_factory=dict)


def _header_key(text: str) -> str:
    return re.sub(r"[\s_\-]+", "_", text.strip().lower())


_HEADER_LOOKUP = {
    _header_key(alias): name for name, aliases in COLUMNS.items() for alias in aliases
}


def parse_date(text: str) -> dt.date:
    match = _DATE.fullmatch(text.strip())
    try:
        if match is None:
            raise ValueError(text)
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise CellError(message("This is not a date; write it as YYYY-MM-DD.")) from None


def _unknown_value(column: str) -> Message:
    """The codes the file may use, each with its label (the file accepts the codes)."""
    known = [
        message("%(code)s (%(label)s)", code=code, label=coded(column, code))
        for code in KNOWN_VALUES[column]
    ]
    if column == "level":
        return message("Unknown level; use one of: %(known)s.", known=known)
    if column == "platform":
        return message("Unknown platform; use one of: %(known)s.", known=known)
    return message("Unknown category; use one of: %(known)s.", known=known)


def parse_cell(column: str, text: str) -> Any:
    """The value of one non-blank cell, or CellError with the reason it is refused."""
    if column in ("hire_date", "date_of_birth", "level_since"):
        return parse_date(text)
    if column == "employee_no":
        number = rules.normalise_employee_no(text)
        if problem := rules.employee_no_problem(number):
            raise CellError(problem)
        return number
    if column == "account_id":
        account_id = rules.normalise_account_id(text)
        if problem := rules.account_id_problem(account_id):
            raise CellError(problem)
        return account_id
    if column in KNOWN_VALUES:
        code = VALUE_ALIASES[column].get(text, text.lower())
        if code not in KNOWN_VALUES[column]:
            raise CellError(_unknown_value(column))
        return code
    limit = TEXT_LIMITS.get(column)
    if limit is not None and len(text) > limit:
        raise CellError(message("At most %(n)d characters.", n=limit))
    return text


def parse_rows(rows: list[SheetRow]) -> ParsedFile:
    """Check every row on its own and against the other rows; no database involved."""
    parsed = ParsedFile()
    if not rows:
        parsed.problems.append(Problem(None, None, "", message("The file has no rows.")))
        return parsed
    header, *data = rows
    columns = _read_header(header, parsed)
    if parsed.problems:
        return parsed
    if not data:
        parsed.problems.append(
            Problem(None, None, "", message("The file has a header but no rows."))
        )
    for row in data:
        _read_row(row, columns, parsed)
    return parsed


def _read_header(header: SheetRow, parsed: ParsedFile) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, text in enumerate(header.cells):
        name = _HEADER_LOOKUP.get(_header_key(text))
        if name is None:
            if text:
                parsed.warnings.append(
                    Problem(
                        header.number,
                        text,
                        text,
                        message("This column is not used; it is ignored."),
                    )
                )
        elif name in columns:
            parsed.problems.append(
                Problem(header.number, text, text, message("This column appears twice."))
            )
        else:
            columns[name] = index
    for name in REQUIRED_COLUMNS:
        if name not in columns:
            parsed.problems.append(
                Problem(
                    header.number,
                    name,
                    "",
                    message(
                        "The required column %(c)s is missing.",
                        c=coded("field", COLUMN_FIELDS.get(name, name)),
                    ),
                )
            )
    return columns


def _read_row(row: SheetRow, columns: dict[str, int], parsed: ParsedFile) -> None:
    cells = {
        name: row.cells[index] if index < len(row.cells) else "" for name, index in columns.items()
    }
    values: dict[str, Any] = {}
    ok = True
    for name, text in cells.items():
        if not text:
            if name in REQUIRED_COLUMNS:
                parsed.problems.append(
                    Problem(row.number, name, "", message("A value is required."))
                )
                ok = False
            continue
        try:
            values[name] = parse_cell(name, text)
        except CellError as exc:
            parsed.problems.append(Problem(row.number, name, text, exc.reason))
            ok = False
    if "account_id" in values and columns["account_id"] in row.numeric:
        parsed.warnings.append(
            Problem(
                row.number,
                "account_id",
                cells["account_id"],
                message(
                    "The spreadsheet stores this account id as a number, so leading zeros may "
                    "have been lost. Format the column as text if the id should start with 0."
                ),
            )
        )
    if "employee_no" not in values:
        return
    entry = parsed.entries.setdefault(
        values["employee_no"], Entry(values["employee_no"], row.number)
    )
    _merge_streamer_values(entry, row.number, values, cells, parsed)
    if ok:
        _read_account(entry, row.number, values, cells, parsed)


def _merge_streamer_values(
    entry: Entry, row: int, values: dict[str, Any], cells: dict[str, str], parsed: ParsedFile
) -> None:
    """The streamer columns must say the same on every row of one employee."""
    for name in STREAMER_COLUMNS:
        if name not in values:
            continue
        if name not in entry.values:
            entry.values[name] = values[name]
            entry.sources[name] = (row, cells[name])
        elif entry.values[name] != values[name]:
            first_row, first_text = entry.sources[name]
            parsed.problems.append(
                Problem(
                    row,
                    name,
                    cells[name],
                    message(
                        "Row %(row)d says “%(other)s” for the same employee %(no)s.",
                        row=first_row,
                        other=first_text,
                        no=entry.employee_no,
                    ),
                )
            )


def _read_account(
    entry: Entry, row: int, values: dict[str, Any], cells: dict[str, str], parsed: ParsedFile
) -> None:
    platform, account_id = values.get("platform"), values.get("account_id")
    if platform is None and account_id is None:
        return
    if platform is None or account_id is None:
        missing = "platform" if platform is None else "account_id"
        parsed.problems.append(
            Problem(
                row,
                missing,
                "",
                message("A platform account needs both a platform and an account id."),
            )
        )
        return
    account = AccountRow(row, platform, account_id, values.get("nickname", ""))
    seen = parsed.account_rows.get((platform, account_id))
    if seen is None:
        parsed.account_rows[(platform, account_id)] = (entry.employee_no, account)
        entry.accounts.append(account)
        return
    owner, first = seen
    if owner != entry.employee_no:
        reason = message(
            "The same account is on row %(row)d for employee %(no)s.", row=first.row, no=owner
        )
    elif first.nickname != account.nickname:
        reason = message("Row %(row)d gives this account another nickname.", row=first.row)
    else:
        return  # the same row twice says nothing new
    parsed.problems.append(Problem(row, "account_id", cells["account_id"], reason))


# --- planning against the roster ---------------------------------------------------------------


@dataclass
class AccountPlan:
    row: int
    platform: str
    account_id: str
    action: str  # create | link | rename | unchanged
    nickname: str
    old_nickname: str = ""


@dataclass
class StreamerPlan:
    """What importing one employee would do; `changes` is {field: [old, new]}."""

    entry: Entry
    action: str  # create | update | unchanged
    profile: Profile
    level: str
    changes: dict[str, list[Any]]
    accounts: list[AccountPlan]
    streamer: Streamer | None = None
    level_since: dt.date | None = None  # when the level changes: the change's date

    @property
    def changes_anything(self) -> bool:
        return self.action != "unchanged" or any(a.action != "unchanged" for a in self.accounts)


@dataclass(frozen=True)
class Summary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    accounts_created: int = 0
    accounts_updated: int = 0
    accounts_unchanged: int = 0

    @property
    def changes_anything(self) -> bool:
        return bool(self.created or self.updated or self.accounts_created or self.accounts_updated)

    def __str__(self) -> str:
        return _(
            "Streamers: %(c)d created, %(u)d updated, %(n)d unchanged. "
            "Accounts: %(ac)d created, %(au)d updated, %(an)d unchanged.",
            c=self.created,
            u=self.updated,
            n=self.unchanged,
            ac=self.accounts_created,
            au=self.accounts_updated,
            an=self.accounts_unchanged,
        )


@dataclass
class RosterPlan:
    items: list[StreamerPlan]
    problems: list[Problem]
    warnings: list[Problem]

    @property
    def changed(self) -> list[StreamerPlan]:
        return [item for item in self.items if item.changes_anything]

    @property
    def summary(self) -> Summary:
        actions = [item.action for item in self.items]
        accounts = [a.action for item in self.items for a in item.accounts]
        return Summary(
            created=actions.count("create"),
            updated=actions.count("update"),
            unchanged=actions.count("unchanged"),
            accounts_created=accounts.count("create"),
            accounts_updated=accounts.count("link") + accounts.count("rename"),
            accounts_unchanged=accounts.count("unchanged"),
        )

    @property
    def fingerprint(self) -> str:
        """What the plan would do, so that a confirmed preview can be told from a stale one."""
        content = [
            [item.entry.employee_no, item.action, item.changes, [vars(a) for a in item.accounts]]
            for item in self.changed
        ]
        encoded = json.dumps(content, default=str, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(encoded.encode()).hexdigest()


def plan_import(
    data: bytes, *, rehearse: bool = True, progress: ProgressFn | None = None
) -> RosterPlan:
    """Read and check the file against the roster; nothing is written.

    With ``rehearse`` a plan without problems is also carried out in a savepoint that is then
    rolled back, so that whatever the roster's services would refuse on confirming is a problem
    of the preview already: the preview and the confirm can never disagree on the same roster.
    """
    plan = _plan(data)
    if rehearse and not plan.problems and plan.changed:
        _rehearse(plan, progress or no_progress)
    return plan


def _rehearse(plan: RosterPlan, progress: ProgressFn) -> None:
    """Carry the plan out in a savepoint and roll it back. Rows the rehearsal inserted are
    gone afterwards, but an object of such a row can stay in the session's identity map (one
    loaded again inside the savepoint); the confirm's insert of the same id would then meet a
    phantom. Each object the rehearsal inserted is therefore put out of the session."""
    session = db.session()
    inserted: list[object] = []

    def remember(_session: Any, instance: object) -> None:
        inserted.append(instance)

    event.listen(session, "pending_to_persistent", remember)
    savepoint = session.begin_nested()
    try:
        _apply_items(plan, REHEARSAL_SOURCE, progress=progress, step=REHEARSAL_STEP)
    except ImportRefused as exc:
        plan.problems.extend(exc.details)
    finally:
        savepoint.rollback()
        event.remove(session, "pending_to_persistent", remember)
        for instance in inserted:
            if instance in session:
                session.expunge(instance)


def _plan(data: bytes) -> RosterPlan:
    parsed = parse_rows(read_rows(data))
    if parsed.problems:
        return RosterPlan([], parsed.problems, parsed.warnings)
    streamers = {
        s.employee_no: s
        for s in db.session.scalars(
            select(Streamer).where(Streamer.employee_no.in_(list(parsed.entries)))
        )
    }
    accounts = {
        (a.platform, a.account_id): a
        for a in db.session.scalars(
            select(PlatformAccount).where(
                PlatformAccount.account_id.in_([key[1] for key in parsed.account_rows])
            )
        )
    }
    problems: list[Problem] = []
    items = [
        _plan_streamer(entry, streamers.get(number), accounts, problems)
        for number, entry in parsed.entries.items()
    ]
    return RosterPlan(items, problems, parsed.warnings)


def _plan_streamer(
    entry: Entry,
    streamer: Streamer | None,
    accounts: dict[tuple[str, str], PlatformAccount],
    problems: list[Problem],
) -> StreamerPlan:
    base = services.profile_of(streamer) if streamer else Profile(entry.employee_no, "", None)
    profile = dataclasses.replace(
        base,
        **{PROFILE_COLUMNS[name]: v for name, v in entry.values.items() if name in PROFILE_COLUMNS},
    )
    _check_age(entry, profile, problems)
    if streamer is not None:
        _check_hire_date(entry, streamer, profile, problems)
    level = entry.values["level"]
    level_since: dt.date | None = entry.values.get("level_since")
    if streamer is None:
        changes = audit.diff({}, {**dataclasses.asdict(profile), "level": level})
        action = "create"
        level_since = None  # a new streamer's level history starts on the hire date
    else:
        changes = audit.diff(
            {**dataclasses.asdict(base), "level": streamer.level},
            {**dataclasses.asdict(profile), "level": level},
        )
        action = "update" if changes else "unchanged"
        if level == streamer.level:
            level_since = None  # nothing changes, so nothing is dated
        elif level_since is not None:
            _check_level_since(entry, streamer, profile, level_since, problems)
            changes["level_since"] = [_plain_date(streamer.level_since), level_since.isoformat()]
    account_plans = [_plan_account(a, streamer, accounts, problems) for a in entry.accounts]
    return StreamerPlan(
        entry, action, profile, level, changes, account_plans, streamer, level_since
    )


def _plain_date(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _check_level_since(
    entry: Entry,
    streamer: Streamer,
    profile: Profile,
    level_since: dt.date,
    problems: list[Problem],
) -> None:
    """The date of a level change read from the file must fit the history: not in the future,
    not before the hire date, not before the last change (that would reorder the history)."""
    row, text = entry.sources["level_since"]
    last = streamer.level_changes[-1] if streamer.level_changes else None
    reason = None
    if level_since > org_today():
        reason = message("The level change cannot take effect in the future.")
    elif profile.hire_date is not None and level_since < profile.hire_date:
        reason = message(
            "The level change cannot take effect before the hire date (%(date)s).",
            date=day(profile.hire_date),
        )
    elif last is not None and level_since < last.effective_on:
        reason = message(
            "The level history already has a change on %(date)s; a new change cannot come "
            "before it.",
            date=day(last.effective_on),
        )
    if reason is not None:
        problems.append(Problem(row, "level_since", text, reason))


def _check_hire_date(
    entry: Entry, streamer: Streamer, profile: Profile, problems: list[Problem]
) -> None:
    """The roster's rule (`services.update_streamer` applies it too): the history starts on
    the hire date, so the hire date may not come after the first level change."""
    first_change = services.first_level_change_on(streamer)
    if first_change is None or profile.hire_date is None or profile.hire_date <= first_change:
        return
    row, text = entry.sources["hire_date"]
    problems.append(
        Problem(
            row,
            "hire_date",
            text,
            message(
                "The hire date cannot be after the first level change (%(date)s).",
                date=day(first_change),
            ),
        )
    )


def _check_age(entry: Entry, profile: Profile, problems: list[Problem]) -> None:
    problem = rules.age_problem(profile.date_of_birth, profile.hire_date, org_today())
    if problem is None:
        return
    column = "date_of_birth" if "date_of_birth" in entry.sources else "hire_date"
    row, text = entry.sources[column]
    problems.append(Problem(row, column, text, problem))


def _plan_account(
    row: AccountRow,
    streamer: Streamer | None,
    accounts: dict[tuple[str, str], PlatformAccount],
    problems: list[Problem],
) -> AccountPlan:
    known = accounts.get((row.platform, row.account_id))
    plan = AccountPlan(row.row, row.platform, row.account_id, "create", row.nickname)
    if known is None:
        return plan
    plan.old_nickname = known.nickname
    plan.nickname = row.nickname or known.nickname
    if known.streamer is None:
        plan.action = "link"
    elif streamer is not None and known.streamer_id == streamer.id:
        plan.action = "rename" if plan.nickname != known.nickname else "unchanged"
    else:
        owner = known.streamer
        problems.append(
            Problem(
                row.row,
                "account_id",
                row.account_id,
                message(
                    "This account belongs to %(name)s (%(no)s) in the roster. Move it on the "
                    "roster page first if it has really changed hands.",
                    name=owner.display_name,
                    no=owner.employee_no,
                ),
            )
        )
    return plan


# --- applying ------------------------------------------------------------------------------


def apply_plan(
    plan: RosterPlan,
    source: str,
    batch_id: int | None = None,
    progress: ProgressFn | None = None,
) -> Summary:
    """Carry out a plan without problems; ImportRefused (caller rolls back) when any step fails.

    With `batch_id` the changes are kept per streamer for a rollback, and the audit row names
    the batch."""
    if plan.problems:
        raise ImportRefused(plan.problems)
    _apply_items(plan, source, batch_id, progress=progress or no_progress, step=WRITING_STEP)
    summary = plan.summary
    if summary.changes_anything:
        audit.record(
            "roster.import",
            "roster" if batch_id is None else "import_batch",
            batch_id,
            summary=message(
                "%(file)s: streamers %(c)d created, %(u)d updated, %(n)d unchanged; "
                "accounts %(ac)d created, %(au)d updated, %(an)d unchanged.",
                file=source,
                c=summary.created,
                u=summary.updated,
                n=summary.unchanged,
                ac=summary.accounts_created,
                au=summary.accounts_updated,
                an=summary.accounts_unchanged,
            ),
        )
        db.session.flush()
    return summary


def _apply_items(
    plan: RosterPlan,
    source: str,
    batch_id: int | None = None,
    *,
    progress: ProgressFn = no_progress,
    step: Message | None = None,
) -> None:
    """Every change of the plan through the roster's services; ImportRefused naming each
    employee whose change a service refused. With a batch, what each change did is kept
    (`RosterRevision`) so that the batch can be rolled back."""
    failures: list[Problem] = []
    changed = plan.changed
    for done, item in enumerate(changed):
        progress(done, len(changed), step or WRITING_STEP)
        try:
            streamer, before, did = _apply_streamer(item, source)
        except ValidationFailed as exc:
            failures.extend(
                Problem(item.entry.first_row, None, item.entry.employee_no, reason)
                for reason in exc.problems or [exc.message]
            )
            continue
        if batch_id is not None:
            db.session.add(
                RosterRevision(batch_id=batch_id, streamer_id=streamer.id, before=before, did=did)
            )
    if failures:
        raise ImportRefused(failures)


def roster_state(streamer: Streamer) -> dict[str, Any]:
    """What a rollback puts back: the profile, the level and its date (plain JSON)."""
    profile = dataclasses.asdict(services.profile_of(streamer))
    values = {**profile, "level": streamer.level, "level_since": streamer.level_since}
    return {name: _plain_value(value) for name, value in values.items()}


def _plain_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _apply_streamer(
    item: StreamerPlan, source: str
) -> tuple[Streamer, dict[str, Any], dict[str, Any]]:
    """Carry out one employee's changes: (streamer, state before, rows the change added)."""
    streamer = item.streamer
    did: dict[str, Any] = {
        "created": streamer is None,
        "level_changes": [],
        "accounts_created": [],
        "nicknames": {},
    }
    if streamer is None:
        before: dict[str, Any] = {}
        streamer = services.create_streamer(item.profile, item.level)
    else:
        before = roster_state(streamer)
        services.update_streamer(streamer, item.profile)
        if item.level != streamer.level:
            reason = message("Roster import from %(file)s", file=source)
            effective_on = item.level_since or org_today()
            change = services.change_level(streamer, item.level, effective_on, reason)
            did["level_changes"].append(change.id)
    for account in item.accounts:
        if account.action == "create":
            added = services.add_account(
                streamer, account.platform, account.account_id, account.nickname
            )
            db.session.flush()
            did["accounts_created"].append(added.id)
        elif account.action in ("link", "rename"):
            known = services.find_account(account.platform, account.account_id)
            assert known is not None
            did["nicknames"][str(known.id)] = [account.action, known.nickname]
            if account.action == "link":
                services.add_account(
                    streamer, account.platform, account.account_id, account.nickname
                )
            else:
                services.rename_account(known, account.nickname)
    _note_after(streamer, did)
    return streamer, before, did


def _note_after(streamer: Streamer, did: dict[str, Any]) -> None:
    """What the import left, so that a rollback can tell whether anything changed since."""
    db.session.flush()
    did["after"] = roster_state(streamer)
    did["last_level_change"] = max((c.id for c in streamer.level_changes), default=0)
    touched = {*(int(i) for i in did["nicknames"]), *did["accounts_created"]}
    did["accounts"] = {
        str(a.id): [a.streamer_id, a.nickname] for a in streamer.accounts if a.id in touched
    }
