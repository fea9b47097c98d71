"""`hrapp demo load`: a realistic, consistent demo agency, loaded once, with logins that work."""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections import Counter, defaultdict
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import func, select

from hrapp import create_app
from hrapp.appraisals.models import Appraisal, AppraisalCycle, AppraisalRevision
from hrapp.auth.models import Role, User
from hrapp.auth.services import password_problems
from hrapp.core.audit import AuditEntry
from hrapp.demo import data, generator
from hrapp.demo.generator import build_demo_set, demo_quarters
from hrapp.extensions import db
from hrapp.intake.batch_model import ImportBatch
from hrapp.live_sessions.care import long_weeks
from hrapp.live_sessions.models import LiveSession, SessionHost
from hrapp.streamers.models import LevelChange, PlatformAccount, Streamer
from hrapp.training.curriculum import DEFAULT_CURRICULUM
from hrapp.training.models import Module, TrainingRecord
from tests.conftest import login

TODAY = dt.date(2026, 10, 1)
ZONE = ZoneInfo("Asia/Shanghai")
PASSWORD = "Demo-Password-42"
SMALL = "8"  # streamers in the tests that do not need the whole agency: all levels and categories
LOGIN_LINE = re.compile(r"^\s+(\S+)\s+(admin|hr|trainer|streamer)\s+(\S+)$", re.MULTILINE)


def load(app: Flask, *options: str) -> dict[str, tuple[str, str]]:
    """Run the command; the printed logins as {username: (role, password)}."""
    result = app.test_cli_runner().invoke(
        args=["demo", "load", "--today", TODAY.isoformat(), *options]
    )
    assert result.exit_code == 0, result.output
    return {user: (role, pw) for user, role, pw in LOGIN_LINE.findall(result.output)}


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=ZONE)


def count(model: type) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def all_sessions() -> list[LiveSession]:
    return list(db.session.scalars(select(LiveSession)))


def test_default_agency_has_every_level_and_category_and_a_login_per_streamer(app: Flask) -> None:
    logins = load(app, "--password", PASSWORD)

    streamers = list(db.session.scalars(select(Streamer).order_by(Streamer.employee_no)))
    assert len(streamers) == data.DEFAULT_STREAMERS >= 40
    assert {s.level for s in streamers} == {"assistant", "senior", "mentor"}
    assert {s.category for s in streamers} == {"beauty", "appliance", "food", "home"}
    assert len({s.team for s in streamers}) >= 3
    assert len({s.legal_name for s in streamers}) == len(streamers)
    assert all(re.fullmatch(r"[\u4e00-\u9fff]{2,4}", s.legal_name) for s in streamers)
    assert all(s.stage_name for s in streamers)
    assert logins["admin"] == ("admin", PASSWORD)
    assert logins["hr"] == ("hr", PASSWORD)
    assert logins["trainer"] == ("trainer", PASSWORD)
    for streamer in streamers:
        assert logins[streamer.employee_no.lower()] == ("streamer", PASSWORD)
        assert streamer.user is not None
        assert streamer.user.username == streamer.employee_no.lower()
        assert streamer.user.roles == {Role.STREAMER}
    assert len(logins) == len(streamers) + 3
    assert 10_000 <= count(LiveSession) <= 20_000  # a year of 3–6 sessions a week each


def test_people_are_adults_with_a_level_history_and_mentors(app: Flask) -> None:
    load(app, "--password", PASSWORD, "--streamers", SMALL)

    streamers = list(db.session.scalars(select(Streamer)))
    for s in streamers:
        assert s.date_of_birth is not None and s.hire_date is not None
        assert s.date_of_birth.replace(year=s.date_of_birth.year + 18) <= s.hire_date < TODAY
        history = s.level_changes
        assert history[0].from_level is None and history[0].to_level == "assistant"
        assert history[0].effective_on == s.hire_date
        assert history[-1].to_level == s.level and history[-1].effective_on == s.level_since
        assert [h.effective_on for h in history] == sorted(h.effective_on for h in history)
    mentored = [s for s in streamers if s.mentor is not None]
    assert mentored
    assert all(s.level == "assistant" and s.mentor.level == "mentor" for s in mentored)
    assert count(LevelChange) > len(streamers)


def test_each_streamer_has_one_douyin_room_and_a_few_have_a_second(app: Flask) -> None:
    load(app, "--password", PASSWORD, "--streamers", "14")  # the 6th and 14th have a second

    accounts = list(db.session.scalars(select(PlatformAccount)))
    per_streamer = Counter((a.streamer_id, a.platform) for a in accounts)
    assert all(n == 1 for n in per_streamer.values())
    douyin = [a for a in accounts if a.platform == "douyin"]
    assert len(douyin) == count(Streamer)
    assert all(a.account_id.isdigit() for a in douyin)
    assert any(a.account_id.startswith("0") for a in douyin)
    others = {a.platform for a in accounts} - {"douyin"}
    assert others == {"taobao", "tiktok"}


def test_a_year_of_sessions_ending_on_the_last_full_day(app: Flask) -> None:
    load(app, "--password", PASSWORD, "--streamers", SMALL)
    sessions = all_sessions()

    assert min(s.started_at for s in sessions) >= local_midnight(TODAY - dt.timedelta(days=365))
    assert max(s.ended_at for s in sessions) <= local_midnight(TODAY)
    last_day = TODAY - dt.timedelta(days=1)
    assert any(s.started_at.astimezone(ZONE).date() == last_day for s in sessions)
    assert all(s.on_air_seconds == (s.ended_at - s.started_at).total_seconds() for s in sessions)


def test_sessions_are_mostly_prime_time_of_two_to_five_hours(app: Flask) -> None:
    load(app, "--password", PASSWORD, "--streamers", SMALL)
    sessions = all_sessions()

    start_hours = Counter(s.started_at.astimezone(ZONE).hour for s in sessions)
    assert (start_hours[19] + start_hours[20]) / len(sessions) > 0.6
    assert sum(start_hours[h] for h in (13, 14, 15)) > 0
    crossing = [
        s
        for s in sessions
        if s.ended_at.astimezone(ZONE).date() > s.started_at.astimezone(ZONE).date()
    ]
    assert 0 < len(crossing) < 0.1 * len(sessions)
    hours = [s.on_air_seconds / 3600 for s in sessions]
    marathons = [h for h in hours if h > 8]
    assert 0 < len(marathons) < 0.01 * len(sessions)
    assert all(2 <= h <= 5 + 1 / 60 for h in hours if h <= 8)


def test_one_senior_streams_a_double_eleven_sprint_week_over_44_hours(app: Flask) -> None:
    load(app, "--password", PASSWORD, "--streamers", SMALL)
    weeks = long_weeks(TODAY - dt.timedelta(days=365), TODAY)

    (week,) = weeks
    assert week.monday.weekday() == 0 and week.sunday < dt.date(week.monday.year, 11, 11)
    assert week.sunday + dt.timedelta(days=7) >= dt.date(week.monday.year, 11, 11)
    assert week.sessions == 6 and week.on_air_seconds > 48 * 3600
    assert db.session.get(Streamer, week.streamer_id).level in ("senior", "mentor")


def test_three_to_six_sessions_in_every_full_week_except_on_sick_leave(app: Flask) -> None:
    load(app, "--password", PASSWORD, "--streamers", SMALL)
    owner = dict(db.session.execute(select(PlatformAccount.id, PlatformAccount.streamer_id)).all())
    weeks: dict[tuple[int, dt.date], int] = Counter()
    own = select(LiveSession).join(ImportBatch, ImportBatch.id == LiveSession.import_batch_id)
    for s in db.session.scalars(own.where(ImportBatch.filename == "demo data")):  # not the late
        day = s.started_at.astimezone(ZONE).date()
        weeks[owner[s.platform_account_id], day - dt.timedelta(days=day.weekday())] += 1
    leave = {s.employee_no: s.leave for s in build_demo_set(TODAY, ZONE, 8).streamers}
    assert sum(1 for days in leave.values() if days) == 2

    last_day = TODAY - dt.timedelta(days=1)
    last_monday = last_day - dt.timedelta(days=last_day.weekday())  # may be cut short
    for streamer in db.session.scalars(select(Streamer)):
        first = max(TODAY - dt.timedelta(days=365), streamer.hire_date + dt.timedelta(days=7))
        monday = first + dt.timedelta(days=(7 - first.weekday()) % 7)  # first full week
        off = leave[streamer.employee_no]
        while monday < last_monday:
            sunday = monday + dt.timedelta(days=6)
            if off and off[0] <= sunday and monday <= off[1]:
                if off[0] <= monday and sunday <= off[1]:
                    assert weeks[streamer.id, monday] == 0, (streamer.employee_no, monday)
            else:
                assert 3 <= weeks[streamer.id, monday] <= 6, (streamer.employee_no, monday)
            monday += dt.timedelta(days=7)


def test_session_figures_are_plausible(app: Flask) -> None:
    load(app, "--password", PASSWORD, "--streamers", SMALL)

    for s in all_sessions():
        assert s.ended_at > s.started_at
        assert 0 < s.buyers <= s.viewers <= s.views
        assert s.orders >= s.buyers
        assert 0 <= s.refunds_fen <= s.gmv_fen
        assert s.refunds_1h_fen <= s.refunds_fen
        assert s.buyer_paid_fen <= s.gmv_fen
        assert s.platform_net_fen == s.gmv_fen - s.refunds_1h_fen
        assert s.peak_online >= s.avg_online > 0
        assert s.refund_orders <= s.orders <= s.items_sold
        assert 0 <= s.unfollows <= s.new_followers <= s.viewers
        assert s.avg_watch_seconds > 0


def test_seniors_sell_far_more_per_hour_than_assistants(app: Flask) -> None:
    load(app, "--password", PASSWORD, "--streamers", SMALL)
    level = dict(db.session.execute(select(Streamer.id, Streamer.level)).all())
    rows = db.session.execute(
        select(SessionHost.streamer_id, LiveSession.gmv_fen, LiveSession.on_air_seconds)
        .join(LiveSession, LiveSession.id == SessionHost.session_id)
        .where(SessionHost.share_bp == 10_000)
    )
    per_hour: dict[str, list[float]] = defaultdict(list)
    for streamer_id, gmv_fen, seconds in rows:
        per_hour[level[streamer_id]].append(gmv_fen / seconds)

    assert statistics.median(per_hour["senior"]) > 3 * statistics.median(per_hour["assistant"])
    assert statistics.median(per_hour["mentor"]) > 2 * statistics.median(per_hour["assistant"])


def test_co_hosted_sessions_split_the_whole_share(app: Flask) -> None:
    load(app, "--password", PASSWORD, "--streamers", SMALL)

    shares = db.session.execute(
        select(SessionHost.session_id, func.count(), func.sum(SessionHost.share_bp)).group_by(
            SessionHost.session_id
        )
    ).all()
    assert len(shares) == count(LiveSession)
    assert all(total == 10_000 for _, _, total in shares)
    co_hosted = [hosts for _, hosts, _ in shares if hosts == 2]
    assert 0 < len(co_hosted) < 100


def test_training_records_for_the_default_curriculum(app: Flask) -> None:
    load(app, "--password", PASSWORD, "--streamers", SMALL)

    modules = {m.id: m for m in db.session.scalars(select(Module))}
    default_codes = {m["code"] for m in DEFAULT_CURRICULUM}
    assert {m.code for m in modules.values()} == default_codes
    records = list(db.session.scalars(select(TrainingRecord)))
    assert {modules[r.module_id].code for r in records} == default_codes
    assert {r.trainer_name for r in records} == {"李老师", "王老师"}
    trainer = db.session.scalar(select(User).where(User.username == "trainer"))
    assert all((r.trainer_id == trainer.id) == (r.trainer_name == "李老师") for r in records)
    for r in records:
        module = modules[r.module_id]
        assert r.passed == (module.pass_mark is None or r.score >= module.pass_mark)
        assert r.completed_on < TODAY
        if module.rubric:  # the dimensions (0–10 each) make up the score
            assert set(r.rubric_scores) == {d["key"] for d in module.rubric}
            assert all(0 <= v <= 10 for v in r.rubric_scores.values())
            assert r.score == pytest.approx(sum(r.rubric_scores.values()) * 10 / len(module.rubric))
    assert any(not r.passed for r in records)  # some fail, and retake later
    assert any(r.notes == "补考" and r.passed for r in records)
    practical = next(m.id for m in modules.values() if m.code == "PRACTICAL-1")
    for senior in db.session.scalars(select(Streamer).where(Streamer.level != "assistant")):
        assert any(
            r.streamer_id == senior.id and r.module_id == practical and r.passed for r in records
        )


def test_sessions_come_from_the_demo_batch_and_a_late_export(app: Flask) -> None:
    load(app, "--password", PASSWORD, "--streamers", SMALL)
    demo = build_demo_set(TODAY, ZONE, 8)

    batch, late = db.session.scalars(select(ImportBatch).order_by(ImportBatch.id))
    assert batch.filename == "demo data" and batch.status == "imported"
    assert batch.inserted == batch.total_rows == len(demo.sessions)
    # HR imported the late export of 2026Q2 through the session import, after finalizing it.
    assert late.filename == "抖音直播明细_2026Q2_补充导出.csv" and late.status == "imported"
    assert late.inserted == len(demo.late_sessions) > 0
    assert late.updated == len(demo.grown_refunds) > 0
    hr = db.session.scalar(select(User).where(User.username == "hr"))
    assert late.rejected == 0 and late.created_by_id == hr.id
    assert count(LiveSession) == batch.inserted + late.inserted
    batch_ids = Counter(db.session.scalars(select(LiveSession.import_batch_id)))
    assert batch_ids == {batch.id: batch.inserted, late.id: late.inserted}
    audits = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "demo.load")))
    assert len(audits) == 1
    assert audits[0].summary["id"].startswith("Demo agency loaded: %(streamers)d streamers")


def test_loading_again_adds_nothing_and_prints_passwords_that_work(app: Flask) -> None:
    load(app, "--password", PASSWORD, "--streamers", SMALL)
    models = (Streamer, PlatformAccount, LevelChange, LiveSession, SessionHost)
    models += (TrainingRecord, Module, ImportBatch, User, AppraisalCycle, Appraisal)
    before = {m.__name__: count(m) for m in models}

    logins = load(app, "--streamers", SMALL)  # no --password: new random ones

    assert {m.__name__: count(m) for m in models} == before
    assert len(logins) == int(SMALL) + 3
    staff_passwords = {logins[u][1] for u in ("admin", "hr", "trainer")}
    assert len(staff_passwords) == 3 and PASSWORD not in staff_passwords
    for username in ("hr", "trainer", "e1001", "e1008"):
        client = app.test_client()
        login(client, username, logins[username][1])
    old = app.test_client().post("/login", data={"username": "e1002", "password": PASSWORD})
    assert old.status_code == 200  # refused: the old password no longer works


def test_a_weak_password_is_refused_and_nothing_is_written(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["demo", "load", "--today", TODAY.isoformat(), "--password", "short"]
    )

    assert result.exit_code != 0
    assert password_problems("short")[0] in result.output
    assert count(Streamer) == count(User) == count(LiveSession) == 0


def test_a_database_without_the_schema_gets_advice(tmp_path: Path) -> None:
    empty = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'empty.sqlite'}")

    result = empty.test_cli_runner().invoke(args=["demo", "load", "--password", PASSWORD])

    assert result.exit_code == 1
    assert "no such table" in result.output
    assert "hrapp db upgrade" in result.output


def test_the_same_inputs_give_the_same_agency() -> None:
    first = build_demo_set(TODAY, ZONE, 8)
    again = build_demo_set(TODAY, ZONE, 8)

    assert first.streamers == again.streamers
    assert first.sessions == again.sessions
    assert first.training == again.training
    assert first.promotions == again.promotions
    assert first.late_sessions == again.late_sessions
    assert first.grown_refunds == again.grown_refunds


def appraisals_of(code: str) -> list[Appraisal]:
    return list(
        db.session.scalars(
            select(Appraisal)
            .join(AppraisalCycle, AppraisalCycle.id == Appraisal.cycle_id)
            .where(AppraisalCycle.code == code)
        )
    )


def streamer_no(employee_no: str) -> Streamer:
    return db.session.scalars(select(Streamer).where(Streamer.employee_no == employee_no)).one()


def test_the_four_full_quarters_before_today() -> None:
    codes = ["2025Q4", "2026Q1", "2026Q2", "2026Q3"]
    assert [q.code for q in demo_quarters(dt.date(2026, 10, 1))] == codes
    assert [q.code for q in demo_quarters(dt.date(2026, 12, 6))] == codes
    assert [q.code for q in demo_quarters(dt.date(2026, 1, 1))] == [
        "2025Q1",
        "2025Q2",
        "2025Q3",
        "2025Q4",
    ]
    q3 = demo_quarters(dt.date(2026, 12, 6))[-1]
    assert (q3.first, q3.last) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))


def test_sessions_cover_the_four_quarters_when_today_is_late_in_a_quarter() -> None:
    today = dt.date(2026, 12, 6)  # a year back is 2025-12-06: 2025Q4 would be cut short
    demo = build_demo_set(today, ZONE, 8)

    days = [s.values["started_at"].astimezone(ZONE).date() for s in demo.sessions]
    assert min(days) == dt.date(2025, 10, 1) == demo.first_day
    assert max(days) <= today - dt.timedelta(days=1)
    assert all(s.values["started_at"].microsecond == 0 for s in demo.sessions)


def test_the_last_four_quarters_are_appraised_the_newest_left_open(app: Flask) -> None:
    load(app, "--password", PASSWORD, "--streamers", SMALL)

    cycles = list(db.session.scalars(select(AppraisalCycle).order_by(AppraisalCycle.starts_on)))
    assert [(c.code, c.status) for c in cycles] == [
        ("2025Q4", "finalized"),
        ("2026Q1", "finalized"),
        ("2026Q2", "finalized"),
        ("2026Q3", "open"),  # TODAY is 2026-10-01
    ]
    assert (cycles[-1].starts_on, cycles[-1].ends_on) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    hr = db.session.scalar(select(User).where(User.username == "hr"))
    for cycle in cycles[:3]:
        assert cycle.finalized_by_id == hr.id
        appraisals = appraisals_of(cycle.code)
        assert appraisals and all(a.status == "finalized" for a in appraisals)
        revisions = db.session.scalars(
            select(AppraisalRevision.appraisal_id).where(
                AppraisalRevision.appraisal_id.in_([a.id for a in appraisals])
            )
        ).all()
        assert sorted(revisions) == sorted(a.id for a in appraisals)  # revision 1 each
    appraised = [a.streamer_id for a in appraisals_of("2026Q3")]
    assert sorted(appraised) == sorted(db.session.scalars(select(Streamer.id)).all())
    assert all(a.status == "draft" for a in appraisals_of("2026Q3"))
    # The one on sick leave in each of 2026Q1 and 2026Q3 has too few hours to be graded.
    for code in ("2026Q1", "2026Q3"):
        assert any(a.not_graded and a.grade is None for a in appraisals_of(code))
    # Only 2026Q2 got data after finalizing, which 2026Q3's run settled.
    assert [c.stale_since is not None for c in cycles] == [False, False, True, False]


def test_late_data_leaves_the_finalized_quarter_alone_and_is_settled_in_the_open_one(
    app: Flask,
) -> None:
    load(app, "--password", PASSWORD, "--streamers", SMALL)
    demo = build_demo_set(TODAY, ZONE, 8)
    topped_up = {demo.streamers[s.streamer].employee_no for s in demo.late_sessions}
    refunded = {
        demo.streamers[demo.sessions[g.session].streamer].employee_no for g in demo.grown_refunds
    }
    assert topped_up and refunded and not topped_up & refunded

    q2 = {a.streamer.employee_no: a for a in appraisals_of("2026Q2")}
    for appraisal in q2.values():  # exactly as finalized: revision 1 holds the same figures
        [kept] = db.session.scalars(
            select(AppraisalRevision.snapshot).where(AppraisalRevision.appraisal_id == appraisal.id)
        )
        assert (kept["sessions"], kept["net_gmv_fen"], kept["payable_fen"]) == (
            appraisal.sessions,
            appraisal.net_gmv_fen,
            appraisal.payable_fen,
        )
    lines = {
        a.streamer.employee_no: [x for x in a.adjustments if x.kind == "settlement"]
        for a in appraisals_of("2026Q3")
    }
    settled = {number: found for number, found in lines.items() if found}
    assert set(settled) == topped_up | refunded
    for number, [line] in settled.items():
        assert line.source_cycle_id == q2[number].cycle_id
        params = line.reason_params
        assert params["quarter"] == "2026Q2" and line.reason
        assert params["paid_fen"] == q2[number].payable_fen
        if number in topped_up:  # sessions that were missing: a top-up (补发)
            assert line.amount_fen > 0
            old, new = params["moved"]["sessions"]
            assert (old, new) == (q2[number].sessions, new) and new > old
        else:  # returns that came in after finalizing: a clawback (追回)
            assert line.amount_fen < 0
            old, new = params["moved"]["refunds_fen"]
            assert old == q2[number].refunds_fen and new > old
    # The payable of 2026Q3 includes the line.
    for appraisal in appraisals_of("2026Q3"):
        total = sum(x.amount_fen for x in appraisal.adjustments)
        assert appraisal.adjustment_fen == total
        assert appraisal.payable_fen == (appraisal.commission_fen or 0) + total


def test_hr_adjusted_and_commented_the_open_quarter(app: Flask) -> None:
    load(app, "--password", PASSWORD, "--streamers", SMALL)

    q3 = appraisals_of("2026Q3")
    pay = [(a, x) for a in q3 for x in a.adjustments if x.kind == "pay"]
    assert sorted(x.amount_fen for _, x in pay) == [-20_000, 80_000]
    graded = sorted((a.score for a in q3 if not a.not_graded), reverse=True)
    by_amount = {x.amount_fen: a for a, x in pay}
    assert by_amount[80_000].score == graded[0] and by_amount[-20_000].score == graded[-1]
    hr = db.session.scalar(select(User).where(User.username == "hr"))
    assert all(x.reason and x.created_by_id == hr.id for _, x in pay)
    commented = [a for a in q3 if a.shared_comment]
    assert {a.id for a, _ in pay} <= {a.id for a in commented}
    assert any(a.not_graded for a in commented)  # the one on sick leave is told why
    actions = Counter(
        db.session.scalars(select(AuditEntry.action).where(AuditEntry.actor_id == hr.id))
    )
    assert actions["appraisal.adjust"] == 2
    assert actions["appraisal.comments"] == len(commented)
    assert actions["cycle.finalize"] == 3


def test_promotions_confirmed_after_the_quarter_that_earned_them(app: Flask) -> None:
    load(app, "--password", PASSWORD, "--streamers", "14")
    demo = build_demo_set(TODAY, ZONE, 14)
    assert len(demo.promotions) == 2

    confirmed = list(
        db.session.scalars(select(AuditEntry).where(AuditEntry.action == "promotion.confirm"))
    )
    assert len(confirmed) == 2
    for plan in demo.promotions:
        streamer = streamer_no(demo.streamers[plan.streamer].employee_no)
        change = streamer.level_changes[-1]
        assert (change.from_level, change.to_level) == ("assistant", "senior")
        assert change.effective_on == plan.effective_on
        assert (streamer.level, streamer.level_since) == ("senior", plan.effective_on)
        [earned] = [a for a in appraisals_of(plan.earned_in) if a.streamer_id == streamer.id]
        assert earned.promotion_eligible and earned.grade in ("S", "A")
    first, inside = sorted(demo.promotions, key=lambda p: p.effective_on)
    # Earned in 2026Q1: senior from the first day of the next quarter, all of 2026Q2.
    assert (first.earned_in, first.effective_on) == ("2026Q1", dt.date(2026, 4, 1))
    promoted = streamer_no(demo.streamers[first.streamer].employee_no)
    [q2] = [a for a in appraisals_of("2026Q2") if a.streamer_id == promoted.id]
    assert q2.level == "senior"
    # Earned in 2026Q2, dated by HR inside 2026Q3: that quarter blends the two levels.
    assert (inside.earned_in, inside.effective_on) == ("2026Q2", dt.date(2026, 8, 16))
    blended = streamer_no(demo.streamers[inside.streamer].employee_no)
    [q3] = [a for a in appraisals_of("2026Q3") if a.streamer_id == blended.id]
    assert q3.level == "senior"
    assert q3.explanation["level_segments"] == [
        {"level": "assistant", "from": "2026-07-01", "to": "2026-08-15", "days": 46},
        {"level": "senior", "from": "2026-08-16", "to": "2026-09-30", "days": 46},
    ]
    assert q3.shared_comment


def test_grades_spread_the_way_a_real_agency_s_do(app: Flask) -> None:
    load(app, "--password", PASSWORD)

    every_grade = 0
    for code in ("2025Q4", "2026Q1", "2026Q2", "2026Q3"):
        grades = Counter(a.grade for a in appraisals_of(code))
        graded = sum(n for grade, n in grades.items() if grade is not None)
        assert graded >= 35, (code, grades)
        assert (grades["A"] + grades["B"]) / graded >= 0.5, (code, grades)  # most
        assert 0 < grades["S"] / graded <= 0.15, (code, grades)  # few
        assert grades["D"] / graded <= 0.15, (code, grades)
        assert grades["B"] > grades["C"] > 0, (code, grades)
        every_grade += all(grades[g] >= 1 for g in "SABCD")
    assert every_grade >= 3
    open_quarter = Counter(a.grade for a in appraisals_of("2026Q3"))
    assert all(open_quarter[g] >= 1 for g in "SABCD") and open_quarter[None] >= 1
    # The default agency has all three promotions: two in the history before 2026Q3, one in it.
    promotions = db.session.execute(select(LevelChange.effective_on, LevelChange.reason)).all()
    to_senior = {
        day
        for day, reason in promotions
        if reason in (generator.TWO_GOOD_QUARTERS, generator.PROMOTED_WITH_NEW_ROOM)
    }
    assert {dt.date(2026, 4, 1), dt.date(2026, 7, 1), dt.date(2026, 8, 16)} <= to_senior
