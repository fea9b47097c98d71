"""HR's dashboard at the start of a quarter: the quarter to appraise and how far it has come,
the latest imports, accounts no streamer answers for, certifications about to lapse — in a
fixed handful of queries however much data there is."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select

from hrapp.appraisals import services as appraisals
from hrapp.appraisals.runner import run_cycle
from hrapp.auth.models import Role, User
from hrapp.extensions import db
from hrapp.intake.batch_model import ImportBatch
from hrapp.main.dashboard import Quarter, quarter_to_appraise, session_data
from hrapp.streamers.models import PlatformAccount
from hrapp.training.curriculum import ensure_default_curriculum
from hrapp.training.models import Module
from hrapp.training.services import ScoreInput, log_record
from tests.factories import make_account, make_session, make_streamer, make_user

UTC = dt.UTC
# Friday 9 October 2026, noon in Shanghai: the first weeks of Q4, when HR closes Q3.
NOW = dt.datetime(2026, 10, 9, 4, 0, tzinfo=UTC)
LAST_EVENING_OF_Q3 = dt.datetime(2026, 9, 30, 12, 0, tzinfo=UTC)  # 20:00 in Shanghai
MID_SEPTEMBER = dt.datetime(2026, 9, 14, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _english(english: None) -> None:
    """The page is checked for its English texts (the Chinese catalog has its own tests)."""


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def hr_client(login_as: Callable[[User], FlaskClient]) -> FlaskClient:
    hr = make_user(Role.HR, username="hr_chen")
    db.session.commit()
    return login_as(hr)


def _page(client: FlaskClient) -> str:
    response = client.get("/dashboard")
    assert response.status_code == 200
    return response.get_data(as_text=True)


# --- quarters -------------------------------------------------------------------------------


def test_the_quarter_to_appraise_is_the_one_before_today() -> None:
    q3 = quarter_to_appraise(dt.date(2026, 10, 9))
    assert (q3.code, q3.starts_on, q3.ends_on) == (
        "2026Q3",
        dt.date(2026, 7, 1),
        dt.date(2026, 9, 30),
    )
    q4 = quarter_to_appraise(dt.date(2027, 1, 2))
    assert (q4.code, q4.starts_on, q4.ends_on) == (
        "2026Q4",
        dt.date(2026, 10, 1),
        dt.date(2026, 12, 31),
    )
    assert Quarter(2026, 4).next() == Quarter(2027, 1)
    assert Quarter(2027, 1).previous() == Quarter(2026, 4)


def test_sessions_belong_to_the_quarter_they_start_in_in_the_org_zone(app: Flask) -> None:
    account = make_account(make_streamer())
    make_session(account, started_at=dt.datetime(2026, 6, 30, 17, 0, tzinfo=UTC))  # 1 Jul 01:00
    make_session(account, started_at=dt.datetime(2026, 9, 30, 17, 0, tzinfo=UTC))  # 1 Oct 01:00
    db.session.commit()

    data = session_data(Quarter(2026, 3))

    assert data["in_quarter"] == 1
    assert data["latest"] == dt.datetime(2026, 9, 30, 17, 0, tzinfo=UTC)
    assert data["complete"]


# --- the quarter's steps ---------------------------------------------------------------------


def test_a_new_quarter_asks_for_the_missing_sessions_and_the_cycle(hr_client) -> None:
    make_session(make_account(make_streamer()), started_at=MID_SEPTEMBER)
    db.session.commit()

    page = _page(hr_client)

    assert "Appraisal of 2026Q3" in page
    assert "The latest session started on" in page
    assert "import the exports up to 30 Sep 2026" in page
    assert 'action="/appraisals/cycles"' in page
    assert 'name="code" value="2026Q3"' in page
    assert "Create cycle 2026Q3" in page
    assert page.count('class="step step-done"') == 1  # only the accounts: every one is linked


def test_once_the_data_is_in_and_the_cycle_has_run_the_page_says_so(hr_client) -> None:
    streamer = make_streamer(employee_no="E1001")
    make_session(make_account(streamer), started_at=LAST_EVENING_OF_Q3)
    cycle = appraisals.create_cycle("2026Q3")
    db.session.commit()
    run_cycle(cycle)
    db.session.commit()

    page = _page(hr_client)

    assert "Imported up to" in page
    assert re.search(r"1 appraised, ¥[\d,.]+ payable in total", page)  # en: ¥ too
    assert "1 not graded" in page  # 2 hours on air, under the 30 a grade needs
    assert 'href="/appraisals/cycles/2026Q3"' in page
    assert "Create cycle 2026Q3" not in page
    # Data, accounts and the run are done; review and finalize is still to do.
    assert page.count('class="step step-done"') == 3
    assert page.count('class="step step-todo"') == 1


def test_a_finalized_cycle_is_shown_as_done(hr_client) -> None:
    cycle = appraisals.create_cycle("2026Q3")
    cycle.status, cycle.last_run_at = "finalized", NOW
    cycle.finalized_at = NOW
    db.session.commit()

    page = _page(hr_client)

    assert "the appraisals no longer change" in page


# --- what is waiting --------------------------------------------------------------------------


def test_accounts_without_a_streamer_can_be_mapped_from_the_dashboard(hr_client) -> None:
    streamer = make_streamer(employee_no="E2001")
    make_account(streamer, account_id="0011111111")
    orphan = make_account(None, account_id="0022222222", nickname="试播间")
    make_session(orphan, hosts=[(streamer, 10_000)], started_at=MID_SEPTEMBER)
    db.session.commit()

    page = _page(hr_client)
    assert "1 account belongs to no streamer" in page
    assert "0022222222" in page and "0011111111" not in page
    assert 'action="/imports/accounts/map"' in page
    assert 'name="origin" value="dashboard"' in page

    mapped = hr_client.post(
        "/imports/accounts/map",
        data={
            "platform": "douyin",
            "account_id": "0022222222",
            "nickname": "试播间",
            "employee_no": "E2001",
            "next": "/dashboard#accounts",
            "origin": "dashboard",
        },
    )

    assert mapped.status_code == 302
    assert mapped.headers["Location"] == "/dashboard#accounts"
    account = db.session.scalar(
        select(PlatformAccount).where(PlatformAccount.account_id == "0022222222")
    )
    assert account is not None and account.streamer_id == streamer.id
    dashboard = _page(hr_client)
    assert (
        "Account 0022222222 is now linked to E2001; its sessions in future imports will count "
        "for this streamer." in dashboard
    )
    assert "Check the file again" not in dashboard  # that is said after an import's check
    accounts = dashboard.split('id="accounts"')[1]
    assert "0022222222" not in accounts
    assert "Every known account belongs to a streamer." in accounts


def test_the_latest_imports_come_newest_first(hr_client) -> None:
    for n in range(1, 8):
        db.session.add(
            ImportBatch(filename=f"export-{n}.csv", sha256=f"{n:064d}", status="imported")
        )
    db.session.add(ImportBatch(filename="broken.csv", sha256="f" * 64, status="refused"))
    db.session.commit()

    page = _page(hr_client)

    shown = re.findall(r"(export-\d|broken)\.csv", page)
    assert shown == ["broken", "export-7", "export-6", "export-5", "export-4"]
    assert "refused" in page


def test_certifications_about_to_lapse_are_listed(hr_client) -> None:
    ensure_default_curriculum()
    compliance = db.session.scalar(select(Module).where(Module.code == "COMPLIANCE-1"))
    streamer = make_streamer(employee_no="E3001", legal_name="周合规")
    # Valid twelve months: lapses on 20 Oct 2026, eleven days after today.
    log_record(streamer, compliance, dt.date(2025, 10, 20), ScoreInput(score=90))
    db.session.commit()

    page = _page(hr_client)

    section = page[page.index('id="expiring"') :]
    assert "E3001" in section and "COMPLIANCE-1" in section and "20 Oct 2026" in section


# --- cost and navigation ----------------------------------------------------------------------


def _queries(client: FlaskClient) -> int:
    db.session.commit()  # every measure starts alike: a new transaction, the user reloaded
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        _page(client)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def _some_data(first_no: int) -> None:
    for n in range(first_no, first_no + 3):
        streamer = make_streamer(employee_no=f"E{n}")
        for day in range(4):
            make_session(make_account(streamer), started_at=MID_SEPTEMBER + dt.timedelta(days=day))
        make_session(make_account(None), hosts=[(streamer, 10_000)], started_at=MID_SEPTEMBER)
        db.session.add(ImportBatch(filename=f"file-{n}.csv", sha256=f"{n:064d}"))
    db.session.commit()


def test_the_page_costs_the_same_few_queries_however_much_data(hr_client) -> None:
    ensure_default_curriculum()
    _some_data(5000)
    _page(hr_client)  # warm up: the first request loads what later ones reuse
    small = _queries(hr_client)
    _some_data(6000)
    _some_data(7000)

    assert _queries(hr_client) == small
    assert small <= 20


def test_the_menu_leads_to_the_dashboard_and_marks_the_current_page(hr_client, login_as) -> None:
    page = _page(hr_client)
    assert '<a href="/dashboard" class="active" aria-current="page">Overview</a>' in page

    trainer = make_user(Role.TRAINER)
    db.session.commit()
    training = login_as(trainer).get("/training/").get_data(as_text=True)
    assert 'href="/dashboard"' not in training
    assert '<a href="/training/" class="active" aria-current="page">Training</a>' in training
