"""Use cases for the roster, one function each.

Each validates (reporting every problem at once), changes, writes its audit row with the old and
new values, and flushes; the page or command that called it commits. A call that changes nothing
writes no audit row. ID and bank numbers reach the audit log only masked.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from hrapp.appraisals.staleness import inputs_changed
from hrapp.auth import services as auth_services
from hrapp.auth.models import Role, User
from hrapp.core import audit
from hrapp.core.errors import NotFound, ValidationFailed
from hrapp.core.labels import label
from hrapp.core.messages import Message, day, message
from hrapp.core.timeutil import org_today
from hrapp.extensions import db
from hrapp.streamers import rules
from hrapp.streamers.models import (
    CATEGORIES,
    Level,
    LevelChange,
    Mentorship,
    Platform,
    PlatformAccount,
    Streamer,
)
from hrapp.streamers.teams import sorted_teams

NAME_MAX = 80
TEAM_MAX = 40
PERSONA_MAX = 120
NICKNAME_MAX = 120
REASON_MAX = 300
LEVELS = tuple(level.value for level in Level)
PLATFORMS = tuple(platform.value for platform in Platform)
STATUSES = ("active", "left", "all")
# Seniors mentor too: mentoring two streamers through PRACTICAL-1 is how they qualify as mentor.
MENTOR_LEVELS = (Level.SENIOR.value, Level.MENTOR.value)


@dataclass(frozen=True)
class Profile:
    """What HR keeps about a streamer apart from level, status and HR-only details."""

    employee_no: str
    legal_name: str
    hire_date: dt.date | None
    stage_name: str = ""
    date_of_birth: dt.date | None = None
    category: str = "other"
    team: str = ""
    persona: str = ""

    def cleaned(self) -> Profile:
        return dataclasses.replace(
            self,
            employee_no=rules.normalise_employee_no(self.employee_no),
            legal_name=self.legal_name.strip(),
            stage_name=self.stage_name.strip(),
            team=self.team.strip(),
            persona=self.persona.strip(),
        )


PROFILE_FIELDS = tuple(field.name for field in dataclasses.fields(Profile))


@dataclass(frozen=True)
class PersonalDetails:
    """HR-only details; for each, None keeps what is stored and "" removes it."""

    hr_notes: str | None = None
    id_number: str | None = None
    bank_account: str | None = None


def profile_of(streamer: Streamer) -> Profile:
    return Profile(**{name: getattr(streamer, name) for name in PROFILE_FIELDS})


def _refuse_if(problems: list[str | None]) -> None:
    """Raise with every problem found (the Nones are checks that passed)."""
    found = [p for p in problems if p]
    if found:
        raise ValidationFailed(" ".join(found), found)


def _snapshot(streamer: Streamer) -> dict[str, Any]:
    """The audited state of a streamer, with ID and bank numbers masked."""
    return {
        **{name: getattr(streamer, name) for name in PROFILE_FIELDS},
        "level": streamer.level,
        "level_since": streamer.level_since,
        "status": streamer.status,
        "left_on": streamer.left_on,
        "mentor": streamer.mentor.employee_no if streamer.mentor else None,
        "id_number": rules.mask(streamer.id_number) or None,
        "bank_account": rules.mask(streamer.bank_account) or None,
        "hr_notes": streamer.hr_notes,
    }


def _audit_streamer(
    action: str, streamer: Streamer, before: dict[str, Any], summary: Message | str = ""
) -> audit.AuditEntry | None:
    """Record what changed since `before`; no audit row (None) when nothing did."""
    db.session.flush()
    changes = audit.diff(before, _snapshot(streamer))
    if not changes:
        return None
    entry = audit.record(
        action,
        "streamer",
        streamer.id,
        changes=changes,
        summary=summary,
    )
    db.session.flush()
    return entry


# --- profile -------------------------------------------------------------------------------


def _text_problem(value: str, limit: int, what: str) -> str | None:
    if len(value) > limit:
        return _("%(what)s has at most %(n)d characters.", what=what, n=limit)
    return None


def _profile_problems(profile: Profile, streamer: Streamer | None) -> list[str | None]:
    problems = [
        rules.employee_no_problem(profile.employee_no),
        _("A legal name is required.") if not profile.legal_name else None,
        _text_problem(profile.legal_name, NAME_MAX, _("The legal name")),
        _text_problem(profile.stage_name, NAME_MAX, _("The stage name")),
        _text_problem(profile.team, TEAM_MAX, _("The team")),
        _text_problem(profile.persona, PERSONA_MAX, _("The persona")),
        _("A hire date is required.") if profile.hire_date is None else None,
        _("Unknown category.") if profile.category not in CATEGORIES else None,
        rules.age_problem(profile.date_of_birth, profile.hire_date, org_today()),
    ]
    holder = find_by_employee_no(profile.employee_no)
    if holder is not None and holder is not streamer:
        problems.append(
            _(
                "The employee number %(no)s is already used by %(name)s.",
                no=profile.employee_no,
                name=holder.display_name,
            )
        )
    if streamer is not None and profile.hire_date is not None:
        problems.append(_hire_date_vs_history(streamer, profile.hire_date))
    return problems


def first_level_change_on(streamer: Streamer) -> dt.date | None:
    """The day of the streamer's first change of level (not the level they were hired at): a
    hire date may not come after it, or the history would start with a change."""
    promotions = [c for c in streamer.level_changes if c.from_level is not None]
    return promotions[0].effective_on if promotions else None


def _hire_date_vs_history(streamer: Streamer, hire_date: dt.date) -> str | None:
    first_change = first_level_change_on(streamer)
    if first_change is not None and hire_date > first_change:
        return _(
            "The hire date cannot be after the first level change (%(date)s).",
            date=first_change.isoformat(),
        )
    return None


def _details_problems(details: PersonalDetails) -> list[str | None]:
    problems = []
    if details.id_number:
        problems.append(rules.id_number_problem(rules.normalise_id_number(details.id_number)))
    if details.bank_account:
        number = rules.normalise_bank_account(details.bank_account)
        problems.append(rules.bank_account_problem(number))
    return problems


def _apply_details(streamer: Streamer, details: PersonalDetails) -> None:
    if details.hr_notes is not None:
        streamer.hr_notes = details.hr_notes.strip()
    if details.id_number is not None:
        streamer.id_number = rules.normalise_id_number(details.id_number) or None
    if details.bank_account is not None:
        streamer.bank_account = rules.normalise_bank_account(details.bank_account) or None


def create_streamer(
    profile: Profile, level: str, details: PersonalDetails | None = None
) -> Streamer:
    """A new active streamer; their level history starts with `level` on the hire date."""
    profile = profile.cleaned()
    details = details or PersonalDetails()
    problems = _profile_problems(profile, None) + _details_problems(details)
    if level not in LEVELS:
        problems.append(_("Unknown level."))
    _refuse_if(problems)
    streamer = Streamer(
        **dataclasses.asdict(profile), level=level, level_since=profile.hire_date, status="active"
    )
    _apply_details(streamer, details)
    initial = LevelChange(to_level=level, effective_on=profile.hire_date, reason="")
    streamer.level_changes.append(initial)
    db.session.add(streamer)
    entry = _audit_streamer("streamer.create", streamer, {})
    initial.changed_by_id = entry.actor_id if entry is not None else None
    db.session.flush()
    return streamer


def update_streamer(
    streamer: Streamer, profile: Profile, details: PersonalDetails | None = None
) -> bool:
    """Change the profile (and HR-only details); True when anything changed."""
    profile = profile.cleaned()
    details = details or PersonalDetails()
    _refuse_if(_profile_problems(profile, streamer) + _details_problems(details))
    before = _snapshot(streamer)
    old_hire_date = streamer.hire_date
    for name, value in dataclasses.asdict(profile).items():
        setattr(streamer, name, value)
    _apply_details(streamer, details)
    if old_hire_date != streamer.hire_date:
        _follow_hire_date(streamer, old_hire_date)
        # Who is appraised, and the days a level weighs, follow the hire date.
        known = [day for day in (old_hire_date, streamer.hire_date) if day is not None]
        inputs_changed(
            "roster_changed", first_day=min(known, default=None), who=streamer.employee_no
        )
    if (before["team"], before["category"]) != (streamer.team, streamer.category):
        # The appraisal keeps the team and category of its run; finalized ones keep theirs.
        inputs_changed("roster_changed", open_only=True, who=streamer.employee_no)
    return _audit_streamer("streamer.update", streamer, before) is not None


def _follow_hire_date(streamer: Streamer, old_hire_date: dt.date | None) -> None:
    """The first level starts on the hire date, so a corrected hire date moves it along."""
    initial = streamer.level_changes[0] if streamer.level_changes else None
    if initial is None or initial.from_level is not None or initial.effective_on != old_hire_date:
        return
    initial.effective_on = streamer.hire_date
    if streamer.level_since == old_hire_date:
        streamer.level_since = streamer.hire_date


# --- level, leaving, mentor ------------------------------------------------------------------


def latest_level(streamer: Streamer) -> str:
    """The level of the last row of the history: today's level, or the one a scheduled
    (future-dated) change will give. The next change starts from it."""
    return streamer.level_changes[-1].to_level if streamer.level_changes else streamer.level


def scheduled_level_changes(streamer: Streamer, today: dt.date | None = None) -> list[LevelChange]:
    """Changes dated after today: written in the history, not yet the streamer's level."""
    today = today or org_today()
    return [c for c in streamer.level_changes if c.effective_on > today]


def change_level(
    streamer: Streamer,
    to_level: str,
    effective_on: dt.date,
    reason: Message | str,
    *,
    allow_future: bool = False,
) -> LevelChange:
    """Promote or demote: one row of level history, and `level_since` moves to its date.

    With `allow_future` (a promotion HR confirms for the next quarter) the date may be after
    today: the change is written to the history as scheduled, and `Streamer.level` — today's
    level — only follows on that day (`apply_due_level_changes`). Every change marks the
    appraisal cycles from its date on as out of date.

    `reason` is what HR wrote, or a message when the system changes the level (an import).
    """
    reason = reason.strip() if isinstance(reason, str) else reason
    today = org_today()
    last = streamer.level_changes[-1] if streamer.level_changes else None
    held = latest_level(streamer)
    problems = [
        _("Unknown level.") if to_level not in LEVELS else None,
        _("The streamer is already at this level.") if to_level == held else None,
        _("The streamer has left; their level no longer changes.")
        if not streamer.is_active
        else None,
        _("Please give the reason for the level change.") if not reason else None,
        _text_problem(reason, REASON_MAX, _("The reason")) if isinstance(reason, str) else None,
        _("The effective date cannot be in the future.")
        if effective_on > today and not allow_future
        else None,
    ]
    if streamer.hire_date and effective_on < streamer.hire_date:
        problems.append(
            _(
                "The effective date is before the hire date (%(date)s).",
                date=streamer.hire_date.isoformat(),
            )
        )
    if last is not None and effective_on < last.effective_on:
        problems.append(
            _(
                "The effective date is before the last level change (%(date)s).",
                date=last.effective_on.isoformat(),
            )
        )
    _refuse_if(problems)
    before = _snapshot(streamer)
    change = LevelChange(
        from_level=held, to_level=to_level, effective_on=effective_on, reason=reason
    )
    streamer.level_changes.append(change)
    if effective_on <= today:
        streamer.level, streamer.level_since = to_level, effective_on
        entry = _audit_streamer("streamer.level_change", streamer, before, summary=_why(reason))
    else:
        db.session.flush()
        entry = audit.record(
            "streamer.level_scheduled",
            "streamer",
            streamer.id,
            changes={
                "scheduled_level": [None, to_level],
                "scheduled_on": [None, effective_on.isoformat()],
            },
            summary=_why(reason),
        )
    change.changed_by_id = entry.actor_id if entry is not None else None
    db.session.flush()
    _level_history_changed(streamer, effective_on)
    return change


def _why(reason: Message | str) -> Message | str:
    """An audit summary that gives the reason; none when no reason was given."""
    return message("Reason: %(reason)s", reason=reason) if reason else ""


def _level_history_changed(streamer: Streamer, first_day: dt.date) -> None:
    """Cycles whose quarter reaches `first_day` read the changed history: out of date."""
    inputs_changed("level_changed", first_day=first_day, who=streamer.employee_no)


def apply_due_level_changes(today: dt.date | None = None) -> int:
    """Bring `Streamer.level` up to the history for scheduled changes whose day has come.

    Returns how many streamers changed; each is audited (by the system: nobody acted today,
    HR decided when the change was scheduled). Idempotent.
    """
    today = today or org_today()
    due = db.session.scalars(
        select(LevelChange)
        .where(LevelChange.effective_on <= today, LevelChange.from_level.is_not(None))
        .join(Streamer, Streamer.id == LevelChange.streamer_id)
        .where(Streamer.status == "active", Streamer.level_since < LevelChange.effective_on)
        .options(selectinload(LevelChange.streamer))
    ).all()
    changed = 0
    for streamer in {change.streamer for change in due}:
        current = [c for c in streamer.level_changes if c.effective_on <= today][-1]
        if (streamer.level, streamer.level_since) == (current.to_level, current.effective_on):
            continue
        before = _snapshot(streamer)
        streamer.level, streamer.level_since = current.to_level, current.effective_on
        db.session.flush()
        audit.record(
            "streamer.level_change",
            "streamer",
            streamer.id,
            changes=audit.diff(before, _snapshot(streamer)),
            summary=message(
                "A scheduled level change took effect: %(reason)s", reason=current.reason
            ),
            actor=SYSTEM,
        )
        changed += 1
    db.session.flush()
    return changed


@dataclass(frozen=True)
class _System:
    """The audit actor of what the calendar does (no user acted)."""

    id: None = None
    username: str = audit.SYSTEM_ACTOR


SYSTEM = _System()


def mark_left(streamer: Streamer, left_on: dt.date, reason: str = "") -> None:
    """Deactivate: the streamer stays in the roster and in history, marked as left."""
    problems = [
        _("The streamer is already marked as left.") if not streamer.is_active else None,
        _("The leaving date cannot be in the future.") if left_on > org_today() else None,
        _text_problem(reason.strip(), REASON_MAX, _("The reason")),
    ]
    if streamer.hire_date and left_on < streamer.hire_date:
        problems.append(
            _(
                "The leaving date is before the hire date (%(date)s).",
                date=streamer.hire_date.isoformat(),
            )
        )
    _refuse_if(problems)
    before = _snapshot(streamer)
    streamer.status, streamer.left_on = "left", left_on
    inputs_changed("roster_changed", first_day=left_on, who=streamer.employee_no)
    _audit_streamer("streamer.leave", streamer, before, summary=_why(reason.strip()))


def reactivate(streamer: Streamer) -> None:
    """Undo a leaving (a mistake, or a rehire): active again, the leaving date cleared."""
    _refuse_if([_("The streamer is active already.") if streamer.is_active else None])
    before = _snapshot(streamer)
    inputs_changed("roster_changed", first_day=streamer.left_on, who=streamer.employee_no)
    streamer.status, streamer.left_on = "active", None
    _audit_streamer("streamer.reactivate", streamer, before)


def set_mentor(streamer: Streamer, mentor: Streamer | None, since: dt.date | None = None) -> bool:
    """A streamer's mentor must be an active senior streamer or training mentor.

    The change takes effect on `since` (default today; HR may date it back to when the
    mentoring really began): the current mentorship ends and the new one starts, so the
    history says who mentored the streamer on any day.
    """
    since = since or org_today()
    if mentor is not None:
        _refuse_if(_mentor_problems(streamer, mentor))
    if streamer.mentor_id == (mentor.id if mentor else None):
        return False
    _refuse_if(_mentor_date_problems(streamer, since))
    before = _snapshot(streamer)
    _record_mentorship(streamer, mentor, since)
    streamer.mentor = mentor
    summary = message("Effective %(date)s.", date=day(since))
    return _audit_streamer("streamer.mentor", streamer, before, summary=summary) is not None


def _mentor_date_problems(streamer: Streamer, since: dt.date) -> list[str | None]:
    current = streamer.current_mentorship
    return [
        _("The date cannot be in the future.") if since > org_today() else None,
        _(
            "The current mentorship began on %(date)s; a change cannot take effect before it.",
            date=current.started_on.isoformat(),
        )
        if current is not None and since < current.started_on
        else None,
        _(
            "The streamer was hired on %(date)s; a mentorship cannot begin before that.",
            date=streamer.hire_date.isoformat(),
        )
        if streamer.hire_date is not None and since < streamer.hire_date
        else None,
    ]


def _record_mentorship(streamer: Streamer, mentor: Streamer | None, since: dt.date) -> None:
    inputs_changed("mentorship_changed", first_day=since)
    current = streamer.current_mentorship
    if current is not None and current.started_on >= since:
        streamer.mentorships.remove(current)  # begun that day: it covered no whole day
    elif current is not None:
        current.ended_on = since
    if mentor is not None:
        streamer.mentorships.append(Mentorship(mentor_id=mentor.id, started_on=since))


def _mentor_problems(streamer: Streamer, mentor: Streamer) -> list[str]:
    if mentor is streamer:
        return [_("A streamer cannot be their own mentor.")]
    problems = []
    if mentor.level not in MENTOR_LEVELS:
        problems.append(
            _("%(name)s is neither a senior streamer nor a mentor.", name=mentor.display_name)
        )
    if not mentor.is_active:
        problems.append(_("%(name)s has left.", name=mentor.display_name))
    seen: set[int] = set()
    upper: Streamer | None = mentor
    while upper is not None and upper.id not in seen:
        if upper is streamer:
            problems.append(
                _("%(name)s is mentored by this streamer already.", name=mentor.display_name)
            )
            break
        seen.add(upper.id)
        upper = upper.mentor
    return problems


# --- platform accounts ---------------------------------------------------------------------


def _account_snapshot(account: PlatformAccount) -> dict[str, Any]:
    return {
        "platform": account.platform,
        "account_id": account.account_id,
        "nickname": account.nickname,
        "streamer": account.streamer.employee_no if account.streamer else None,
    }


def _audit_account(action: str, account: PlatformAccount, before: dict[str, Any]) -> bool:
    db.session.flush()
    changes = audit.diff(before, _account_snapshot(account))
    if not changes:
        return False
    audit.record(
        action,
        "platform_account",
        account.id,
        changes=changes,
    )
    db.session.flush()
    return True


def find_account(platform: str, account_id: str) -> PlatformAccount | None:
    return db.session.scalar(
        select(PlatformAccount).where(
            PlatformAccount.platform == platform, PlatformAccount.account_id == account_id
        )
    )


def _owner_problem(account: PlatformAccount, streamer: Streamer) -> str | None:
    owner = account.streamer
    if owner is streamer:
        return _("This account is linked to this streamer already.")
    if owner is not None:
        return _(
            "The %(platform)s account %(id)s belongs to %(name)s (%(no)s); move it from there.",
            platform=label("platform", account.platform),
            id=account.account_id,
            name=owner.display_name,
            no=owner.employee_no,
        )
    return None


def add_account(
    streamer: Streamer, platform: str, account_id: str, nickname: str = ""
) -> PlatformAccount:
    """Link a platform account to the streamer.

    An account that imports already know but nobody owns is linked rather than created twice.
    """
    account_id, nickname = rules.normalise_account_id(account_id), nickname.strip()
    problems = [
        _("Unknown platform.") if platform not in PLATFORMS else None,
        rules.account_id_problem(account_id),
        _text_problem(nickname, NICKNAME_MAX, _("The nickname")),
        _("The streamer has left; link the account to someone active.")
        if not streamer.is_active
        else None,
    ]
    account = find_account(platform, account_id)
    if account is not None:
        problems.append(_owner_problem(account, streamer))
    _refuse_if(problems)
    if account is None:
        account = PlatformAccount(platform=platform, account_id=account_id)
        db.session.add(account)
        before: dict[str, Any] = {}
        action = "account.create"
    else:
        before, action = _account_snapshot(account), "account.link"
    account.streamer = streamer
    account.nickname = nickname or account.nickname or ""
    _audit_account(action, account, before)
    return account


def rename_account(account: PlatformAccount, nickname: str) -> bool:
    nickname = nickname.strip()
    _refuse_if([_text_problem(nickname, NICKNAME_MAX, _("The nickname"))])
    before = _account_snapshot(account)
    account.nickname = nickname
    return _audit_account("account.update", account, before)


def move_account(account: PlatformAccount, to_streamer: Streamer) -> None:
    """Give the account to another streamer; sessions already imported keep their hosts."""
    problems = []
    if account.streamer is to_streamer:
        problems.append(_("The account belongs to this streamer already."))
    if not to_streamer.is_active:
        problems.append(_("%(name)s has left.", name=to_streamer.display_name))
    _refuse_if(problems)
    before = _account_snapshot(account)
    account.streamer = to_streamer
    _audit_account("account.move", account, before)


def unlink_account(account: PlatformAccount) -> None:
    """The account stays known (its sessions point to it) but belongs to nobody."""
    before = _account_snapshot(account)
    account.streamer = None
    _audit_account("account.unlink", account, before)


# --- login ---------------------------------------------------------------------------------


def default_username(streamer: Streamer) -> str:
    return streamer.employee_no.lower()


def generate_password() -> str:
    """Twelve random characters, shown once to the HR user who hands it over."""
    return secrets.token_urlsafe(9)


def create_login(streamer: Streamer, username: str, password: str = "") -> tuple[User, str]:
    """A streamer login linked to this streamer; an empty password gets a generated one.

    Returns the user and the password to hand over (empty when HR typed it).
    """
    if streamer.user is not None:
        raise ValidationFailed(
            _("This streamer already has the login %(name)s.", name=streamer.user.username)
        )
    generated = "" if password else generate_password()
    user = auth_services.create_user(
        username.strip() or default_username(streamer),
        password or generated,
        [Role.STREAMER],
        streamer_id=streamer.id,
        display_name=streamer.display_name,
    )
    user.must_change_password = True  # HR handed it over: the streamer chooses their own
    db.session.refresh(streamer, ["user"])
    return user, generated


def link_login(streamer: Streamer, username: str, *, by: User) -> User:
    """Link an existing login (a trainer who is also a mentor) and add the streamer role.

    Only to an account `by` may change: HR links no administrator's or trainer's account."""
    user = auth_services.get_user_by_name(username)
    if user is None:
        raise ValidationFailed(_("There is no account named %(name)s.", name=username.strip()))
    auth_services.require_may_change(by, user)
    if user.streamer_id == streamer.id:
        raise ValidationFailed(_("This login is linked to this streamer already."))
    if user.streamer_id is not None:
        raise ValidationFailed(_("This login belongs to another streamer."))
    auth_services.update_user(
        user,
        roles=sorted(user.roles | {Role.STREAMER}),
        active=user.active,
        streamer_id=streamer.id,
        display_name=user.display_name or streamer.display_name,
    )
    db.session.refresh(streamer, ["user"])
    return user


# --- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterFilter:
    """What the roster list is narrowed to; empty strings mean "any"."""

    text: str = ""
    level: str = ""
    team: str = ""
    category: str = ""
    status: str = "active"


def roster_query(wanted: RosterFilter) -> Select[tuple[Streamer]]:
    """Streamers matching the filter, by employee number; text matches numbers, names and ids."""
    query = select(Streamer).options(selectinload(Streamer.accounts)).order_by(Streamer.employee_no)
    if text := wanted.text.strip():
        query = query.where(
            or_(
                Streamer.employee_no.icontains(text, autoescape=True),
                Streamer.legal_name.icontains(text, autoescape=True),
                Streamer.stage_name.icontains(text, autoescape=True),
                Streamer.accounts.any(PlatformAccount.account_id.contains(text, autoescape=True)),
            )
        )
    if wanted.level:
        query = query.where(Streamer.level == wanted.level)
    if wanted.team:
        query = query.where(Streamer.team == wanted.team)
    if wanted.category:
        query = query.where(Streamer.category == wanted.category)
    if wanted.status in ("active", "left"):
        query = query.where(Streamer.status == wanted.status)
    return query


def teams(*, active_only: bool = False) -> list[str]:
    """The team names in use (of active streamers only, if asked), in counting order."""
    query = select(Streamer.team).where(Streamer.team != "").distinct()
    if active_only:
        query = query.where(Streamer.status == "active")
    return sorted_teams(db.session.scalars(query))


def mentor_candidates(streamer: Streamer) -> list[Streamer]:
    """Active seniors and mentors other than the streamer, for the mentor choice."""
    query = (
        select(Streamer)
        .where(
            Streamer.level.in_(MENTOR_LEVELS),
            Streamer.status == "active",
            Streamer.id != streamer.id,
        )
        .order_by(Streamer.employee_no)
    )
    return list(db.session.scalars(query))


def get_streamer(streamer_id: int) -> Streamer:
    streamer = db.session.get(Streamer, streamer_id)
    if streamer is None:
        raise NotFound(_("No such streamer."))
    return streamer


def find_by_employee_no(employee_no: str) -> Streamer | None:
    number = rules.normalise_employee_no(employee_no)
    return db.session.scalar(select(Streamer).where(Streamer.employee_no == number))


def require_by_employee_no(employee_no: str) -> Streamer:
    """The streamer HR typed the number of; ValidationFailed (a message, not a 404) if none."""
    streamer = find_by_employee_no(employee_no)
    if streamer is None:
        raise ValidationFailed(
            _("No streamer has the employee number %(no)s.", no=employee_no.strip())
        )
    return streamer
