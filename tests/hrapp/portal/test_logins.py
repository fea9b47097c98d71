"""Point 8: HR creates logins for many streamers at once and gets the initial passwords once
(a printable list and a CSV); a streamer must change a handed-over password at first login;
HR resets a streamer's password (audited)."""

from __future__ import annotations

import base64
import csv
import io
import re

from sqlalchemy import select

from hrapp.auth.models import User
from hrapp.core.audit import AuditEntry
from hrapp.extensions import db
from tests.factories import make_streamer


def _csv_of(page: str) -> list[list[str]]:
    encoded = re.search(r'href="data:text/csv;charset=utf-8;base64,([^"]+)"', page).group(1)
    text = base64.b64decode(encoded).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_hr_creates_logins_for_every_streamer_without_one(app, hr, login_as, client) -> None:
    make_streamer(employee_no="E4001", legal_name="一号")
    make_streamer(employee_no="E4002", legal_name="二号")
    make_streamer(employee_no="E4003", legal_name="走了", status="left")
    db.session.commit()
    hr_client = login_as(hr)
    assert "E4001" in hr_client.get("/logins/bulk").text

    page = hr_client.post("/logins/bulk", data={"everyone": "y"})

    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    rows = _csv_of(page.text)
    assert rows[0] == ["employee_no", "name", "username", "initial_password"]
    assert [row[0] for row in rows[1:]] == ["E4001", "E4002"]  # not the one who left
    username, password = rows[1][2], rows[1][3]
    assert username == "e4001" and password in page.text and len(password) >= 12
    assert db.session.scalar(select(User).where(User.username == "e4001")).must_change_password
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"user.create", "user.bulk_create"} <= actions
    assert password not in str(list(db.session.scalars(select(AuditEntry.changes))))

    # First login: the password must be changed before anything else.
    landed = client.post("/login", data={"username": username, "password": password})
    assert landed.location.endswith("/me/")
    assert client.get("/me/").location.endswith("/account/password")
    changed = client.post(
        "/account/password",
        data={
            "current_password": password,
            "new_password": "My-own-secret-42",
            "confirm": "My-own-secret-42",
        },
    )
    assert changed.status_code == 302
    assert client.get("/me/").status_code == 200


def test_a_chosen_few_and_nobody_twice(app, hr, login_as) -> None:
    one = make_streamer(employee_no="E4101")
    two = make_streamer(employee_no="E4102")
    db.session.commit()
    hr_client = login_as(hr)

    page = hr_client.post("/logins/bulk", data={"streamer_ids": [str(two.id)]})
    assert [row[0] for row in _csv_of(page.text)[1:]] == ["E4102"]
    again = hr_client.post("/logins/bulk", data={"streamer_ids": [str(two.id)]})
    assert again.status_code == 422  # E4102 has a login now: not a choice any more
    assert one.user is None


def test_hr_resets_a_password_and_the_streamer_must_change_it(app, hr, login_as, user_a) -> None:
    streamer = user_a.streamer
    page = login_as(hr).post(f"/logins/{streamer.id}/reset")

    assert page.status_code == 200
    password = _csv_of(page.text)[1][3]
    db.session.expire_all()
    user = db.session.get(User, user_a.id)
    assert user.must_change_password
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.password_reset"))
    assert entry.entity_id == str(user.id) and password not in str(entry.summary)
    from tests.conftest import login

    fresh = app.test_client()
    login(fresh, "e3001", password)
    assert fresh.get("/me/what-if").location.endswith("/account/password")


def test_a_streamer_cannot_reset_or_create_logins(app, client_a, streamer_b) -> None:
    assert client_a.post(f"/logins/{streamer_b.id}/reset").status_code == 403
    assert client_a.post("/logins/bulk", data={"everyone": "y"}).status_code == 403


def test_the_streamers_login_page_offers_the_reset_and_the_bulk_page(
    app, hr, login_as, user_a, streamer_b
) -> None:
    hr_client = login_as(hr)
    with_login = hr_client.get(f"/streamers/{user_a.streamer_id}/login").text
    without = hr_client.get(f"/streamers/{streamer_b.id}/login").text

    assert f'action="/logins/{user_a.streamer_id}/reset"' in with_login
    assert 'href="/logins/bulk"' in without
