"""Roster use cases: create, edit, level, leaving, mentor, accounts, login, search — and audit."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from flask import g
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from hrapp.auth.models import Role
from hrapp.core.audit import AuditEntry
from hrapp.core.errors import ValidationFailed
from hrapp.core.messages import message
from hrapp.extensions import db
from hrapp.streamers import services
from hrapp.streamers.models import PlatformAccount, Streamer
from hrapp.streamers.services import PersonalDetails, RosterFilter
from tests.factories import make_account, make_streamer, make_user
from tests.hrapp.streamers.conftest import TODAY, audit_entries, profile

ID_NUMBER = "11010519491231002X"  # a valid mainland number (check character X)
BANK_ACCOUNT = "6222020200001234567"


def _refusal(call, *args, **kwargs) -> str:
    """The message of a refused call (services check everything before they change anything)."""
    with pytest.raises(ValidationFailed) as caught:
        call(*args, **kwargs)
    return caught.value.message


# --- create and edit ---------------------------------------------------------------------------


def test_create_starts_level_history_and_audits_every_field(app) -> None:
    details = PersonalDetails(
        hr_notes="试用期延长", id_number=ID_NUMBER, bank_account="6222 0202 0000 1234 567"
    )
    streamer = services.create_streamer(profile(employee_no="e2001 "), "senior", details)

    assert streamer.employee_no == "E2001"
    assert streamer.status == "active"
    assert streamer.level == "senior"
    assert streamer.level_since == dt.date(2024, 5, 6)
    assert streamer.bank_account == BANK_ACCOUNT
    [initial] = streamer.level_changes
    assert (initial.from_level, initial.to_level, initial.effective_on) == (
        None,
        "senior",
        dt.date(2024, 5, 6),
    )
    [entry] = audit_entries("streamer.create")
    assert entry.entity_id == str(streamer.id)
    assert entry.changes["employee_no"] == [None, "E2001"]
    assert entry.changes["level"] == [None, "senior"]
    assert entry.changes["id_number"] == [None, "****002X"]
    assert entry.changes["bank_account"] == [None, "****4567"]


def test_full_id_and_bank_numbers_never_reach_the_audit_log(app) -> None:
    streamer = services.create_streamer(
        profile(), "assistant", PersonalDetails(id_number=ID_NUMBER, bank_account=BANK_ACCOUNT)
    )
    services.update_streamer(
        streamer, profile(), PersonalDetails(id_number="", bank_account="6222020200009999888")
    )
    logged = json.dumps([e.changes for e in db.session.scalars(select(AuditEntry))])
    assert ID_NUMBER not in logged
    assert BANK_ACCOUNT not in logged
    assert "6222020200009999888" not in logged
    [update] = audit_entries("streamer.update")
    assert update.changes["id_number"] == ["****002X", None]
    assert update.changes["bank_account"] == ["****4567", "****9888"]


def test_employee_numbers_are_unique_whatever_their_case(app) -> None:
    services.create_streamer(profile(employee_no="E2001"), "assistant")
    message = _refusal(services.create_streamer, profile(employee_no=" e2001"), "assistant")
    assert "E2001" in message and "already used" in message
    assert db.session.scalar(select(func.count()).select_from(Streamer)) == 1


def test_every_problem_is_reported_at_once(app) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.create_streamer(
            profile(employee_no="", legal_name=" ", category="cars", hire_date=None), "boss"
        )
    problems = caught.value.problems
    assert len(problems) == 5
    assert any("employee number is required" in p for p in problems)
    assert any("legal name is required" in p for p in problems)
    assert any("hire date is required" in p for p in problems)
    assert "Unknown category." in problems
    assert "Unknown level." in problems


@pytest.mark.parametrize(
    ("born", "hired", "expected"),
    [
        (dt.date(2008, 5, 7), dt.date(2024, 5, 6), "at least 16 years old on the hire date"),
        (dt.date(2011, 1, 1), dt.date(2026, 8, 1), "at least 16 years old on the hire date"),
        (dt.date(2027, 1, 1), dt.date(2026, 8, 1), "date of birth is in the future"),
        (dt.date(2000, 1, 1), dt.date(1999, 8, 1), "hire date is before the date of birth"),
    ],
)
def test_streamers_must_be_16_on_their_hire_date(app, born, hired, expected) -> None:
    message = _refusal(
        services.create_streamer, profile(date_of_birth=born, hire_date=hired), "assistant"
    )
    assert expected in message


def test_a_future_hire_of_someone_still_15_today_is_refused(app) -> None:
    # 16 by the (future) hire date, but 15 today: nobody under 16 enters the roster.
    message = _refusal(
        services.create_streamer,
        profile(date_of_birth=dt.date(2010, 10, 1), hire_date=dt.date(2026, 10, 1)),
        "assistant",
    )
    assert "15 today" in message


def test_someone_16_on_the_hire_date_itself_is_accepted(app) -> None:
    streamer = services.create_streamer(
        profile(date_of_birth=dt.date(2008, 5, 6), hire_date=dt.date(2024, 5, 6)), "assistant"
    )
    assert streamer.id is not None


def test_update_audits_old_and_new_and_a_repeat_writes_nothing(app) -> None:
    streamer = services.create_streamer(profile(), "assistant")
    changed = services.update_streamer(
        streamer, dataclasses.replace(profile(), team="二组", stage_name="小星")
    )
    assert changed is True
    [entry] = audit_entries("streamer.update")
    assert entry.changes == {"stage_name": ["星星", "小星"], "team": ["一组", "二组"]}

    again = services.update_streamer(
        streamer, dataclasses.replace(profile(), team="二组", stage_name="小星")
    )
    assert again is False
    assert len(audit_entries("streamer.update")) == 1


def test_empty_number_fields_keep_the_stored_numbers_and_notes(app) -> None:
    streamer = services.create_streamer(
        profile(), "assistant", PersonalDetails("注意", ID_NUMBER, BANK_ACCOUNT)
    )
    services.update_streamer(streamer, profile(), PersonalDetails())
    assert (streamer.id_number, streamer.bank_account, streamer.hr_notes) == (
        ID_NUMBER,
        BANK_ACCOUNT,
        "注意",
    )


@pytest.mark.parametrize(
    ("details", "expected"),
    [
        (PersonalDetails(id_number="110105194912310021"), "check digit"),
        (PersonalDetails(id_number="12 34 5$"), "ID number has 4 to 40"),
        (PersonalDetails(bank_account="6222-ABCD"), "8 to 30 digits"),
    ],
)
def test_id_and_bank_numbers_are_checked(app, details, expected) -> None:
    assert expected in _refusal(services.create_streamer, profile(), "assistant", details)


def test_a_corrected_hire_date_moves_the_starting_level(app) -> None:
    streamer = services.create_streamer(profile(hire_date=dt.date(2024, 5, 6)), "assistant")
    services.update_streamer(streamer, profile(hire_date=dt.date(2024, 4, 1)))
    assert streamer.level_since == dt.date(2024, 4, 1)
    assert streamer.level_changes[0].effective_on == dt.date(2024, 4, 1)


def test_the_hire_date_cannot_move_past_a_promotion(app) -> None:
    streamer = services.create_streamer(profile(hire_date=dt.date(2024, 5, 6)), "assistant")
    services.change_level(streamer, "senior", dt.date(2025, 1, 1), "S 级两个季度")
    message = _refusal(services.update_streamer, streamer, profile(hire_date=dt.date(2025, 2, 1)))
    assert "first level change (2025-01-01)" in message


# --- level, leaving, mentor --------------------------------------------------------------------


def test_change_level_writes_history_level_since_and_audit(app) -> None:
    hr = make_user(Role.HR, username="hr_li")
    streamer = services.create_streamer(profile(), "assistant")
    g.actor = hr  # as the CLI does: the audit row and the history name who changed it
    change = services.change_level(streamer, "senior", dt.date(2026, 7, 1), " 连续两季 A ")
    del g.actor

    assert (change.from_level, change.to_level, change.effective_on, change.reason) == (
        "assistant",
        "senior",
        dt.date(2026, 7, 1),
        "连续两季 A",
    )
    assert change.changed_by_id == hr.id
    assert streamer.level == "senior"
    assert streamer.level_since == dt.date(2026, 7, 1)
    assert [c.to_level for c in streamer.level_changes] == ["assistant", "senior"]
    [entry] = audit_entries("streamer.level_change")
    assert entry.actor_name == "hr_li"
    assert entry.summary == message("Reason: %(reason)s", reason="连续两季 A")
    assert entry.changes == {
        "level": ["assistant", "senior"],
        "level_since": ["2024-05-06", "2026-07-01"],
    }


@pytest.mark.parametrize(
    ("level", "effective_on", "reason", "expected"),
    [
        ("assistant", dt.date(2026, 7, 1), "x", "already at this level"),
        ("senior", dt.date(2026, 7, 1), "  ", "give the reason"),
        ("senior", TODAY + dt.timedelta(days=1), "x", "cannot be in the future"),
        ("senior", dt.date(2024, 5, 5), "x", "before the hire date (2024-05-06)"),
        ("chief", dt.date(2026, 7, 1), "x", "Unknown level"),
    ],
)
def test_level_changes_that_make_no_sense_are_refused(
    app, level, effective_on, reason, expected
) -> None:
    streamer = services.create_streamer(profile(), "assistant")
    assert expected in _refusal(services.change_level, streamer, level, effective_on, reason)


def test_a_level_change_cannot_predate_the_last_one(app) -> None:
    streamer = services.create_streamer(profile(), "assistant")
    services.change_level(streamer, "senior", dt.date(2026, 1, 5), "晋升")
    message = _refusal(services.change_level, streamer, "mentor", dt.date(2025, 12, 1), "晋升")
    assert "before the last level change (2026-01-05)" in message


def test_mark_left_and_reactivate(app) -> None:
    streamer = services.create_streamer(profile(), "assistant")
    services.mark_left(streamer, dt.date(2026, 9, 1), "个人原因")
    assert (streamer.status, streamer.left_on, streamer.is_active) == (
        "left",
        dt.date(2026, 9, 1),
        False,
    )
    [left] = audit_entries("streamer.leave")
    assert left.changes == {"left_on": [None, "2026-09-01"], "status": ["active", "left"]}
    assert left.summary == message("Reason: %(reason)s", reason="个人原因")
    assert "has left" in _refusal(
        services.change_level, streamer, "senior", dt.date(2026, 9, 1), "x"
    )

    services.reactivate(streamer)
    assert (streamer.status, streamer.left_on) == ("active", None)
    [back] = audit_entries("streamer.reactivate")
    assert back.changes == {"left_on": ["2026-09-01", None], "status": ["left", "active"]}


@pytest.mark.parametrize(
    ("left_on", "expected"),
    [
        (TODAY + dt.timedelta(days=1), "cannot be in the future"),
        (dt.date(2024, 5, 1), "before the hire date"),
    ],
)
def test_leaving_dates_are_checked(app, left_on, expected) -> None:
    streamer = services.create_streamer(profile(), "assistant")
    assert expected in _refusal(services.mark_left, streamer, left_on)
    assert streamer.status == "active"


def test_leaving_twice_is_refused(app) -> None:
    streamer = services.create_streamer(profile(), "assistant")
    services.mark_left(streamer, TODAY)
    assert "already marked as left" in _refusal(services.mark_left, streamer, TODAY)


def test_mentors_are_active_seniors_or_mentors(app) -> None:
    mentee = make_streamer(level="assistant")
    senior = make_streamer(level="senior", employee_no="E3001")
    mentor = make_streamer(level="mentor")
    assistant = make_streamer(level="assistant")
    gone = make_streamer(level="mentor", status="left", left_on=dt.date(2026, 1, 1))

    assert services.set_mentor(mentee, senior) is True
    [entry] = audit_entries("streamer.mentor")
    assert entry.changes == {"mentor": [None, "E3001"]}
    assert services.set_mentor(mentee, senior) is False  # no change, no audit row
    assert "neither a senior" in _refusal(services.set_mentor, mentee, assistant)
    assert "has left" in _refusal(services.set_mentor, mentee, gone)
    assert "own mentor" in _refusal(services.set_mentor, mentee, mentee)
    services.set_mentor(senior, mentor)
    # mentor → senior → mentee: the mentee cannot become the mentor's mentor in turn.
    assert "mentored by this streamer" in _refusal(services.set_mentor, mentor, senior)
    assert services.mentor_candidates(mentee) == [senior, mentor]
    services.set_mentor(mentee, None)
    assert mentee.mentor is None


def test_changing_mentors_keeps_who_mentored_when(app, monkeypatch) -> None:
    mentee = make_streamer(level="assistant")
    first, second, third = (make_streamer(level="senior") for _ in range(3))

    def on(day: dt.date, mentor) -> None:
        monkeypatch.setattr(services, "org_today", lambda: day)
        services.set_mentor(mentee, mentor)

    on(dt.date(2026, 1, 5), first)
    on(dt.date(2026, 6, 1), second)
    on(dt.date(2026, 6, 1), third)  # second chosen by mistake and replaced the same day
    on(dt.date(2026, 9, 1), None)
    db.session.flush()

    periods = [(m.mentor_id, m.started_on, m.ended_on) for m in mentee.mentorships]
    assert periods == [
        (first.id, dt.date(2026, 1, 5), dt.date(2026, 6, 1)),
        (third.id, dt.date(2026, 6, 1), dt.date(2026, 9, 1)),
    ]
    assert len(audit_entries("streamer.mentor")) == 4


def test_a_mentor_change_can_be_dated_back_but_not_before_what_is_recorded(app) -> None:
    mentee = make_streamer(level="assistant", hire_date=dt.date(2025, 3, 1))
    first, second = make_streamer(level="senior"), make_streamer(level="senior")

    services.set_mentor(mentee, first, since=dt.date(2025, 4, 1))
    assert "hired on 2025-03-01" in _refusal(
        services.set_mentor, mentee, second, since=dt.date(2025, 2, 1)
    )
    assert "began on 2025-04-01" in _refusal(
        services.set_mentor, mentee, second, since=dt.date(2025, 3, 15)
    )
    assert "future" in _refusal(
        services.set_mentor, mentee, second, since=TODAY + dt.timedelta(days=1)
    )
    services.set_mentor(mentee, second, since=dt.date(2025, 9, 1))
    db.session.flush()

    periods = [(m.mentor_id, m.started_on, m.ended_on) for m in mentee.mentorships]
    assert periods == [
        (first.id, dt.date(2025, 4, 1), dt.date(2025, 9, 1)),
        (second.id, dt.date(2025, 9, 1), None),
    ]
    assert audit_entries("streamer.mentor")[-1].summary == message(
        "Effective %(date)s.", date={"date": "2025-09-01"}
    )


# --- platform accounts -------------------------------------------------------------------------


def test_accounts_keep_leading_zeros_and_are_audited(app) -> None:
    streamer = make_streamer(employee_no="E4001")
    account = services.add_account(streamer, "douyin", " 0043921 ", "小红的直播间")
    assert account.account_id == "0043921"
    assert account.streamer is streamer
    [entry] = audit_entries("account.create")
    assert entry.entity_type == "platform_account"
    assert entry.changes == {
        "account_id": [None, "0043921"],
        "nickname": [None, "小红的直播间"],
        "platform": [None, "douyin"],
        "streamer": [None, "E4001"],
    }


def test_an_account_is_unique_per_platform(app) -> None:
    owner = make_streamer(employee_no="E4001", legal_name="张三")
    other = make_streamer()
    services.add_account(owner, "douyin", "0043921")
    message = _refusal(services.add_account, other, "douyin", "0043921")
    assert "belongs to 张三" in message and "E4001" in message
    # The same id on another platform is another account.
    assert services.add_account(other, "kuaishou", "0043921").streamer is other


def test_an_account_known_from_imports_is_linked_not_duplicated(app) -> None:
    known = make_account(None, account_id="0099", nickname="导入的昵称")
    streamer = make_streamer(employee_no="E4002")
    linked = services.add_account(streamer, "douyin", "0099")
    assert linked.id == known.id
    assert linked.nickname == "导入的昵称"  # kept, since none was typed
    assert db.session.scalar(select(func.count()).select_from(PlatformAccount)) == 1
    [entry] = audit_entries("account.link")
    assert entry.changes == {"streamer": [None, "E4002"]}


def test_rename_move_and_unlink_accounts(app) -> None:
    first = make_streamer(employee_no="E4001")
    second = make_streamer(employee_no="E4002")
    account = services.add_account(first, "taobao", "777", "旧名")

    assert services.rename_account(account, "新名") is True
    assert services.rename_account(account, "新名") is False
    services.move_account(account, second)
    services.unlink_account(account)

    assert account.streamer is None
    assert db.session.get(PlatformAccount, account.id) is not None  # sessions still point to it
    assert audit_entries("account.update")[0].changes == {"nickname": ["旧名", "新名"]}
    assert audit_entries("account.move")[0].changes == {"streamer": ["E4001", "E4002"]}
    assert audit_entries("account.unlink")[0].changes == {"streamer": ["E4002", None]}


def test_account_problems(app) -> None:
    streamer = make_streamer()
    left = make_streamer(status="left", left_on=dt.date(2026, 1, 1))
    assert "Unknown platform" in _refusal(services.add_account, streamer, "weibo", "1")
    assert "cannot contain spaces" in _refusal(services.add_account, streamer, "douyin", "1 2")
    assert "has left" in _refusal(services.add_account, left, "douyin", "123")
    account = services.add_account(streamer, "douyin", "123")
    assert "has left" in _refusal(services.move_account, account, left)
    assert "already" in _refusal(services.add_account, streamer, "douyin", "123")


# --- login -------------------------------------------------------------------------------------


def test_create_login_uses_the_employee_number_and_a_generated_password(app) -> None:
    streamer = make_streamer(employee_no="E5001")
    user, password = services.create_login(streamer, "")
    assert user.username == "e5001"
    assert user.roles == {Role.STREAMER}
    assert user.streamer_id == streamer.id
    assert len(password) >= 12
    assert check_password_hash(user.password_hash, password)
    assert password not in json.dumps([e.changes for e in db.session.scalars(select(AuditEntry))])
    assert "already has the login e5001" in _refusal(services.create_login, streamer, "x", "")


def test_a_typed_password_is_checked_and_not_handed_back(app) -> None:
    streamer = make_streamer()
    assert "at least 8" in _refusal(services.create_login, streamer, "zhou", "short")
    user, shown = services.create_login(streamer, "zhou", "Kept-Secret-42")
    assert shown == ""
    assert check_password_hash(user.password_hash, "Kept-Secret-42")


def test_link_login_adds_the_streamer_role_to_an_existing_account(app) -> None:
    streamer = make_streamer()
    trainer = make_user(Role.TRAINER, username="mentor_chen")
    admin = make_user(Role.ADMIN)
    services.link_login(streamer, "mentor_chen", by=admin)
    assert trainer.roles == {Role.TRAINER, Role.STREAMER}
    assert trainer.streamer_id == streamer.id
    other = make_streamer()
    assert "another streamer" in _refusal(services.link_login, other, "mentor_chen", by=admin)
    assert "no account named" in _refusal(services.link_login, streamer, "nobody", by=admin)


def test_link_login_refuses_an_account_holding_a_role_the_actor_does_not_hold(app) -> None:
    make_user(Role.TRAINER, username="mentor_sun")
    hr = make_user(Role.HR)
    refusal = _refusal(services.link_login, make_streamer(), "mentor_sun", by=hr)
    assert "holds a role you do not hold" in refusal


# --- search ------------------------------------------------------------------------------------


def _found(**wanted) -> list[str]:
    query = services.roster_query(RosterFilter(**wanted))
    return [s.employee_no for s in db.session.scalars(query)]


def test_search_and_filters(app) -> None:
    a = make_streamer(employee_no="E6001", legal_name="李若曦", stage_name="若曦酱", team="一组")
    make_streamer(
        employee_no="E6002", level="senior", category="food", team="二组", stage_name="100%"
    )
    make_streamer(employee_no="E6003", status="left", left_on=dt.date(2026, 1, 1))
    make_account(a, account_id="0439563")

    assert _found(text="若曦") == ["E6001"]
    assert _found(text="e600") == ["E6001", "E6002"]
    assert _found(text="0439") == ["E6001"]
    assert _found(text="%") == ["E6002"]  # a LIKE wildcard is searched for literally
    assert _found(level="senior") == ["E6002"]
    assert _found(category="food") == ["E6002"]
    assert _found(team="一组") == ["E6001"]
    assert _found(status="left") == ["E6003"]
    assert _found(status="all") == ["E6001", "E6002", "E6003"]
