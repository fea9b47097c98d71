"""Point 9: a streamer sees only their own. Every portal URL naming another streamer's data
answers 404 (never 403); HR-private comments, other streamers' figures and ID/bank numbers
never reach a streamer's pages, JSON or CSV — checked with sentinel strings in every such
field, on every portal endpoint a streamer can open."""

from __future__ import annotations

import datetime as dt

import pytest

from hrapp.appraisals import closing
from hrapp.extensions import db
from tests.factories import make_account
from tests.hrapp.appraisals.helpers import MID_Q3, appraisal_of, broadcast

SENTINELS = {
    "a_hr_notes": "SENTINEL-A-HR-NOTE",
    "a_appraisal_notes": "SENTINEL-A-APPRAISAL-NOTE",
    "a_id_number": "SENTINEL110101199001011234",
    "a_bank": "SENTINEL6222020200112233445",
    "b_legal_name": "SENTINEL乙真名",
    "b_employee_no": "E3002",
    "b_shared_comment": "SENTINEL-B-SHARED",
    "b_appraisal_notes": "SENTINEL-B-APPRAISAL-NOTE",
    "b_adjustment": "SENTINEL-B-ADJUSTMENT",
    "b_id_number": "SENTINEL-B-ID",
    "b_bank": "SENTINEL-B-BANK",
    "b_gmv": "¥987,654.32",
    "b_gmv_csv": "987654.32",
    "cohost_legal_name": "SENTINEL丙真名",
    "cohost_employee_no": "E3777",
}


@pytest.fixture
def world(app, streamer_a, streamer_b, q3, hr, running_sessions):
    """Sentinels in every HR-only and other-streamer field, then everything finalized."""
    from tests.factories import make_streamer

    streamer_a.hr_notes = SENTINELS["a_hr_notes"]
    streamer_a.id_number = SENTINELS["a_id_number"]
    streamer_a.bank_account = SENTINELS["a_bank"]
    streamer_b.legal_name = SENTINELS["b_legal_name"]
    streamer_b.id_number = SENTINELS["b_id_number"]
    streamer_b.bank_account = SENTINELS["b_bank"]
    cohost = make_streamer(
        employee_no="E3777", legal_name=SENTINELS["cohost_legal_name"], stage_name="小丙"
    )
    broadcast(
        running_sessions,
        start=MID_Q3 + dt.timedelta(days=1),
        hosts=[(streamer_a, 5_000), (cohost, 5_000)],
    )
    broadcast(make_account(streamer_b), start=MID_Q3, gmv_fen=98_765_432, refunds_fen=0)
    a, b = appraisal_of(q3, streamer_a), appraisal_of(q3, streamer_b)
    closing.save_comments(a, SENTINELS["a_appraisal_notes"], "ok", a.lock_version, hr)
    closing.save_comments(
        b, SENTINELS["b_appraisal_notes"], SENTINELS["b_shared_comment"], b.lock_version, hr
    )
    closing.add_pay_adjustment(b, 100, SENTINELS["b_adjustment"], b.lock_version, hr)
    closing.finalize_cycle(q3, hr)
    db.session.commit()
    return {"a": appraisal_of(q3, streamer_a), "b": appraisal_of(q3, streamer_b)}


def _streamer_urls(own_id: int) -> list[str]:
    figures = "net_gmv=1000000&watch_seconds=80&net_followers=9000&hours=200"
    return [
        "/me/",
        f"/me/quarters/{own_id}",
        "/me/what-if",
        "/me/what-if?start=projection",
        f"/me/what-if?{figures}",
        f"/me/what-if.json?{figures}",
        "/me/promotion",
        "/me/sessions",
        "/me/sessions?month=all",
        "/me/sessions?month=2026-08",
        "/me/sessions.csv?month=all",
        "/me/sessions.csv",
    ]


def test_no_portal_endpoint_shows_a_sentinel(app, client_a, world) -> None:
    # A dispute thread too: the streamer's own text is theirs to read.
    client_a.post(f"/me/quarters/{world['a'].id}/dispute", data={"text": "mine"})
    leaks = []
    for url in _streamer_urls(world["a"].id):
        answer = client_a.get(url)
        assert answer.status_code == 200, url
        body = answer.data.decode("utf-8-sig")
        leaks += [f"{url}: {name}" for name, value in SENTINELS.items() if value in body]
    assert not leaks, leaks
    assert "小丙" in client_a.get("/me/sessions?month=all").text  # the co-host, by stage name


@pytest.mark.parametrize(
    ("method", "tail"),
    [
        ("GET", ""),
        ("POST", "/acknowledge"),
        ("POST", "/dispute"),
        ("POST", "/reply"),
        ("POST", "/read"),
    ],
)
def test_another_streamers_quarter_is_404_never_403(app, client_a, world, method, tail) -> None:
    for appraisal_id in (world["b"].id, 999_999):
        answer = client_a.open(
            f"/me/quarters/{appraisal_id}{tail}", method=method, data={"text": "x"}
        )
        assert answer.status_code == 404, (appraisal_id, tail)
        assert SENTINELS["b_shared_comment"] not in answer.text


def test_nothing_of_b_changes_through_a(app, client_a, world) -> None:
    client_a.post(f"/me/quarters/{world['b'].id}/dispute", data={"text": "x"})
    client_a.post(f"/me/quarters/{world['b'].id}/acknowledge")
    from hrapp.portal.responses import response_of

    assert response_of(world["b"].id) is None


def test_extra_fields_cannot_point_the_portal_at_someone_else(app, client_a, world) -> None:
    answer = client_a.get(f"/me/sessions.csv?month=all&streamer_id={world['b'].streamer_id}")
    assert SENTINELS["b_gmv_csv"] not in answer.data.decode("utf-8-sig")
    page = client_a.get(f"/me/?streamer_id={world['b'].streamer_id}&appraisal_id={world['b'].id}")
    assert SENTINELS["b_legal_name"] not in page.text


def test_hr_pages_of_the_portal_are_not_a_streamers(app, client_a, world) -> None:
    for url in ("/disputes/", "/logins/bulk"):
        assert client_a.get(url).status_code == 403


def test_a_streamer_login_without_a_streamer_gets_404(app, login_as) -> None:
    from hrapp.auth.models import Role, UserRole
    from tests.factories import make_user

    trainer = make_user(Role.TRAINER, username="trainer_streamer")
    trainer.role_rows.append(UserRole(role="streamer"))
    db.session.commit()
    assert login_as(trainer).get("/me/").status_code == 404
