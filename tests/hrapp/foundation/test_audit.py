"""The audit log: account changes are recorded old → new, and HR can browse and filter them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from hrapp.auth.models import Role, User
from hrapp.core import audit
from hrapp.core.audit import AuditEntry
from hrapp.extensions import db
from tests.conftest import login
from tests.factories import make_user


def _entries(action: str, user: User) -> list[AuditEntry]:
    query = select(AuditEntry).where(
        AuditEntry.action == action, AuditEntry.entity_id == str(user.id)
    )
    return list(db.session.scalars(query.order_by(AuditEntry.id)))


def test_account_changes_are_recorded_with_old_and_new_values(
    app: Flask, login_as: Callable[[User], FlaskClient]
) -> None:
    admin = make_user(Role.ADMIN)
    db.session.commit()
    admin_client = login_as(admin)
    admin_client.post(
        "/accounts/new",
        data={"username": "lin", "roles": ["trainer"], "password": "Quiet-River-Stone-5"},
    )
    lin = db.session.scalars(select(User).where(User.username == "lin")).one()
    admin_client.post(
        f"/accounts/{lin.id}",
        data={"username": "lin", "roles": ["trainer", "hr"], "display_name": "Lin", "active": "y"},
    )
    lin_client = app.test_client()
    login(lin_client, "lin", "Quiet-River-Stone-5")
    lin_client.post("/language/en")
    lin_client.post(
        "/account/password",
        data={
            "current_password": "Quiet-River-Stone-5",
            "new_password": "Bright-Lake-Cloud-6",
            "confirm": "Bright-Lake-Cloud-6",
        },
    )

    (created,) = _entries("user.create", lin)
    assert (created.actor_name, created.entity_id) == (admin.username, str(lin.id))
    assert created.changes["username"] == [None, "lin"]
    assert created.changes["roles"] == [None, ["trainer"]]
    (updated,) = _entries("user.update", lin)
    assert updated.actor_name == admin.username
    assert updated.changes == {
        "display_name": ["", "Lin"],
        "roles": [["trainer"], ["hr", "trainer"]],
    }
    (locale,) = _entries("user.locale", lin)
    assert (locale.actor_name, locale.changes) == ("lin", {"locale": [None, "en"]})
    (password,) = _entries("user.password_change", lin)
    assert password.actor_name == "lin"
    assert "Bright-Lake-Cloud-6" not in f"{password.summary} {password.changes}"
    assert "scrypt" not in f"{password.summary} {password.changes}"


def test_hr_browses_and_filters_the_log(login_as: Callable[[User], FlaskClient]) -> None:
    hr = make_user(Role.HR, username="hr-wang")
    other = make_user(Role.ADMIN, username="admin-zhou")
    # 16:30 UTC on 1 March is 00:30 on 2 March in Shanghai: dates filter by the local day.
    for action, entity, at, actor, tag in [
        ("streamer.update", "streamer", (2026, 3, 1, 16, 30), hr, "S-MAR2"),
        ("streamer.create", "streamer", (2026, 3, 1, 15, 30), other, "S-MAR1"),
        ("training.log", "training_record", (2026, 4, 9, 2, 0), hr, "T-APR9"),
    ]:
        entry = audit.record(action, entity, 1, summary=tag, actor=actor)
        entry.at = dt.datetime(*at, tzinfo=dt.UTC)
    db.session.commit()
    client = login_as(hr)

    def shown(query: str) -> set[str]:
        response = client.get(f"/audit/?{query}")
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        return {tag for tag in ("S-MAR2", "S-MAR1", "T-APR9") if tag in body}

    assert shown("") == {"S-MAR2", "S-MAR1", "T-APR9"}
    assert shown("actor=admin-zhou") == {"S-MAR1"}
    assert shown("action=streamer.") == {"S-MAR2", "S-MAR1"}
    assert shown("entity_type=training_record") == {"T-APR9"}
    assert shown("since=2026-03-02") == {"S-MAR2", "T-APR9"}
    assert shown("until=2026-03-01") == {"S-MAR1"}
    assert shown("since=2026-03-02&until=2026-03-31&action=streamer") == {"S-MAR2"}
    assert shown("since=not-a-date") == {"S-MAR2", "S-MAR1", "T-APR9"}
