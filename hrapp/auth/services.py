"""Use cases for accounts: create, authenticate with throttling, change password, roles."""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from werkzeug.security import check_password_hash, generate_password_hash

from hrapp.auth.models import LoginAttempt, Role, User, UserRole, new_session_token
from hrapp.auth.permissions import can_change_account
from hrapp.core import audit
from hrapp.core.audit import AuditEntry
from hrapp.core.db import utcnow
from hrapp.core.errors import DomainError, NotFound, ValidationFailed
from hrapp.core.labels import label
from hrapp.core.messages import Message, message
from hrapp.extensions import db

MIN_PASSWORD_LENGTH = 8
security_log = logging.getLogger("hrapp.security")


def _hash_method() -> str:
    """How passwords are hashed: scrypt, unless the configuration says otherwise (the tests
    use a fast one; see `PASSWORD_HASH_METHOD` in config.py)."""
    return str(current_app.config.get("PASSWORD_HASH_METHOD") or "scrypt")


@functools.cache
def _dummy_hash(method: str) -> str:
    """Compared against when the username is unknown, so both answers take the same time."""
    return generate_password_hash("not-a-real-password-x9", method=method)


class LoginThrottled(DomainError):
    status_code = 429


@functools.cache
def _common_passwords() -> frozenset[str]:
    text = resources.files("hrapp.auth").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def password_problems(password: str, username: str = "") -> list[str]:
    """Every reason a password is refused (empty when it is acceptable)."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(_("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
    if password.lower() in _common_passwords():
        problems.append(_("This password is too common."))
    if username and password.lower() == username.lower():
        problems.append(_("The password must differ from the username."))
    return problems


def _hash(password: str, username: str) -> str:
    problems = password_problems(password, username)
    if problems:
        raise ValidationFailed(" ".join(problems), problems)
    return generate_password_hash(password, method=_hash_method())


def get_user_by_name(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username.strip()))


def create_user(
    username: str,
    password: str,
    roles: list[Role],
    *,
    streamer_id: int | None = None,
    display_name: str = "",
) -> User:
    username = username.strip()
    if not username:
        raise ValidationFailed(_("A username is required."))
    if get_user_by_name(username) is not None:
        raise ValidationFailed(_("The username %(name)s is taken.", name=username))
    _check_streamer_link(roles, streamer_id, None)
    user = User(
        username=username,
        display_name=display_name,
        password_hash=_hash(password, username),
        streamer_id=streamer_id,
        password_changed_at=utcnow(),
    )
    user.role_rows = [UserRole(role=r.value) for r in sorted(set(roles))]
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.create",
        "user",
        user.id,
        changes={
            "username": [None, username],
            "roles": [None, sorted(r.value for r in roles)],
            "streamer_id": [None, streamer_id],
        },
    )
    return user


def _check_streamer_link(roles: list[Role], streamer_id: int | None, user_id: int | None) -> None:
    if Role.STREAMER in roles and streamer_id is None:
        raise ValidationFailed(_("A streamer login must be linked to a streamer."))
    if streamer_id is None:
        return
    holder = db.session.scalar(select(User).where(User.streamer_id == streamer_id))
    if holder is not None and holder.id != user_id:
        raise ValidationFailed(
            _("This streamer already has the login %(name)s.", name=holder.username)
        )


def update_user(
    user: User,
    *,
    roles: list[Role],
    active: bool,
    streamer_id: int | None,
    display_name: str,
) -> None:
    _check_streamer_link(roles, streamer_id, user.id)
    old = {
        "roles": sorted(r.value for r in user.roles),
        "active": user.active,
        "streamer_id": user.streamer_id,
        "display_name": user.display_name,
    }
    user.role_rows = [UserRole(role=r.value) for r in sorted(set(roles))]
    user.streamer_id = streamer_id
    user.display_name = display_name
    if user.active and not active:
        user.session_token = new_session_token()  # end every session of the deactivated user
    user.active = active
    new = {
        "roles": sorted(r.value for r in roles),
        "active": active,
        "streamer_id": streamer_id,
        "display_name": display_name,
    }
    changes = audit.diff(old, new)
    if changes:
        audit.record("user.update", "user", user.id, changes=changes)
    db.session.flush()


def set_password(user: User, new_password: str, *, current_password: str | None = None) -> None:
    """Change a password; `current_password` is checked when the user changes their own."""
    if current_password is not None and not check_password_hash(
        user.password_hash, current_password
    ):
        raise ValidationFailed(_("The current password is wrong."))
    user.password_hash = _hash(new_password, user.username)
    user.password_changed_at = utcnow()
    if current_password is not None:
        user.must_change_password = False  # the user chose this one
    user.session_token = new_session_token()
    audit.record("user.password_change", "user", user.id)
    db.session.flush()


def end_sessions(user: User) -> None:
    """Invalidate every cookie issued to the user (used at logout)."""
    user.session_token = new_session_token()
    db.session.flush()


def set_locale(user: User, locale: str) -> None:
    if locale not in current_app.config["LANGUAGES"]:
        raise ValidationFailed(_("Unknown language."))
    if user.locale != locale:
        audit.record("user.locale", "user", user.id, changes={"locale": [user.locale, locale]})
        user.locale = locale
    db.session.flush()


def _recent_failures(column: object, value: str) -> int:
    window = current_app.config["LOGIN_THROTTLE_WINDOW_SECONDS"]
    since = utcnow() - dt.timedelta(seconds=window)
    query = select(func.count()).where(
        column == value, LoginAttempt.succeeded.is_(False), LoginAttempt.at >= since
    )
    return int(db.session.scalar(query) or 0)


@dataclass(frozen=True)
class TroubleWords:
    """The audit summary of an unsuccessful login, for one attempt and for many."""

    one: Callable[[str], Message]
    many: Callable[..., Message]


LOGIN_TROUBLE = {
    "auth.login_failed": TroubleWords(
        lambda username: message("Failed login for %(username)s.", username=username),
        lambda **counted: message(
            "%(n)d failed logins within %(minutes)d minutes for %(usernames)s from %(addresses)s.",
            **counted,
        ),
    ),
    "auth.login_throttled": TroubleWords(
        lambda username: message("Login throttled for %(username)s.", username=username),
        lambda **counted: message(
            "%(n)d logins refused within %(minutes)d minutes after too many failures, "
            "for %(usernames)s from %(addresses)s.",
            **counted,
        ),
    ),
}
# Names and addresses a summary lists before it ends the list with "…".
SUMMARY_LIST_MAX = 10
ELLIPSIS = "…"


def _audit_login_trouble(action: str, user: User | None, username: str, ip: str) -> None:
    """Audit an unsuccessful login, one row per account or address and throttle window.

    The first attempt gets a row of its own; later ones within the window that share its
    account or its address count into it, with the names and addresses tried, so that a flood
    of guesses leaves a few rows saying how many rather than one row per guess.
    """
    words = LOGIN_TROUBLE[action]
    entry = _open_summary(action, user, ip)
    if entry is None:
        audit.record(
            action, "user", user.id if user is not None else None, summary=words.one(username)
        )
        return
    params = entry.summary.get("params", {}) if isinstance(entry.summary, dict) else {}
    minutes = current_app.config["LOGIN_THROTTLE_WINDOW_SECONDS"] // 60
    entry.summary = words.many(
        n=int(params.get("n", 1)) + 1,
        minutes=minutes,
        usernames=_listed(params.get("usernames") or [params.get("username", "")], username),
        addresses=_listed(params.get("addresses") or [entry.ip or ""], ip),
    )


def _open_summary(action: str, user: User | None, ip: str) -> AuditEntry | None:
    """The row of this window that an attempt on this account or from this address counts
    into, if there is one."""
    window = current_app.config["LOGIN_THROTTLE_WINDOW_SECONDS"]
    same_source = AuditEntry.ip == ip
    if user is not None:
        same_source = or_(same_source, AuditEntry.entity_id == str(user.id))
    query = (
        select(AuditEntry)
        .where(
            AuditEntry.action == action,
            AuditEntry.at >= utcnow() - dt.timedelta(seconds=window),
            same_source,
        )
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(1)
    )
    return db.session.scalar(query)


def _listed(known: list[str], new: str) -> list[str]:
    """`known` with `new` added once, at most SUMMARY_LIST_MAX of them and then "…"."""
    if new in known or ELLIPSIS in known:
        return list(known)
    if len(known) >= SUMMARY_LIST_MAX:
        return [*known, ELLIPSIS]
    return [*known, new]


def authenticate(username: str, password: str, ip: str) -> User | None:
    """The user when the credentials are right; None otherwise (same answer for both cases).

    Raises LoginThrottled after too many recent failures for this account or this address.
    Every attempt is recorded; failures and refusals are also audited without the password,
    summarised per account or address and window (`_audit_login_trouble`).
    """
    username = username.strip()[:80]
    cfg = current_app.config
    user = get_user_by_name(username)
    if (
        _recent_failures(LoginAttempt.username, username) >= cfg["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
        or _recent_failures(LoginAttempt.ip, ip) >= cfg["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    ):
        _audit_login_trouble("auth.login_throttled", user, username, ip)
        db.session.flush()
        raise LoginThrottled(_("Too many failed attempts. Please wait a few minutes."))
    known = user.password_hash if user else _dummy_hash(_hash_method())
    ok = check_password_hash(known, password)
    ok = ok and user is not None and user.active
    db.session.add(LoginAttempt(username=username, ip=ip, succeeded=ok))
    if not ok:
        _audit_login_trouble("auth.login_failed", user, username, ip)
        db.session.flush()
        return None
    assert user is not None
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def require_may_change(actor: User, account: User) -> None:
    """Refuse, naming the roles in the way, a change of an account the actor may not change
    (`can_change_account`): only an administrator changes an account holding more roles."""
    if can_change_account(actor, account):
        return
    beyond = sorted(account.roles - actor.roles - {Role.STREAMER})
    security_log.warning("user %s refused a change of account %s", actor.id, account.id)
    raise ValidationFailed(
        _(
            "The account %(name)s holds a role you do not hold (%(roles)s); "
            "only an administrator can change it.",
            name=account.username,
            roles=", ".join(label("role", role) for role in beyond),
        )
    )


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("No such account."))
    return user
