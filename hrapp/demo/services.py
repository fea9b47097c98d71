"""Load the demo agency into the database, once, in the caller's transaction.

Rows are written straight through the models (the sessions with bulk Core inserts: a year of
sessions is over ten thousand rows). Loading again finds the demo streamers, leaves the data as
it is and only resets the demo logins' passwords, so that the logins it prints are true.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import insert, select

from hrapp.auth import services as auth_services
from hrapp.auth.models import Role, User, UserRole, new_session_token
from hrapp.core import audit
from hrapp.core.db import utcnow
from hrapp.core.timeutil import org_zone
from hrapp.demo import data
from hrapp.demo.generator import DemoSet, build_demo_set
from hrapp.extensions import db
from hrapp.live_sessions.models import ImportBatch, LiveSession, SessionHost
from hrapp.streamers.models import LevelChange, Mentorship, PlatformAccount, Streamer
from hrapp.training.curriculum import ensure_default_curriculum
from hrapp.training.models import Module, TrainingRecord
from hrapp.training.services import decide_passed

if TYPE_CHECKING:
    from hrapp.appraisals.runner import RunSummary

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
    return DemoResult(created, len(streamer_ids), sessions, training, accounts.logins)


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
        summary = (
            f"demo data loaded: {streamers} streamers, {sessions} sessions, "
            f"{training} training records, {len(logins)} logins"
        )
    else:
        summary = f"demo data already present: passwords of {len(logins)} demo logins reset"
    usernames = [login.username for login in logins]
    audit.record("demo.load", "demo", None, summary=summary, changes={"logins": [None, usernames]})


def appraise_last_quarter(today: dt.date) -> RunSummary:
    """Create and run the cycle of the last full quarter before `today`, so that the demo's
    appraisal pages have results to show. Flushes; the caller commits."""
    from hrapp.appraisals.runner import run_cycle
    from hrapp.appraisals.services import create_cycle
    from scoring.period import previous_quarter_codes, quarter_code

    last_full_quarter = previous_quarter_codes(quarter_code(today), 2)[1]
    return run_cycle(create_cycle(last_full_quarter))
