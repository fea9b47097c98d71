"""Logins for a whole agency at once, and HR's password reset of a streamer's login.

Initial and reset passwords are generated, shown to HR once (a printable list and a CSV made
in the same answer: nothing keeps them), and must be changed by the streamer at the first
login (`User.must_change_password`). Every login created and every reset is audited (never
with the password).
"""

from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from hrapp.appraisals.export import safe_cell
from hrapp.auth import services as auth_services
from hrapp.auth.models import User
from hrapp.core import audit
from hrapp.core.errors import ValidationFailed
from hrapp.core.messages import message
from hrapp.extensions import db
from hrapp.streamers import services as streamers
from hrapp.streamers.models import Streamer

PASSWORD_BYTES = 9  # twelve characters
CSV_COLUMNS = ("employee_no", "name", "username", "initial_password")


@dataclass(frozen=True)
class Handed:
    """One login and the password to hand over."""

    streamer_id: int
    employee_no: str
    name: str
    username: str
    password: str


def initial_password() -> str:
    """Twelve random URL-safe characters that a spreadsheet never reads as a formula (no
    leading minus sign), so the CSV carries them as they are."""
    while True:
        password = secrets.token_urlsafe(PASSWORD_BYTES)
        if not password.startswith("-"):
            return password


def without_login() -> list[Streamer]:
    """Active streamers who have no login yet, by employee number."""
    query = (
        select(Streamer)
        .outerjoin(User, User.streamer_id == Streamer.id)
        .where(User.id.is_(None), Streamer.status == "active")
        .order_by(Streamer.employee_no)
    )
    return list(db.session.scalars(query))


def create_logins(streamer_ids: list[int] | None) -> list[Handed]:
    """A login for each chosen streamer (None: every active streamer without one), named
    after the employee number, with a generated password to change at first login. Chosen
    streamers who have a login already, or who do not exist, are refused all together."""
    candidates = {s.id: s for s in without_login()}
    if streamer_ids is None:
        chosen = list(candidates.values())
    else:
        unknown = [i for i in streamer_ids if i not in candidates]
        if unknown:
            raise ValidationFailed(
                _("Some chosen streamers have a login already or are not active.")
            )
        chosen = [candidates[i] for i in dict.fromkeys(streamer_ids)]
    if not chosen:
        raise ValidationFailed(_("Every active streamer has a login already."))
    handed = []
    for streamer in chosen:
        password = initial_password()
        user, _generated = streamers.create_login(streamer, "", password)
        user.must_change_password = True
        handed.append(
            Handed(
                streamer.id, streamer.employee_no, streamer.display_name, user.username, password
            )
        )
    db.session.flush()
    audit.record(
        "user.bulk_create",
        "user",
        None,
        changes={"usernames": [None, [h.username for h in handed]]},
        summary=message("%(n)d streamer logins created at once.", n=len(handed)),
    )
    return handed


def reset_password(streamer: Streamer, *, by: User) -> Handed:
    """A new generated password for the streamer's login: every session of it ends, and the
    streamer must choose their own at the next login. Not of a login `by` may not change (an
    administrator's who also streams): HR would be handed a password to it."""
    user = streamer.user
    if user is None:
        raise ValidationFailed(_("This streamer has no login yet."))
    auth_services.require_may_change(by, user)
    password = initial_password()
    auth_services.set_password(user, password)
    user.must_change_password = True
    db.session.flush()
    audit.record(
        "user.password_reset",
        "user",
        user.id,
        changes={"must_change_password": [False, True]},
        summary=message(
            "Password of %(username)s reset by HR; it must be changed at the next login.",
            username=user.username,
        ),
    )
    return Handed(streamer.id, streamer.employee_no, streamer.display_name, user.username, password)


def logins_csv(handed: list[Handed]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for item in handed:
        writer.writerow(
            [safe_cell(v) for v in (item.employee_no, item.name, item.username, item.password)]
        )
    return buffer.getvalue().encode("utf-8-sig")
