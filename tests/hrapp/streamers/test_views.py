"""Roster pages: HR does each thing; trainers look but cannot change; streamers are kept out."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from hrapp.auth.models import Role, User
from hrapp.extensions import db
from hrapp.streamers.models import LevelChange, PlatformAccount, Streamer
from tests.factories import assign_mentor, make_account, make_streamer, make_user
from tests.hrapp.streamers.conftest import audit_count

ID_NUMBER = "11010519491231002X"
BANK_ACCOUNT = "6222020200001234567"
NOTES = "SENTINEL-HR-NOTE 家庭原因请假"


@pytest.fixture
def star(app) -> Streamer:
    """A streamer with every HR-only detail filled in, and one account."""
    streamer = make_streamer(
        employee_no="E7001",
        legal_name="林晓",
        id_number=ID_NUMBER,
        bank_account=BANK_ACCOUNT,
        hr_notes=NOTES,
        date_of_birth=dt.date(1999, 12, 24),
    )
    make_account(streamer, account_id="0012345", nickname="晓的直播间")
    db.session.commit()
    return streamer


def _new_streamer_form(**overrides: str) -> dict[str, str]:
    data = {
        "employee_no": "E7100",
        "legal_name": "赵敏",
        "stage_name": "敏敏",
        "date_of_birth": "2001-02-03",
        "hire_date": "2025-03-01",
        "level": "assistant",
        "category": "food",
        "team": "三组",
        "persona": "",
        "id_number": "",
        "bank_account": "",
        "hr_notes": "",
    }
    data.update(overrides)
    return data


def _profile_form(streamer: Streamer, **overrides: str) -> dict[str, str]:
    data = {
        "employee_no": streamer.employee_no,
        "legal_name": streamer.legal_name,
        "stage_name": streamer.stage_name,
        "date_of_birth": streamer.date_of_birth.isoformat(),
        "hire_date": streamer.hire_date.isoformat(),
        "category": streamer.category,
        "team": streamer.team,
        "persona": streamer.persona,
        "hr_notes": streamer.hr_notes,
    }
    data.update(overrides)
    return data


# --- HR can do each thing ----------------------------------------------------------------------


def test_hr_creates_a_streamer_and_extra_fields_are_ignored(login_as, hr) -> None:
    form = _new_streamer_form(role="admin", status="left", level_since="2020-01-01", mentor_id="1")
    response = login_as(hr).post("/streamers/new", data=form)

    assert response.status_code == 302
    streamer = db.session.scalar(select(Streamer).where(Streamer.employee_no == "E7100"))
    assert streamer is not None
    assert response.headers["Location"].endswith(f"/streamers/{streamer.id}")
    assert (streamer.status, streamer.level_since, streamer.mentor_id) == (
        "active",
        dt.date(2025, 3, 1),
        None,
    )
    assert db.session.scalar(select(func.count()).select_from(User)) == 1  # no login made
    assert audit_count("streamer.create") == 1


def test_an_under_16_streamer_is_refused_with_a_clear_message(login_as, hr) -> None:
    form = _new_streamer_form(date_of_birth="2010-01-01", hire_date="2025-09-01")
    response = login_as(hr).post("/streamers/new", data=form)
    assert response.status_code == 422
    assert "at least 16 years old on the hire date" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Streamer)) == 0


def test_hr_edits_a_profile_without_the_numbers_travelling_back(login_as, hr, star) -> None:
    client = login_as(hr)
    page = client.get(f"/streamers/{star.id}/edit").get_data(as_text=True)
    assert ID_NUMBER not in page and BANK_ACCOUNT not in page
    assert "****002X" in page and "****4567" in page

    form = _profile_form(star, team="五组", level="mentor", streamer_id="999", status="left")
    response = client.post(f"/streamers/{star.id}/edit", data=form)

    assert response.status_code == 302
    db.session.refresh(star)
    assert (star.team, star.level, star.status) == ("五组", "assistant", "active")
    assert (star.id_number, star.bank_account) == (ID_NUMBER, BANK_ACCOUNT)  # kept


def test_hr_replaces_and_removes_the_numbers(login_as, hr, star) -> None:
    client = login_as(hr)
    form = _profile_form(star, bank_account="6222 0202 0000 7777 888", remove_id_number="y")
    assert client.post(f"/streamers/{star.id}/edit", data=form).status_code == 302
    db.session.refresh(star)
    assert (star.id_number, star.bank_account) == (None, "6222020200007777888")


def test_hr_changes_the_level(login_as, hr, star) -> None:
    response = login_as(hr).post(
        f"/streamers/{star.id}/level",
        data={"level": "senior", "effective_on": "2026-07-01", "reason": "连续两季 A"},
    )
    assert response.status_code == 302
    db.session.refresh(star)
    assert (star.level, star.level_since) == ("senior", dt.date(2026, 7, 1))
    change = db.session.scalar(select(LevelChange).where(LevelChange.from_level == "assistant"))
    assert (change.to_level, change.reason, change.changed_by_id) == ("senior", "连续两季 A", hr.id)
    page = login_as(hr).get(f"/streamers/{star.id}").get_data(as_text=True)
    assert "连续两季 A" in page and "hr_wang" in page


def test_a_refused_change_is_flashed_and_changes_nothing(login_as, hr, star) -> None:
    client = login_as(hr)
    response = client.post(
        f"/streamers/{star.id}/level",
        data={"level": "senior", "effective_on": "2030-01-01", "reason": "x"},
        follow_redirects=True,
    )
    assert "cannot be in the future" in response.get_data(as_text=True)
    db.session.refresh(star)
    assert star.level == "assistant"


def test_hr_marks_a_streamer_as_left_and_back(login_as, hr, star) -> None:
    client = login_as(hr)
    response = client.post(
        f"/streamers/{star.id}/leave", data={"left_on": "2026-09-10", "reason": "合同到期"}
    )
    assert response.status_code == 302
    db.session.refresh(star)
    assert (star.status, star.left_on) == ("left", dt.date(2026, 9, 10))
    assert client.post(f"/streamers/{star.id}/reactivate").status_code == 302
    db.session.refresh(star)
    assert (star.status, star.left_on) == ("active", None)


def test_hr_sets_the_mentor(login_as, hr, star) -> None:
    mentor = make_streamer(level="mentor")
    db.session.commit()
    client = login_as(hr)
    assert f'value="{mentor.id}"' in client.get(f"/streamers/{star.id}").get_data(as_text=True)
    client.post(f"/streamers/{star.id}/mentor", data={"mentor_id": str(mentor.id)})
    db.session.refresh(star)
    assert star.mentor_id == mentor.id
    # Someone not offered (an assistant) is refused by the form itself.
    assistant = make_streamer(level="assistant")
    db.session.commit()
    client.post(f"/streamers/{star.id}/mentor", data={"mentor_id": str(assistant.id)})
    db.session.refresh(star)
    assert star.mentor_id == mentor.id


def test_hr_dates_a_mentor_back_to_when_the_mentoring_began(login_as, hr, star) -> None:
    mentor = make_streamer(level="mentor")
    db.session.commit()

    login_as(hr).post(
        f"/streamers/{star.id}/mentor", data={"mentor_id": str(mentor.id), "since": "2026-03-02"}
    )

    db.session.refresh(star)
    assert [(m.mentor_id, m.started_on) for m in star.mentorships] == [
        (mentor.id, dt.date(2026, 3, 2))
    ]


def test_the_profile_shows_former_mentors_with_their_dates(login_as, hr, star) -> None:
    former = make_streamer(level="mentor", employee_no="E7101")
    current = make_streamer(level="mentor", employee_no="E7102")
    assign_mentor(star, former.id, since=dt.date(2025, 4, 1))
    star.mentorships[-1].ended_on = dt.date(2026, 2, 1)
    assign_mentor(star, current.id, since=dt.date(2026, 2, 1))
    db.session.commit()

    page = login_as(hr).get(f"/streamers/{star.id}").get_data(as_text=True)

    start = page.index("Former mentors")
    former_row = page[start : page.index("</tr>", start)]
    assert "E7101" in former_row and "E7102" not in former_row
    assert "1 Apr 2025 – 1 Feb 2026" in former_row


def test_hr_manages_platform_accounts(login_as, hr, star) -> None:
    other = make_streamer(employee_no="E7002")
    db.session.commit()
    client = login_as(hr)
    base = f"/streamers/{star.id}/accounts"

    client.post(base, data={"platform": "kuaishou", "account_id": "000777", "nickname": "快手号"})
    account = db.session.scalar(
        select(PlatformAccount).where(PlatformAccount.platform == "kuaishou")
    )
    assert (account.account_id, account.streamer_id) == ("000777", star.id)

    client.post(f"{base}/{account.id}/nickname", data={"nickname": "新快手号"})
    client.post(f"{base}/{account.id}/move", data={"employee_no": "e7002"})
    db.session.refresh(account)
    assert (account.nickname, account.streamer_id) == ("新快手号", other.id)

    # Now the account is the other streamer's: asking for it under this one is a 404.
    assert client.post(f"{base}/{account.id}/unlink").status_code == 404
    client.post(f"/streamers/{other.id}/accounts/{account.id}/unlink")
    db.session.refresh(account)
    assert account.streamer_id is None
    assert audit_count("account.") == 4


def test_moving_to_an_unknown_employee_number_says_so(login_as, hr, star) -> None:
    account = star.accounts[0]
    response = login_as(hr).post(
        f"/streamers/{star.id}/accounts/{account.id}/move",
        data={"employee_no": "E0000"},
        follow_redirects=True,
    )
    assert "No streamer has the employee number E0000" in response.get_data(as_text=True)


def test_hr_creates_a_login_and_sees_the_password_once(login_as, hr, star) -> None:
    client = login_as(hr)
    assert 'value="e7001"' in client.get(f"/streamers/{star.id}/login").get_data(as_text=True)
    response = client.post(
        f"/streamers/{star.id}/login/create",
        data={"username": "e7001", "password": "", "roles": "admin", "streamer_id": "1"},
    )
    assert response.status_code == 200
    password = re.search(r"<code data-once>([^<]+)</code>", response.get_data(as_text=True))[1]
    user = db.session.scalar(select(User).where(User.username == "e7001"))
    assert user.roles == {Role.STREAMER} and user.streamer_id == star.id
    assert password not in client.get(f"/streamers/{star.id}").get_data(as_text=True)
    # The streamer can log in with it.
    fresh = client.application.test_client()
    login = fresh.post("/login", data={"username": "e7001", "password": password})
    assert login.status_code == 302


def test_an_administrator_links_an_existing_login(login_as, star) -> None:
    """A trainer's account holds a role HR does not hold: an administrator links it (HR is
    refused, see tests/hrapp/hardening/test_account_takeover.py)."""
    admin = make_user(Role.ADMIN, username="admin_zhang")
    make_user(Role.TRAINER, username="teacher_lin")
    db.session.commit()
    response = login_as(admin).post(
        f"/streamers/{star.id}/login/link", data={"username": "teacher_lin"}
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "teacher_lin"))
    assert user.streamer_id == star.id and user.has_role(Role.STREAMER, Role.TRAINER)


def test_hr_links_an_existing_login_holding_no_other_role(login_as, hr, star) -> None:
    """An account HR may change (a streamer login whose streamer link was removed) is linked
    by HR."""
    spare = make_user(Role.STREAMER, streamer=make_streamer(), username="spare_login")
    spare.streamer_id = None
    db.session.commit()
    response = login_as(hr).post(
        f"/streamers/{star.id}/login/link", data={"username": "spare_login"}
    )
    assert response.status_code == 302
    assert db.session.get(User, spare.id).streamer_id == star.id


# --- who sees what -----------------------------------------------------------------------------


def test_hr_sees_masked_numbers_and_notes(login_as, hr, star) -> None:
    page = login_as(hr).get(f"/streamers/{star.id}").get_data(as_text=True)
    assert NOTES in page
    assert "****002X" in page and "****4567" in page
    assert ID_NUMBER not in page and BANK_ACCOUNT not in page
    assert "0012345" in page


def test_trainers_see_the_roster_but_no_hr_only_details(login_as, trainer, star) -> None:
    client = login_as(trainer)
    listing = client.get("/streamers/").get_data(as_text=True)
    assert "E7001" in listing
    assert "/streamers/new" not in listing
    page = client.get(f"/streamers/{star.id}").get_data(as_text=True)
    assert "林晓" in page and "0012345" in page
    for secret in (NOTES, "002X", "4567", "1999"):
        assert secret not in page
    assert f"/streamers/{star.id}/edit" not in page


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/streamers/new", _new_streamer_form()),
        ("/streamers/{id}/edit", {"team": "x"}),
        ("/streamers/{id}/level", {"level": "senior", "effective_on": "2026-07-01", "reason": "x"}),
        ("/streamers/{id}/leave", {"left_on": "2026-09-01"}),
        ("/streamers/{id}/reactivate", {}),
        ("/streamers/{id}/mentor", {"mentor_id": ""}),
        ("/streamers/{id}/accounts", {"platform": "douyin", "account_id": "1"}),
        ("/streamers/{id}/login/create", {"username": "x"}),
        ("/streamers/{id}/login/link", {"username": "trainer_li"}),
        ("/streamers/import", {}),
        ("/streamers/import/confirm", {}),
    ],
)
def test_trainers_cannot_change_the_roster(login_as, trainer, star, path, data) -> None:
    before = audit_count()
    response = login_as(trainer).post(path.format(id=star.id), data=data)
    assert response.status_code == 403
    assert audit_count() == before


def test_streamers_are_kept_out(login_as, star) -> None:
    own = make_user(Role.STREAMER, streamer=star, username="lin")
    other = make_streamer()
    db.session.commit()
    client = login_as(own)
    assert client.get("/streamers/").status_code == 403
    assert client.get(f"/streamers/{other.id}").status_code == 404
    assert client.get(f"/streamers/{star.id}").status_code == 404  # their portal is their page


# --- the list ----------------------------------------------------------------------------------


def test_the_list_searches_filters_and_pages(login_as, hr) -> None:
    for n in range(30):
        make_streamer(employee_no=f"E8{n:03d}", team="一组" if n % 2 else "二组")
    make_streamer(employee_no="E9999", stage_name="独特艺名", level="mentor", team="三组")
    db.session.commit()
    client = login_as(hr)

    first = client.get("/streamers/").get_data(as_text=True)
    assert "E8000" in first and "E8024" in first and "E8025" not in first
    assert "31 streamers match" in first
    second = client.get("/streamers/?page=2").get_data(as_text=True)
    assert "E8025" in second and "E8000" not in second

    assert "E9999" in client.get("/streamers/?q=独特").get_data(as_text=True)
    mentors = client.get("/streamers/?level=mentor").get_data(as_text=True)
    assert "E9999" in mentors and "E8000" not in mentors
    team = client.get("/streamers/?team=一组&page=1").get_data(as_text=True)
    assert "15 streamers match" in team
    # An unknown filter value is ignored rather than failing.
    assert "31 streamers match" in client.get("/streamers/?level=boss").get_data(as_text=True)


def test_names_and_notes_are_escaped(login_as, hr) -> None:
    evil = '"><img src=x onerror=alert(1)>'
    streamer = make_streamer(legal_name="<script>alert(1)</script>", stage_name=evil, hr_notes=evil)
    db.session.commit()
    client = login_as(hr)
    for page in (client.get("/streamers/"), client.get(f"/streamers/{streamer.id}")):
        html = page.get_data(as_text=True)
        assert "<script>alert(1)" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_detail_page_forms_carry_csrf_tokens(app, login_as, hr, star) -> None:
    client = login_as(hr)
    account = star.accounts[0]
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        page = client.get(f"/streamers/{star.id}").get_data(as_text=True)
        url = f"/streamers/{star.id}/accounts/{account.id}/nickname"
        form = re.search(rf'action="{url}".*?</form>', page, re.S)[0]
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)[1]
        assert client.post(url, data={"nickname": "无令牌"}).status_code == 400
        sent = client.post(url, data={"nickname": "有令牌", "csrf_token": token})
        assert sent.status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    db.session.refresh(account)
    assert account.nickname == "有令牌"
