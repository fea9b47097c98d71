"""Points 3, 4 and 5: the overview and charts, the streamer and mentor pages, mentor
assignment, and what each role may see (never pay, GMV or appraisals on training pages)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from hrapp.auth.models import Role
from hrapp.core.audit import AuditEntry
from hrapp.extensions import db
from hrapp.training.models import TrainingRecord
from hrapp.training.services import Attendee, ScoreInput, log_class, log_record
from tests.factories import make_account, make_session, make_streamer, make_user

D = dt.date
SVG = re.compile(r"<svg\b.*?</svg>", re.DOTALL)
# Strings that would mean pay, GMV, appraisal or personal data leaked onto a training page.
PAY_SENTINELS = ("987,654.32", "98765432", "GMV", "commission", "提成", "佣金", "appraisal")
PRIVATE_SENTINELS = ("SENTINEL-HR-NOTE", "110101199001011234", "6222020200112233445")


@pytest.fixture
def team(modules, today):
    """A mentor with two mentees and a stranger; records, a class, a session with GMV."""
    mentor = make_streamer(
        employee_no="E3001", level="senior", team="一组", hr_notes="SENTINEL-HR-NOTE"
    )
    mentee = make_streamer(
        employee_no="E3002",
        team="二组",
        mentor_id=mentor.id,
        id_number="110101199001011234",
        bank_account="6222020200112233445",
    )
    other_mentee = make_streamer(
        employee_no="E3003", team="<script>alert(1)</script>", mentor_id=mentor.id
    )
    stranger = make_streamer(employee_no="E3004", team="一组")
    make_session(make_account(mentee), gmv_fen=98_765_432)
    log_record(
        mentee, modules["PRACTICAL-1"], D(2026, 8, 1), ScoreInput(score=88), notes="SECRET-NOTE"
    )
    log_record(mentee, modules["COMPLIANCE-1"], D(2025, 10, 1), ScoreInput(score=90))
    log_record(stranger, modules["SCRIPT-1"], D(2026, 8, 2), ScoreInput(), notes="STRANGER-NOTE")
    log_class(
        modules["FANS-1"], D(2026, 9, 1), [Attendee(mentee), Attendee(other_mentee)], trainer=None
    )
    users = {
        "mentor_user": make_user(Role.STREAMER, streamer=mentor, username="mentor_user"),
        "mentee_user": make_user(Role.STREAMER, streamer=mentee, username="mentee_user"),
    }
    for user in users.values():
        user.locale = "en"
    db.session.commit()
    return {
        "mentor": mentor,
        "mentee": mentee,
        "other": other_mentee,
        "stranger": stranger,
        **users,
    }


def test_overview_lists_expiring_certifications_and_draws_charts(team, trainer, login_as) -> None:
    response = login_as(trainer).get("/training/")
    page = response.get_data(as_text=True)
    assert "Certifications expiring within 30 days" in page
    assert "E3002" in page and "in 16 days" in page  # COMPLIANCE-1 of 2025-10-01
    charts = SVG.findall(page)
    assert len(charts) == 2
    assert all("<script" not in chart for chart in charts)  # the CSP forbids inline scripts
    assert "Completion per module" in charts[0] and "PRACTICAL-1" in charts[0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in charts[1]  # team names are escaped
    assert "<script>alert(1)" not in page
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_streamer_overview_shows_progress_towards_the_next_step(team, trainer, login_as) -> None:
    page = login_as(trainer).get("/training/streamers?team=二组").get_data(as_text=True)
    assert "E3002" in page and "E3004" not in page
    assert "3 / 6" in page  # PRACTICAL-1, COMPLIANCE-1 and FANS-1 (the class) of six


def test_trainer_pages_never_show_pay_or_personal_data(team, trainer, login_as, modules) -> None:
    client = login_as(trainer)
    record_id = db.session.scalar(
        select(db.Model.metadata.tables["training_records"].c.id).limit(1)
    )
    urls = [
        "/training/",
        "/training/streamers",
        f"/training/streamers/{team['mentee'].id}",
        f"/training/streamers/{team['mentor'].id}",
        f"/training/records/{record_id}",
        "/training/classes",
        "/training/modules",
        "/training/import",
        f"/training/records/new?module={modules['PRACTICAL-1'].id}",
        f"/training/classes/new?module={modules['FANS-1'].id}",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        leaked = [s for s in PAY_SENTINELS + PRIVATE_SENTINELS if s in page]
        assert not leaked, f"{url} shows {leaked}"


def test_a_streamer_sees_only_their_own_training(team, login_as) -> None:
    client = login_as(team["mentee_user"])
    page = client.get("/training/me").get_data(as_text=True)
    assert "PRACTICAL-1" in page and "SECRET-NOTE" in page  # their own notes
    assert "STRANGER-NOTE" not in page and "E3004" not in page
    assert not any(s in page for s in PAY_SENTINELS + PRIVATE_SENTINELS)
    assert client.get("/training/").status_code == 403
    assert client.get(f"/training/streamers/{team['stranger'].id}").status_code == 403
    assert client.get(f"/training/me/mentees/{team['stranger'].id}").status_code == 404


def test_a_mentor_follows_their_mentees_progress(team, login_as) -> None:
    client = login_as(team["mentor_user"])
    own = client.get("/training/me").get_data(as_text=True)
    assert "My mentees" in own and "E3002" in own and "E3003" in own and "E3004" not in own
    response = client.get(f"/training/me/mentees/{team['mentee'].id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "PRACTICAL-1" in page and "Passed" in page
    assert "SECRET-NOTE" not in page  # the trainer's notes stay with the mentee and staff
    assert not any(s in page for s in PAY_SENTINELS + PRIVATE_SENTINELS)
    assert client.get(f"/training/me/mentees/{team['stranger'].id}").status_code == 404


def test_hr_assigns_a_mentor_and_it_is_audited(team, hr, login_as) -> None:
    stranger, mentor = team["stranger"], team["mentor"]
    response = login_as(hr).post(
        f"/training/streamers/{stranger.id}/mentor", data={"mentor_id": str(mentor.id)}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert stranger.mentor_id == mentor.id
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "streamer.mentor"))
    assert (entry.entity_id, entry.changes) == (str(stranger.id), {"mentor": [None, "E3001"]})
    mentor_page = login_as(hr).get(f"/training/streamers/{mentor.id}").get_data(as_text=True)
    assert stranger.employee_no in mentor_page  # listed among the mentees


def test_mentor_assignment_refuses_cycles_and_trainers(team, hr, trainer, login_as) -> None:
    mentor, mentee = team["mentor"], team["mentee"]
    mentee.level = "senior"
    db.session.commit()
    hr_client = login_as(hr)
    hr_client.post(f"/training/streamers/{mentor.id}/mentor", data={"mentor_id": str(mentee.id)})
    db.session.expire_all()
    assert mentor.mentor_id is None
    assert "is mentored by this streamer already" in hr_client.get(
        f"/training/streamers/{mentor.id}"
    ).get_data(as_text=True)
    forbidden = login_as(trainer).post(
        f"/training/streamers/{team['stranger'].id}/mentor", data={"mentor_id": str(mentor.id)}
    )
    assert forbidden.status_code == 403
    db.session.expire_all()
    assert team["stranger"].mentor_id is None


def test_the_streamer_page_counts_mentees_who_passed_practical(team, trainer, login_as) -> None:
    """The scheme's mentee module (PRACTICAL-1 by default), counted as the checklist counts."""
    page = login_as(trainer).get(f"/training/streamers/{team['mentor'].id}").get_data(as_text=True)
    assert "(1 passed Practical assessment)" in page


@pytest.fixture
def hr_with_csrf(app, hr, login_as):
    """A client logged in as HR, then CSRF protection switched on as in production."""
    client = login_as(hr)
    app.config["WTF_CSRF_ENABLED"] = True
    yield client
    app.config["WTF_CSRF_ENABLED"] = False


def test_every_training_form_carries_a_csrf_token(team, hr_with_csrf, modules) -> None:
    client = hr_with_csrf
    record = db.session.scalars(select(TrainingRecord).limit(1)).one()
    record_page = client.get(f"/training/records/{record.id}").get_data(as_text=True)
    pages = [
        record_page,
        client.get(f"/training/classes/new?module={modules['FANS-1'].id}").get_data(as_text=True),
        client.get(f"/training/records/new?module={modules['FANS-1'].id}").get_data(as_text=True),
        client.get(f"/training/streamers/{team['stranger'].id}").get_data(as_text=True),
        client.get(f"/training/modules/{modules['FANS-1'].id}").get_data(as_text=True),
        client.get("/training/import").get_data(as_text=True),
    ]
    for page in pages:
        post_forms = re.findall(r'<form method="post".*?</form>', page, re.DOTALL)
        assert post_forms and all('name="csrf_token"' in form for form in post_forms)
    void_url = f"/training/records/{record.id}/void"
    assert client.post(void_url, data={"reason": "no token"}).status_code == 400
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', record_page).group(1)
    accepted = client.post(void_url, data={"reason": "with a token", "csrf_token": token})
    assert accepted.status_code == 302
