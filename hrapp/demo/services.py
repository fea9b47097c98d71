"""Load the demo agency into the database, once, in the caller's transaction.

Rows are written straight through the models (the sessions with bulk Core inserts: a year of
sessions is over ten thousand rows). Loading again finds the demo streamers, leaves the data as
it is and only resets the demo logins' passwords, so that the logins it prints are true.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

from hrapp.appraisals.models import Appraisal, AppraisalCycle
from hrapp.auth import services as auth_services
from hrapp.auth.models import Role, User, UserRole, new_session_token
from hrapp.core import audit
from hrapp.core.db import utcnow
from hrapp.core.errors import ValidationFailed
from hrapp.core.messages import message
from hrapp.core.timeutil import org_zone
from hrapp.demo import data
from hrapp.demo.generator import DemoSet, build_demo_set
from hrapp.extensions import db
from hrapp.intake.batch_model import ImportBatch
from hrapp.live_sessions.models import LiveSession, SessionHost
from hrapp.live_sessions.parsing.model import COUNT_COLUMNS
from hrapp.streamers.models import LevelChange, Mentorship, PlatformAccount, Streamer
from hrapp.training.curriculum import ensure_default_curriculum
from hrapp.training.models import Module, TrainingRecord
from hrapp.training.services import decide_passed

if TYPE_CHECKING:
    from hrapp.live_sessions.importer import ImportOutcome

DEMO_BATCH_NAME = "demo data"
# (username, role, display name) of the staff accounts.
STAFF_LOGINS = (
    ("admin", Role.ADMIN, "系统管理员"),
    ("hr", Role.HR, "人事 张经理"),
    ("trainer", Role.TRAINER, data.TRAINER_ACCOUNT_NAME),
)


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    password: str


@dataclass(frozen=True)
class DemoResult:
    created: bool  # False when the demo data was already there
    streamers: int
    sessions: int
    training_records: int
    logins: list[Login]
    demo: DemoSet | None = None  # what was created, for `appraise_quarters`


def load_demo(
    today: dt.date, password: str | None = None, *, streamers: int = data.DEFAULT_STREAMERS
) -> DemoResult:
    """Create the demo agency as of `today`, or reset its logins if it already exists.

    Without `password` every staff login gets its own random password and the streamer
    logins share one. Flushes; the caller commits.
    """
    demo = build_demo_set(today, org_zone(), streamers)
    accounts = _LoginWriter([u for u, _, _ in STAFF_LOGINS] + [s.login for s in demo.streamers])
    staff = {
        username: accounts.ensure(username, password or _random_password(), role, name)
        for username, role, name in STAFF_LOGINS
    }
    streamer_ids = _existing_streamer_ids(demo)
    created = not streamer_ids
    sessions = training = 0
    if created:
        streamer_ids = _write_roster(demo, changed_by=staff["hr"])
        sessions = _write_sessions(demo, streamer_ids, imported_by=staff["hr"])
        training = _write_training(demo, streamer_ids, trainer=staff["trainer"])
    streamer_password = password or _random_password()
    for streamer in demo.streamers:
        if streamer.employee_no in streamer_ids:
            accounts.ensure(
                streamer.login,
                streamer_password,
                Role.STREAMER,
                streamer.legal_name,
                streamer_id=streamer_ids[streamer.employee_no],
            )
    _audit(created, len(streamer_ids), sessions, training, accounts.logins)
    db.session.flush()
    return DemoResult(
        created, len(streamer_ids), sessions, training, accounts.logins, demo if created else None
    )


def _random_password() -> str:
    return secrets.token_urlsafe(12)


def _existing_streamer_ids(demo: DemoSet) -> dict[str, int]:
    numbers = [s.employee_no for s in demo.streamers]
    rows = db.session.execute(
        select(Streamer.employee_no, Streamer.id).where(Streamer.employee_no.in_(numbers))
    )
    return {number: streamer_id for number, streamer_id in rows}


class _LoginWriter:
    """Creates the demo logins or resets their passwords, hashing each distinct password once.

    Hashing is slow on purpose (scrypt, ~0.1 s) and fifty logins share a password, so only the
    first login with a password goes through the auth services (policy check, audit row); the
    others take its hash, and the demo's own audit row names them all.
    """

    def __init__(self, usernames: list[str]) -> None:
        existing = db.session.scalars(select(User).where(User.username.in_(usernames)))
        self._users = {user.username: user for user in existing}
        self._hashes: dict[str, str] = {}
        self.logins: list[Login] = []

    def ensure(
        self,
        username: str,
        password: str,
        role: Role,
        display_name: str,
        *,
        streamer_id: int | None = None,
    ) -> User:
        user = self._users.get(username)
        known_hash = self._hashes.get(password)
        if known_hash is None:
            if user is None:
                user = auth_services.create_user(
                    username, password, [role], streamer_id=streamer_id, display_name=display_name
                )
            else:
                auth_services.set_password(user, password)
            self._hashes[password] = user.password_hash
        else:
            if user is None:
                user = User(
                    username=username,
                    display_name=display_name,
                    streamer_id=streamer_id,
                    role_rows=[UserRole(role=role.value)],
                )
                db.session.add(user)
            user.password_hash = known_hash
            user.password_changed_at = utcnow()
            user.session_token = new_session_token()  # a reset password ends old sessions
        self._users[username] = user
        self.logins.append(Login(username, role.value, password))
        return user


# --- roster -------------------------------------------------------------------------------


def _write_roster(demo: DemoSet, *, changed_by: User) -> dict[str, int]:
    rows = []
    for streamer in demo.streamers:
        row = Streamer(
            employee_no=streamer.employee_no,
            legal_name=streamer.legal_name,
            stage_name=streamer.stage_name,
            date_of_birth=streamer.date_of_birth,
            level=streamer.level,
            level_since=streamer.level_since,
            category=streamer.category,
            team=streamer.team,
            persona=streamer.persona,
            hire_date=streamer.hire_date,
        )
        row.level_changes = [
            LevelChange(
                from_level=step.from_level,
                to_level=step.to_level,
                effective_on=step.effective_on,
                reason=step.reason,
                changed_by_id=changed_by.id,
            )
            for step in streamer.history
        ]
        row.accounts = [
            PlatformAccount(platform=a.platform, account_id=a.account_id, nickname=a.nickname)
            for a in streamer.accounts
        ]
        rows.append(row)
    db.session.add_all(rows)
    db.session.flush()
    for row, streamer in zip(rows, demo.streamers, strict=True):
        if streamer.mentor is not None:  # mentored since the day they were hired
            row.mentor_id = rows[streamer.mentor].id
            row.mentorships = [Mentorship(mentor_id=row.mentor_id, started_on=row.hire_date)]
    db.session.flush()
    return {row.employee_no: row.id for row in rows}


# --- sessions -----------------------------------------------------------------------------


def _write_sessions(demo: DemoSet, streamer_ids: dict[str, int], *, imported_by: User) -> int:
    """Every session and its hosts, in two bulk inserts, marked as coming from one batch."""
    batch = _demo_batch(demo, imported_by)
    account_ids = _account_ids(demo, streamer_ids)
    now = utcnow()
    rows = [
        {
            **session.values,
            "platform_account_id": account_ids[session.streamer, session.account],
            "import_batch_id": batch.id,
            "last_batch_id": batch.id,
            "created_at": now,
            "updated_at": now,
        }
        for session in demo.sessions
    ]
    # A plain executemany: with RETURNING the PostgreSQL driver parses one huge statement per
    # thousand rows, many times slower. The ids are read back by the natural key instead.
    db.session.execute(insert(LiveSession.__table__), rows)
    session_ids = _session_ids(batch)
    employee_nos = [s.employee_no for s in demo.streamers]
    hosts = []
    for row, session in zip(rows, demo.sessions, strict=True):
        session_id = session_ids[row["platform_account_id"], row["started_at"]]
        hosts += [
            {"session_id": session_id, "streamer_id": streamer_ids[employee_nos[i]], "share_bp": bp}
            for i, bp in session.hosts
        ]
    db.session.execute(insert(SessionHost), hosts)
    return len(rows)


def _session_ids(batch: ImportBatch) -> dict[tuple[int, dt.datetime], int]:
    """(platform account id, start) → session id, for the sessions of `batch`."""
    rows = db.session.execute(
        select(LiveSession.platform_account_id, LiveSession.started_at, LiveSession.id).where(
            LiveSession.import_batch_id == batch.id
        )
    )
    return {(account, started): session_id for account, started, session_id in rows}


def _demo_batch(demo: DemoSet, imported_by: User) -> ImportBatch:
    """The import batch the history page shows as the sessions' source."""
    fingerprint = f"{data.SEED}:{len(demo.streamers)}:{demo.today.isoformat()}"
    batch = ImportBatch(
        kind="sessions",
        filename=DEMO_BATCH_NAME,
        sha256=hashlib.sha256(fingerprint.encode()).hexdigest(),
        format="demo",
        status="imported",
        total_rows=len(demo.sessions),
        inserted=len(demo.sessions),
        created_by_id=imported_by.id,
        finished_at=utcnow(),
    )
    db.session.add(batch)
    db.session.flush()
    return batch


def _account_ids(demo: DemoSet, streamer_ids: dict[str, int]) -> dict[tuple[int, int], int]:
    """(streamer index, account index) → platform account id."""
    rows = db.session.execute(
        select(PlatformAccount.platform, PlatformAccount.account_id, PlatformAccount.id).where(
            PlatformAccount.streamer_id.in_(streamer_ids.values())
        )
    )
    by_key = {(platform, account): pk for platform, account, pk in rows}
    return {
        (i, j): by_key[account.platform, account.account_id]
        for i, streamer in enumerate(demo.streamers)
        for j, account in enumerate(streamer.accounts)
    }


# --- training -----------------------------------------------------------------------------


def _write_training(demo: DemoSet, streamer_ids: dict[str, int], *, trainer: User) -> int:
    """The training records; the demo trainer account logged its own, the other has none."""
    ensure_default_curriculum()
    modules = {module.code: module for module in db.session.scalars(select(Module))}
    now = utcnow()
    rows = []
    for record in demo.training:
        module = modules[record.module]
        own = record.trainer == trainer.display_name
        rubric_keys = {d["key"] for d in module.rubric}
        rows.append(
            {
                "streamer_id": streamer_ids[demo.streamers[record.streamer].employee_no],
                "module_id": module.id,
                "completed_on": record.completed_on,
                "score": record.score,
                # Kept only while the module's rubric is still the default one.
                "rubric_scores": record.rubric_scores
                if set(record.rubric_scores) == rubric_keys
                else {},
                "passed": decide_passed(module, record.score),
                "trainer_id": trainer.id if own else None,
                "trainer_name": record.trainer,
                "notes": record.notes,
                "created_by_id": trainer.id,
                "created_at": now,
                "updated_at": now,
            }
        )
    db.session.execute(insert(TrainingRecord), rows)
    return len(rows)


def _audit(
    created: bool, streamers: int, sessions: int, training: int, logins: list[Login]
) -> None:
    if created:
        summary = message(
            "Demo agency loaded: %(streamers)d streamers, %(sessions)d sessions, "
            "%(training)d training records, %(logins)d logins.",
            streamers=streamers,
            sessions=sessions,
            training=training,
            logins=len(logins),
        )
    else:
        summary = message(
            "Demo agency already loaded: the passwords of %(logins)d demo logins were reset.",
            logins=len(logins),
        )
    usernames = [login.username for login in logins]
    audit.record("demo.load", "demo", None, summary=summary, changes={"logins": [None, usernames]})


# --- the appraised quarters -----------------------------------------------------------------


@dataclass(frozen=True)
class QuarterSummary:
    code: str
    status: str  # open | finalized
    appraised: int
    grades: dict[str, int]  # grade (or NOT_GRADED) → appraisals, in the scheme's order
    total_payable: str  # yuan
    settlements: int  # late-data lines this quarter's run owes for earlier quarters


@dataclass(frozen=True)
class ConfirmedPromotion:
    employee_no: str
    to_level: str
    earned_in: str
    effective_on: dt.date


@dataclass(frozen=True)
class DemoAppraisals:
    quarters: list[QuarterSummary]
    promotions: list[ConfirmedPromotion]
    late_quarter: str
    late_inserted: int
    late_updated: int
    adjustments: int  # HR's pay adjustments on the open quarter
    comments: int  # appraisals of the open quarter with a comment the streamer sees


NOT_GRADED = "not graded"
LATE_FILE = "抖音直播明细_{code}_补充导出.csv"
# HR's review of the open quarter: (what to pick, ¥ in fen, reason), and the shared comments.
PAY_ADJUSTMENTS = (
    ("best", 80_000, "带教两名新人主播共6场，按带教补贴标准发放"),
    ("worst", -20_000, "直播中使用违规用语被平台警告一次，按主播管理制度扣款"),
)
COMMENTS = {
    "best": ("本季度各项指标均超目标，继续保持。", "可作为下季度晋升观察对象"),
    "worst": ("本季度GMV与涨粉未达目标，下季度请重点提升开播时长与转化。", ""),
    "blended": (
        "自级别生效日起按资深主播考核：本季度目标按两个级别在岗天数折算。",
        "晋升后首个季度，关注适应情况",
    ),
    "leave": ("本季度休病假，开播不足30小时，按制度不评级；提成按实际成交照常计算。", ""),
}


def appraise_quarters(demo: DemoSet, hr: User) -> DemoAppraisals:
    """What HR did with the demo agency's last four full quarters, oldest first: run and
    finalize each but the newest, confirming the promotions each found eligible; import the
    late data of the last finalized one; run the newest (its settlement lines appear) and
    leave it open, with a few adjustments and comments. Flushes; the caller commits."""
    from hrapp.appraisals.closing import finalize_cycle
    from hrapp.appraisals.runner import run_cycle
    from hrapp.appraisals.services import create_cycle

    promotions: list[ConfirmedPromotion] = []
    runs = []
    for quarter in demo.quarters[:-1]:
        cycle = create_cycle(quarter.code)
        runs.append(run_cycle(cycle))
        finalize_cycle(cycle, hr)
        promotions += _confirm_promotions(demo, cycle)
    late = _import_late_data(demo, hr)
    newest = create_cycle(demo.quarters[-1].code)
    runs.append(run_cycle(newest))
    adjustments, comments = _review(demo, newest, hr)
    return DemoAppraisals(
        quarters=[_quarter_summary(run.cycle, run.settlements) for run in runs],
        promotions=promotions,
        late_quarter=demo.late_quarter.code,
        late_inserted=late.inserted,
        late_updated=late.updated,
        adjustments=adjustments,
        comments=comments,
    )


def _streamer(demo: DemoSet, index: int) -> Streamer:
    number = demo.streamers[index].employee_no
    return db.session.scalars(select(Streamer).where(Streamer.employee_no == number)).one()


def _confirm_promotions(demo: DemoSet, cycle: AppraisalCycle) -> list[ConfirmedPromotion]:
    """Confirm the planned promotions `cycle` earned, for the streamers it found eligible
    (a streamer who missed, by bad luck with another seed or size, is simply not promoted)."""
    from hrapp.promotions.services import confirm_promotion, eligible_streamers

    eligible = {(c.streamer_id, c.to_level) for c in eligible_streamers(cycle)}
    confirmed = []
    for plan in demo.promotions:
        if plan.earned_in != cycle.code:
            continue
        streamer = _streamer(demo, plan.streamer)
        if (streamer.id, plan.to_level) not in eligible:
            continue
        confirm_promotion(
            streamer, plan.to_level, plan.reason, effective_on=plan.effective_on, cycle=cycle
        )
        confirmed.append(
            ConfirmedPromotion(streamer.employee_no, plan.to_level, cycle.code, plan.effective_on)
        )
    return confirmed


def _import_late_data(demo: DemoSet, hr: User) -> ImportOutcome:
    """HR imports a later export of the last finalized quarter, as a file through the session
    import: the finalized quarter keeps its figures; the next run settles the difference."""
    from hrapp.live_sessions.importer import import_sessions

    csv_bytes = late_data_csv(demo, org_zone())
    filename = LATE_FILE.format(code=demo.late_quarter.code)
    outcome = import_sessions(csv_bytes, filename, user_id=hr.id)
    if outcome.status != "imported":  # pragma: no cover - the demo's own file is valid
        raise ValidationFailed(f"The demo's late data was refused: {outcome.problems[:3]}")
    return outcome


LATE_COLUMNS = (
    "platform",
    "account_id",
    "nickname",
    "started_at",
    "ended_at",
    *COUNT_COLUMNS,
    "avg_watch_seconds",
    "gmv",
    "buyer_paid",
    "refunds",
    "platform_net",
    "refunds_1h",
    "ad_spend",
)


def late_data_csv(demo: DemoSet, zone: ZoneInfo) -> bytes:
    """The late sessions and the sessions whose refunds grew, in hrapp's import template
    (UTF-8 with BOM, local times, amounts in yuan)."""
    rows = [(session, session.values) for session in demo.late_sessions]
    for grown in demo.grown_refunds:
        session = demo.sessions[grown.session]
        values = {
            **session.values,
            "refunds_fen": grown.refunds_fen,
            "refund_orders": grown.refund_orders,
        }
        rows.append((session, values))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(LATE_COLUMNS)
    for session, values in rows:
        account = demo.streamers[session.streamer].accounts[session.account]
        cells = {
            "platform": account.platform,
            "account_id": account.account_id,
            "nickname": account.nickname,
            "started_at": _local(values["started_at"], zone),
            "ended_at": _local(values["ended_at"], zone),
            "avg_watch_seconds": values["avg_watch_seconds"],
        }
        for name in LATE_COLUMNS:
            if name not in cells:
                fen = values.get(f"{name}_fen")
                cells[name] = _yuan(fen) if fen is not None else values[name]
        writer.writerow([cells[name] for name in LATE_COLUMNS])
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


def _local(instant: dt.datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def _yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def _review(demo: DemoSet, cycle: AppraisalCycle, hr: User) -> tuple[int, int]:
    """HR's first pass over the open quarter: a bonus for the best-scoring graded appraisal,
    a deduction for the worst, and comments the streamers read (also on the appraisal of the
    streamer promoted inside the quarter and of one not graded). Returns (adjustments,
    comments)."""
    from hrapp.appraisals.closing import add_pay_adjustment, save_comments

    graded = list(
        db.session.scalars(
            select(Appraisal)
            .join(Streamer, Streamer.id == Appraisal.streamer_id)
            .where(Appraisal.cycle_id == cycle.id, Appraisal.score.is_not(None))
            .where(Appraisal.not_graded.is_(False))
            .order_by(Appraisal.score.desc(), Streamer.employee_no)
        )
    )
    if not graded:
        return 0, 0
    picked = {"best": graded[0], "worst": graded[-1]}
    inside = [p for p in demo.promotions if cycle.starts_on < p.effective_on <= cycle.ends_on]
    if inside:
        streamer = _streamer(demo, inside[0].streamer)
        appraisal = db.session.scalars(
            select(Appraisal).where(
                Appraisal.cycle_id == cycle.id, Appraisal.streamer_id == streamer.id
            )
        ).one_or_none()
        if appraisal is not None and appraisal not in picked.values():
            picked["blended"] = appraisal
    on_leave = db.session.scalars(
        select(Appraisal)
        .join(Streamer, Streamer.id == Appraisal.streamer_id)
        .where(Appraisal.cycle_id == cycle.id, Appraisal.not_graded.is_(True))
        .order_by(Streamer.employee_no)
        .limit(1)
    ).one_or_none()
    if on_leave is not None:
        picked["leave"] = on_leave
    adjustments = 0
    for key, amount_fen, reason in PAY_ADJUSTMENTS:
        appraisal = picked[key]
        add_pay_adjustment(appraisal, amount_fen, reason, appraisal.lock_version, hr)
        adjustments += 1
    for key, appraisal in picked.items():
        shared, private = COMMENTS[key]
        save_comments(appraisal, private, shared, appraisal.lock_version, hr)
    return adjustments, len(picked)


def _quarter_summary(code: str, settlements: int) -> QuarterSummary:
    from hrapp.appraisals.services import cycle_by_code, cycle_totals, grade_counts
    from hrapp.core.money import yuan_text

    cycle = cycle_by_code(code)
    grades = {grade or NOT_GRADED: n for grade, n in grade_counts(cycle)}
    totals = cycle_totals(cycle.id)
    return QuarterSummary(
        code=cycle.code,
        status=cycle.status,
        appraised=sum(grades.values()),
        grades=grades,
        total_payable=yuan_text(totals["payable_fen"]),
        settlements=settlements,
    )
