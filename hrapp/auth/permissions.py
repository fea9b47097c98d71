"""Permission checks in two tiers: a route decorator and object-level `can_*` predicates.

Every check of who may see or change which object is a predicate here, and views, templates
(`TEMPLATE_PREDICATES`, registered as template globals) and services call it rather than
comparing ids themselves. An object the user may not see is answered with 404, so that its
existence is not revealed.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from flask import abort, request
from flask_login import current_user

from hrapp.auth.models import Role, User

if TYPE_CHECKING:
    from hrapp.appraisals.models import Appraisal
    from hrapp.jobs.models import Job
    from hrapp.streamers.models import Streamer
    from hrapp.training.models import TrainingRecord

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("hrapp.security")

STAFF = (Role.HR, Role.ADMIN)
TRAINING_STAFF = (Role.TRAINER, Role.HR, Role.ADMIN)


def role_required(*roles: Role) -> Callable[[F], F]:
    """Let in logged-in users holding any of `roles`; others get the login page or 403."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            from hrapp.extensions import login_manager

            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                log.warning("denied %s %s to %s", request.method, request.path, current_user.id)
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def is_staff(user: User) -> bool:
    return user.is_authenticated and user.has_role(*STAFF)


def is_own_streamer(user: User, streamer_id: int) -> bool:
    """The account is the login of that streamer."""
    return user.has_role(Role.STREAMER) and user.streamer_id == streamer_id


def can_view_streamer(user: User, streamer_id: int) -> bool:
    """A streamer's roster page: HR, admin and trainers. A streamer reads their own figures in
    their portal, never on the roster."""
    return user.has_role(*TRAINING_STAFF)


def can_download_sheet(user: User, appraisal: Appraisal) -> bool:
    """HR and admin: any appraisal's sheet, drafts too (watermarked). A streamer: their own,
    once finalized (a draft can still change; a reopened quarter is under review)."""
    if is_staff(user):
        return True
    return appraisal.status == "finalized" and is_own_streamer(user, appraisal.streamer_id)


def can_manage_accounts(user: User) -> bool:
    """The accounts pages (and links to them): administrators."""
    return user.is_authenticated and user.has_role(Role.ADMIN)


def can_reopen_cycle(user: User) -> bool:
    """Only an administrator opens a finalized quarter again."""
    return user.has_role(Role.ADMIN)


def can_view_training(user: User, streamer: Streamer) -> bool:
    """A streamer's training transcript: trainers, HR and admin; the streamer; and their mentor
    (a streamer sees the training of the mentees they look after now)."""
    if user.has_role(*TRAINING_STAFF) or is_own_streamer(user, streamer.id):
        return True
    mentor_id = user.streamer_id if user.has_role(Role.STREAMER) else None
    return mentor_id is not None and streamer.mentor_id == mentor_id


def can_view_job(user: User, job: Job) -> bool:
    """A background job's page and progress: HR and admin, and whoever submitted it."""
    return is_staff(user) or job.created_by_id == user.id


def can_change_training_record(user: User, record: TrainingRecord) -> bool:
    """HR and administrators correct or void any training record; a trainer only their own:
    one that names them as its trainer, or that they logged (for a colleague, say)."""
    if is_staff(user):
        return True
    return user.has_role(Role.TRAINER) and user.id in (record.trainer_id, record.created_by_id)


def can_change_account(actor: User, account: User) -> bool:
    """Administrators change any account; anyone else only an account that holds no role they
    do not hold themselves. The streamer role aside: HR hands it out with a streamer's login.

    Otherwise HR could take over an administrator's account by linking it to a streamer (which
    adds the streamer role) and then resetting that streamer's password.
    """
    if actor.has_role(Role.ADMIN):
        return True
    return account.roles - {Role.STREAMER} <= actor.roles


# What templates may ask (`{% if can_reopen_cycle(current_user) %}`).
TEMPLATE_PREDICATES = (can_reopen_cycle,)


def require(allowed: bool) -> None:
    """Abort with 404 when the object is not the user's to see."""
    if not allowed:
        log.warning(
            "object denied %s %s to %s",
            request.method,
            request.path,
            getattr(current_user, "id", None),
        )
        abort(404)
