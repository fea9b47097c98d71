"""A cycle knows when its inputs changed since its last run; late data for a finalized quarter
never changes it and is settled, once, in the next cycle's run."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io

import pytest
from sqlalchemy import select

from hrapp.appraisals import schemes, services, staleness
from hrapp.appraisals.closing import finalize_cycle, override_score
from hrapp.appraisals.export import export_csv
from hrapp.appraisals.models import Appraisal, AppraisalAdjustment, AppraisalCycle
from hrapp.appraisals.runner import preview_run, run_cycle
from hrapp.auth.models import Role
from hrapp.core.errors import Conflict
from hrapp.extensions import db
from hrapp.jobs.models import Job
from hrapp.live_sessions import services as sessions
from hrapp.live_sessions.importer import import_sessions
from hrapp.live_sessions.models import LiveSession
from hrapp.streamers.models import PlatformAccount, Streamer
from hrapp.streamers.services import (
    change_level,
    mark_left,
    profile_of,
    set_mentor,
    update_streamer,
)
from hrapp.training.curriculum import ensure_default_curriculum
from hrapp.training.services import ScoreInput, log_record, module_by_code
from tests.factories import make_account, make_streamer, make_user
from tests.hrapp.appraisals.helpers import MID_Q3, broadcast, worked_example_quarter
from tests.hrapp.live_sessions.builders import template_file


@pytest.fixture
def host(app) -> Streamer:
    """The streamer of the template files' room (E1001, douyin 0439563), an assistant."""
    streamer = make_streamer(employee_no="E1001", legal_name="王小红")
    make_account(streamer, platform="douyin", account_id="0439563", nickname="小红的直播间")
    db.session.commit()
    return streamer


def imported(*rows: dict[str, str]) -> int:
    outcome = import_sessions(template_file(*rows), "sessions.csv")
    assert outcome.status == "imported", outcome.problems
    db.session.commit()
    return outcome.batch_id


def cycle(code: str) -> AppraisalCycle:
    found = db.session.scalar(select(AppraisalCycle).where(AppraisalCycle.code == code))
    return found or services.create_cycle(code)


def appraisal(code: str, streamer: Streamer) -> Appraisal:
    db.session.expire_all()
    return db.session.scalars(
        select(Appraisal)
        .join(AppraisalCycle)
        .where(AppraisalCycle.code == code, Appraisal.streamer_id == streamer.id)
    ).one()


def settlement_lines(code: str) -> list[AppraisalAdjustment]:
    return list(
        db.session.scalars(
            select(AppraisalAdjustment)
            .join(Appraisal)
            .join(AppraisalCycle)
            .where(AppraisalCycle.code == code, AppraisalAdjustment.kind == "settlement")
        )
    )


def test_inputs_changed_after_a_run_mark_only_the_cycles_they_touch(host, english) -> None:
    q3, q4 = cycle("2026Q3"), cycle("2026Q4")
    never_run = cycle("2027Q1")
    run_cycle(q3)
    run_cycle(q4)
    assert q3.stale_since is None

    batch = imported({"started_at": "2026-09-03 19:00:00"})
    assert q3.stale_since is not None and q4.stale_since is None
    assert never_run.stale_since is None  # nothing to be out of date with
    assert staleness.reason_texts(q3) == [f"1 sessions imported or updated (import {batch})"]

    run_cycle(q3)
    assert (q3.stale_since, q3.stale_reasons) == (None, [])

    sessions.rollback_batch(batch)
    assert staleness.reason_texts(q3) == [f"import {batch} rolled back"]


@pytest.mark.parametrize(
    "change",
    ["hosts", "level", "training", "scheme", "rate", "mentor", "leaving", "team"],
)
def test_every_input_of_a_run_marks_it_stale(host, change, english) -> None:
    imported({"started_at": "2026-09-03 19:00:00"})
    q3 = cycle("2026Q3")
    run_cycle(q3)
    assert q3.stale_since is None
    if change == "hosts":
        other = make_streamer(employee_no="E1002")
        session = db.session.scalars(select(LiveSession)).one()
        sessions.set_hosts(session.id, [("E1001", 5_000), (other.employee_no, 5_000)])
    elif change == "level":
        change_level(host, "senior", dt.date(2026, 9, 1), "晋升")
    elif change == "training":
        ensure_default_curriculum()
        log_record(host, module_by_code("SCRIPT-1"), dt.date(2026, 9, 10), ScoreInput())
    elif change == "scheme":
        toml = schemes.active_version().toml.replace('gate_factor = "0.5"', 'gate_factor = "0.6"')
        schemes.save_scheme(toml, note="gentler hours gate")
    elif change == "rate":
        sessions.set_rate("USD", "2026-08", "7.1", user_id=None)
    elif change == "leaving":
        mark_left(host, dt.date(2026, 9, 20), "离职")
    elif change == "team":
        update_streamer(host, dataclasses.replace(profile_of(host), team="三组"))
    else:
        mentor = make_streamer(employee_no="E1003", level="mentor")
        set_mentor(host, mentor, dt.date(2026, 9, 1))
    assert q3.stale_since is not None, change
    assert len(staleness.reason_texts(q3)) == 1


def test_a_change_after_the_quarter_does_not_mark_it(host) -> None:
    imported({"started_at": "2026-09-03 19:00:00"})
    q3 = cycle("2026Q3")
    run_cycle(q3)
    change_level(host, "senior", dt.date(2026, 10, 2), "晋升")
    ensure_default_curriculum()
    log_record(host, module_by_code("SCRIPT-1"), dt.date(2026, 10, 10), ScoreInput())
    assert q3.stale_since is None


def test_a_re_run_shows_its_changes_first_and_applies_only_those(host) -> None:
    imported({"started_at": "2026-09-03 19:00:00"})
    q3 = cycle("2026Q3")
    run_cycle(q3)
    before = appraisal("2026Q3", host)
    assert before.payable_fen == 2_375  # ¥9,500 × 0.5% = ¥47.50, not graded, hours gate × 0.5

    imported({"started_at": "2026-09-04 19:00:00"})
    preview = preview_run(q3)
    assert [
        (c.employee_no, c.old["payable_fen"], c.new["payable_fen"]) for c in preview.changes
    ] == [("E1001", 2_375, 4_750)]
    assert (preview.old_total_fen, preview.new_total_fen) == (2_375, 4_750)
    assert appraisal("2026Q3", host).payable_fen == 2_375  # a preview writes nothing

    imported({"started_at": "2026-09-05 19:00:00"})  # the data moves after the preview
    with pytest.raises(Conflict):
        run_cycle(q3, expected=preview.fingerprint)
    db.session.rollback()
    assert appraisal("2026Q3", host).payable_fen == 2_375

    fresh = preview_run(cycle("2026Q3"))
    summary = run_cycle(cycle("2026Q3"), expected=fresh.fingerprint)
    assert summary.changed == 1 and summary.changes[0]["new"]["payable_fen"] == 7_125
    assert appraisal("2026Q3", host).payable_fen == 7_125


def test_late_data_is_settled_once_in_the_next_cycle(host, english) -> None:
    imported({"started_at": "2026-09-03 19:00:00"})
    q3 = cycle("2026Q3")
    run_cycle(q3)
    finalize_cycle(q3, None)
    paid = appraisal("2026Q3", host)
    assert (paid.status, paid.payable_fen) == ("finalized", 2_375)

    # A late session of Q3: Q3 never changes, and knows it has late data.
    imported({"started_at": "2026-09-04 19:00:00"})
    assert appraisal("2026Q3", host).payable_fen == 2_375
    assert cycle("2026Q3").stale_since is not None

    q4 = cycle("2026Q4")
    run_cycle(q4)
    run_cycle(q4)  # a re-run recomputes the line, never adds a second one
    [line] = settlement_lines("2026Q4")
    # Q3 would pay ¥19,000 × 0.5% × 0.5 = ¥47.50 now; it paid ¥23.75: a top-up of ¥23.75.
    assert line.amount_fen == 2_375 and line.source_cycle_id == q3.id
    assert line.reason.startswith("Top-up for 2026Q3 (late data): it paid ¥23.75, with the data")
    assert "sessions 1 → 2" in line.reason and "net GMV ¥9,500.00 → ¥19,000.00" in line.reason
    next_quarter = appraisal("2026Q4", host)
    assert (next_quarter.commission_fen, next_quarter.adjustment_fen) == (0, 2_375)
    assert next_quarter.payable_fen == 2_375
    assert appraisal("2026Q3", host).payable_fen == 2_375
    # The payroll export carries the line in `adjustment` and in `payable`.
    rows = list(csv.DictReader(io.StringIO(export_csv(cycle("2026Q4")).decode("utf-8-sig"))))
    assert [(r["employee_no"], r["adjustment"], r["payable"]) for r in rows] == [
        ("E1001", "23.75", "23.75")
    ]

    # Q4 is finalized; refunds of the first Q3 session grow: Q1 settles only the new difference.
    finalize_cycle(cycle("2026Q4"), None)
    imported({"started_at": "2026-09-03 19:00:00", "refunds": "5500.00"})
    q1 = cycle("2027Q1")
    run_cycle(q1)
    [clawback] = settlement_lines("2027Q1")
    # Net ¥4,500 + ¥9,500 = ¥14,000 → ¥35.00; paid ¥23.75 and settled ¥23.75: −¥12.50.
    assert clawback.amount_fen == -1_250
    assert clawback.reason.startswith("Clawback for 2026Q3 (late data)")
    assert appraisal("2027Q1", host).payable_fen == -1_250


def test_a_leaver_with_a_settlement_is_appraised_in_the_next_cycle(host) -> None:
    imported({"started_at": "2026-09-03 19:00:00"})
    q3 = cycle("2026Q3")
    run_cycle(q3)
    finalize_cycle(q3, None)
    imported({"started_at": "2026-09-04 19:00:00"})
    host.status, host.left_on = "left", dt.date(2026, 9, 20)
    db.session.commit()
    run_cycle(cycle("2026Q4"))
    assert appraisal("2026Q4", host).payable_fen == 2_375


def test_no_late_data_no_line(host) -> None:
    imported({"started_at": "2026-09-03 19:00:00"})
    q3 = cycle("2026Q3")
    run_cycle(q3)
    finalize_cycle(q3, None)
    again = import_sessions(template_file({"started_at": "2026-09-03 19:00:00"}), "s.csv")
    assert again.status == "duplicate"  # the same file again: nothing changes
    run_cycle(cycle("2026Q4"))
    assert settlement_lines("2026Q4") == []


def test_finalizing_the_next_cycle_closes_the_late_data_it_settled(host) -> None:
    imported({"started_at": "2026-09-03 19:00:00"})
    q3 = cycle("2026Q3")
    run_cycle(q3)
    finalize_cycle(q3, None)
    imported({"started_at": "2026-09-04 19:00:00"})
    assert cycle("2026Q3").stale_since is not None
    run_cycle(cycle("2026Q4"))
    finalize_cycle(cycle("2026Q4"), None)
    assert cycle("2026Q3").stale_since is None


def test_the_command_prints_its_changes_and_a_dry_run_changes_nothing(host, cli, english) -> None:
    imported({"started_at": "2026-09-03 19:00:00"})
    cycle("2026Q3")
    db.session.commit()
    assert cli("cycle", "run", "2026Q3").exit_code == 0
    imported({"started_at": "2026-09-04 19:00:00"})

    dry = cli("cycle", "run", "2026Q3", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "E1001 王小红: payable ¥23.75 → ¥47.50" in dry.output
    assert "total payable ¥23.75 → ¥47.50. Nothing was changed." in dry.output
    assert appraisal("2026Q3", host).payable_fen == 2_375

    done = cli("cycle", "run", "2026Q3")
    assert done.exit_code == 0, done.output
    assert "E1001 王小红: payable ¥23.75 → ¥47.50" in done.output
    assert "1 with a new score, grade or payable" in done.output
    assert appraisal("2026Q3", host).payable_fen == 4_750


def test_re_running_on_the_page_shows_the_changes_then_applies_them(host, app, login_as) -> None:
    imported({"started_at": "2026-09-03 19:00:00"})
    run_cycle(cycle("2026Q3"))
    hr = make_user(Role.HR, username="hr_sun")
    db.session.commit()
    imported({"started_at": "2026-09-04 19:00:00"})
    client = login_as(hr)

    started = client.post("/appraisals/cycles/2026Q3/run")
    job = db.session.scalars(select(Job).order_by(Job.id.desc())).first()
    assert started.headers["Location"].endswith(f"/jobs/{job.id}")
    assert job.kind == "appraisal_cycle_preview"
    assert appraisal("2026Q3", host).payable_fen == 2_375  # nothing applied yet
    page = client.get(f"/appraisals/cycles/2026Q3/changes/{job.id}").text
    assert "E1001" in page and "¥23.75" in page and "¥47.50" in page
    fingerprint = job.result["outcome"]["preview"]["fingerprint"]
    assert f'value="{fingerprint}"' in page

    applied = client.post("/appraisals/cycles/2026Q3/run", data={"fingerprint": fingerprint})
    assert applied.status_code == 302
    run_job = db.session.scalars(select(Job).order_by(Job.id.desc())).first()
    assert (run_job.kind, run_job.status) == ("appraisal_cycle_run", "done")
    assert appraisal("2026Q3", host).payable_fen == 4_750
    assert cycle("2026Q3").stale_since is None

    # A stale confirmation applies nothing and says why.
    imported({"started_at": "2026-09-05 19:00:00"})
    client.post("/appraisals/cycles/2026Q3/run", data={"fingerprint": fingerprint})
    refused = db.session.scalars(select(Job).order_by(Job.id.desc())).first()
    assert refused.status == "failed"
    assert appraisal("2026Q3", host).payable_fen == 4_750


def test_the_settlement_line_reads_in_the_readers_language(host, login_as) -> None:
    imported({"started_at": "2026-09-03 19:00:00"})
    q3 = cycle("2026Q3")
    run_cycle(q3)
    finalize_cycle(q3, None)
    imported({"started_at": "2026-09-04 19:00:00"})
    run_cycle(cycle("2026Q4"))
    hr = make_user(Role.HR, username="hr_li")
    db.session.commit()
    url = f"/appraisals/{appraisal('2026Q4', host).id}"
    for locale, text in (
        ("en", "Top-up for 2026Q3 (late data): it paid ¥23.75"),
        ("zh_CN", "补发 2026Q3（迟到数据）：原付 ¥23.75"),
    ):
        hr.locale = locale
        db.session.commit()
        assert text in login_as(hr).get(url).text, locale


def test_a_finalized_override_is_kept_when_its_late_data_is_settled(app) -> None:
    """Senior, the domain guide's quarter (A, ¥12,650) overridden to 96 (S, ¥13,800) and
    finalized; a late ¥100,000 session: net ¥1,300,000 → ¥13,000 tiers × 1.2 (S kept) =
    ¥15,600, a top-up of ¥1,800."""
    senior = make_streamer(level="senior")
    worked_example_quarter(senior)
    q3 = cycle("2026Q3")
    run_cycle(q3)
    found = appraisal("2026Q3", senior)
    override_score(found, 96, "校准", found.lock_version, None)
    finalize_cycle(q3, None)
    assert appraisal("2026Q3", senior).payable_fen == 1_380_000

    account = db.session.scalars(
        select(PlatformAccount).where(PlatformAccount.streamer_id == senior.id)
    ).one()
    broadcast(account, start=MID_Q3 + dt.timedelta(days=20), gmv_fen=10_000_000, refunds_fen=0)
    staleness.instants_changed("sessions_imported", [MID_Q3], n=1, batch=0)
    run_cycle(cycle("2026Q4"))
    [line] = settlement_lines("2026Q4")
    assert line.amount_fen == 180_000
    assert "grade" not in line.reason_params["moved"]  # still S: the override stands
