"""Flask-Login wiring: cookies carry the user id and a token that logout rotates."""

from __future__ import annotations

import functools

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload

from hrapp.auth.models import User
from hrapp.extensions import db, login_manager

USER_WITH_PAGE_NEEDS = (joinedload(User.role_rows), joinedload(User.streamer))


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)


def load_user(cookie_id: str) -> User | None:
    user_id, _, token = cookie_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    found = db.session.execute(_user_statement(), {"user_id": int(user_id)})
    user = found.unique().scalar_one_or_none()
    if user is None or not user.active or user.session_token != token:
        return None
    return user


@functools.cache
def _user_statement() -> Select[tuple[User]]:
    """One statement for what every page reads of the user: the roles (permissions, menu) and
    the linked streamer (the header names a streamer's account by the roster).

    Built once per process: every request runs it, and building a statement with eager loads
    (and its cache key) costs the application more than the database needs to answer it.
    """
    return select(User).options(*USER_WITH_PAGE_NEEDS).where(User.id == bindparam("user_id"))
