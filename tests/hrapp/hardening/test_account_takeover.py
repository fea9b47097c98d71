"""HR changes only accounts that hold no role HR does not hold (the streamer role aside, which
HR hands out with a streamer's login): linking an administrator's or a trainer's account to a
streamer, or resetting its password from a streamer's page, is an administrator's job.

Before, `POST /streamers/<id>/login/link` with `username=admin` gave the administrator the
streamer role and a streamer link, and a password reset of that streamer would then have
handed HR the administrator's password.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from hrapp.auth.models import Role, User, UserRole
from hrapp.core.audit import AuditEntry
from hrapp.extensions import db
from tests.factories import make_streamer, make_user


@pytest.fixture(autouse=True)
def _english(english: None) -> None:
    """The refusal is checked in the English source text."""


def _audit_rows() -> int:
    return int(db.session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def _fresh(user: User) -> User:
    db.session.expire_all()
    fresh = db.session.get(User, user.id)
    assert fresh is not None
    return fresh


@pytest.mark.parametrize(
    ("roles", "shown"),
    [((Role.ADMIN,), "Administrator"), ((Role.TRAINER,), "Trainer")],
    ids=["admin", "trainer"],
)
def test_hr_cannot_link_an_account_holding_a_role_hr_does_not_hold(
    app: Flask, login_as: Callable[[User], FlaskClient], roles: tuple[Role, ...], shown: str
) -> None:
    hr = make_user(Role.HR, username="hr_link")
    target = make_user(*roles, username="target_account")
    streamer = make_streamer()
    db.session.commit()
    before = _audit_rows()

    response = login_as(hr).post(
        f"/streamers/{streamer.id}/login/link", data={"username": "target_account"}
    )

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The account target_account holds a role you do not hold" in page
    assert shown in page
    target = _fresh(target)
    assert target.roles == set(roles)
    assert target.streamer_id is None
    assert _audit_rows() == before


def test_an_administrator_links_a_trainer_who_is_also_a_streamer(
    app: Flask, login_as: Callable[[User], FlaskClient]
) -> None:
    admin = make_user(Role.ADMIN, username="admin_link")
    trainer = make_user(Role.TRAINER, username="teacher_zhao")
    streamer = make_streamer()
    db.session.commit()

    response = login_as(admin).post(
        f"/streamers/{streamer.id}/login/link", data={"username": "teacher_zhao"}
    )

    assert response.status_code == 302
    trainer = _fresh(trainer)
    assert trainer.roles == {Role.TRAINER, Role.STREAMER}
    assert trainer.streamer_id == streamer.id


def test_hr_who_is_also_a_trainer_may_link_a_trainer(
    app: Flask, login_as: Callable[[User], FlaskClient]
) -> None:
    hr_trainer = make_user(Role.HR, Role.TRAINER, username="hr_and_trainer")
    trainer = make_user(Role.TRAINER, username="teacher_qian")
    streamer = make_streamer()
    db.session.commit()

    response = login_as(hr_trainer).post(
        f"/streamers/{streamer.id}/login/link", data={"username": "teacher_qian"}
    )

    assert response.status_code == 302
    assert _fresh(trainer).streamer_id == streamer.id


def test_hr_cannot_reset_the_password_of_an_admin_linked_to_a_streamer(
    app: Flask, login_as: Callable[[User], FlaskClient]
) -> None:
    """An administrator who also streams has a streamer login; HR's reset on that streamer's
    page would hand HR a password to the administrator's account."""
    hr = make_user(Role.HR, username="hr_reset")
    streamer = make_streamer()
    admin = make_user(Role.ADMIN, Role.STREAMER, streamer=streamer, username="admin_streams")
    db.session.commit()
    password_hash, before = admin.password_hash, _audit_rows()

    response = login_as(hr).post(f"/logins/{streamer.id}/reset", follow_redirects=True)

    page = response.get_data(as_text=True)
    assert "The account admin_streams holds a role you do not hold" in page
    admin = _fresh(admin)
    assert admin.password_hash == password_hash
    assert not admin.must_change_password
    assert _audit_rows() == before


def test_hr_still_resets_a_plain_streamer_login(
    app: Flask, login_as: Callable[[User], FlaskClient]
) -> None:
    hr = make_user(Role.HR, username="hr_reset_ok")
    streamer = make_streamer()
    user = make_user(Role.STREAMER, streamer=streamer, username="plain_streamer")
    db.session.commit()

    response = login_as(hr).post(f"/logins/{streamer.id}/reset")

    assert response.status_code == 200
    assert _fresh(user).must_change_password


@pytest.mark.parametrize(
    ("actor", "account", "allowed"),
    [
        ({Role.ADMIN}, {Role.ADMIN}, True),
        ({Role.ADMIN}, {Role.HR, Role.TRAINER}, True),
        ({Role.HR}, {Role.STREAMER}, True),
        ({Role.HR}, set(), True),
        ({Role.HR}, {Role.HR}, True),
        ({Role.HR}, {Role.ADMIN}, False),
        ({Role.HR}, {Role.TRAINER}, False),
        ({Role.HR}, {Role.TRAINER, Role.STREAMER}, False),
        ({Role.HR, Role.TRAINER}, {Role.TRAINER, Role.STREAMER}, True),
        ({Role.TRAINER}, {Role.HR}, False),
    ],
)
def test_who_may_change_which_account(
    app: Flask, actor: set[Role], account: set[Role], allowed: bool
) -> None:
    from hrapp.auth.permissions import can_change_account

    acting, changed = make_user(Role.HR), make_user(Role.HR)
    acting.role_rows = [UserRole(role=role.value) for role in actor]
    changed.role_rows = [UserRole(role=role.value) for role in account]
    assert can_change_account(acting, changed) is allowed
