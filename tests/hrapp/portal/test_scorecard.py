"""Points 1, 2, 4 and 7 of 我的考核: the streamer lands on the running quarter (provisional,
computed on the fly, never stored) with the pace each target needs; finalized quarters only
(never a draft), with every figure HR sees; the promotion checklist; a reopened quarter shows
its last finalized result, under review."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from hrapp.appraisals import closing, services
from hrapp.appraisals.models import Appraisal, AppraisalCycle
from hrapp.appraisals.runner import run_cycle
from hrapp.core.timeutil import org_today
from hrapp.extensions import db
from hrapp.portal.running import quarter_of, running_quarter
from hrapp.training.curriculum import ensure_default_curriculum
from hrapp.training.services import ScoreInput, log_record, module_by_code
from tests.hrapp.appraisals.helpers import appraisal_of


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_streamer_lands_on_the_scorecard(app, user_a, client) -> None:
    response = client.post("/login", data={"username": "e3001", "password": "Correct-Horse-7"})
    assert response.status_code == 302
    assert response.location.endswith("/me/")


def test_the_running_quarter_is_provisional_and_never_stored(app, client_a, running_sessions):
    appraisals, cycles = _count(Appraisal), _count(AppraisalCycle)

    page = client_a.get("/me/")

    assert page.status_code == 200
    code = quarter_of(org_today(), app.config["ORG_TIMEZONE"]).code
    assert f"Quarter {code} so far" in page.text
    assert "Provisional" in page.text
    assert "nothing is stored" in page.text
    assert (_count(Appraisal), _count(AppraisalCycle)) == (appraisals, cycles)
    # Three sessions of (¥50,000 − ¥5,000): the net GMV card shows ¥135,000.00.
    assert "¥135,000.00" in page.text


def test_the_running_quarter_agrees_with_a_run_of_the_same_quarter(
    app, streamer_a, running_sessions
) -> None:
    with app.test_request_context():
        running = running_quarter(streamer_a)
    sheet = running["sheet"]
    cycle = services.create_cycle(quarter_of(org_today(), app.config["ORG_TIMEZONE"]).code)
    run_cycle(cycle)
    stored = appraisal_of(cycle, streamer_a)

    assert sheet["provisional"] is True
    assert (sheet["score"], sheet["grade"]) == (stored.score, stored.grade)
    assert sheet["commission_fen"] == stored.commission_fen
    assert sheet["figures"]["net_gmv_fen"] == stored.net_gmv_fen == 13_500_000
    assert sheet["metrics"] == stored.explanation["metrics"]


def test_the_pace_is_what_each_target_still_needs_per_remaining_day(
    app, streamer_a, running_sessions
) -> None:
    with app.test_request_context():
        running = running_quarter(streamer_a)
    left = running["days"]["left"]
    net = next(row for row in running["pace"] if row["metric"] == "net_gmv")
    hours = next(row for row in running["pace"] if row["metric"] == "minimum_hours")

    assert net["target"] == 150_000_000  # the senior's ¥1,500,000
    assert net["remaining"] == 150_000_000 - 13_500_000
    assert net["per_day"] == (150_000_000 - 13_500_000) / left
    assert hours["target"] == 240 and hours["actual"] == 12
    assert hours["per_day"] == (240 - 12) / left
    watch = next(row for row in running["pace"] if row["metric"] == "avg_watch_seconds")
    assert watch["per_day"] is None  # an average has no "per day"
    assert running["days"]["total"] == running["days"]["elapsed"] + left


def test_the_weekly_chart_is_an_svg_without_scripts(app, client_a, running_sessions) -> None:
    page = client_a.get("/me/").text
    assert "<svg" in page
    assert "Target pace" in page
    assert "<script>" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]


def test_a_draft_is_never_shown(app, client_a, q3, streamer_a) -> None:
    draft = appraisal_of(q3, streamer_a)

    assert "2026Q3" not in client_a.get("/me/").text
    assert client_a.get(f"/me/quarters/{draft.id}").status_code == 404


def test_a_finalized_quarter_shows_every_figure_hr_sees(
    app, client_a, q3, streamer_a, hr, login_as
) -> None:
    appraisal = appraisal_of(q3, streamer_a)
    closing.add_pay_adjustment(
        appraisal, -5_000, "Late twice in August", appraisal.lock_version, hr
    )
    closing.save_comments(
        appraisal, "Private: watch her refunds", "Great quarter", appraisal.lock_version, hr
    )
    closing.finalize_cycle(q3, hr)
    db.session.commit()

    listed = client_a.get("/me/").text
    page = client_a.get(f"/me/quarters/{appraisal.id}").text
    hr_page = login_as(hr).get(f"/appraisals/{appraisal.id}").text

    assert f"/me/quarters/{appraisal.id}" in listed and "New" in listed
    for shown in ("90.00", "¥11,500.00", "¥12,650.00", "¥12,600.00", "-¥50.00", "× 1.1"):
        assert shown in page, shown
        assert shown in hr_page, shown
    assert "Late twice in August" in page and "Great quarter" in page
    assert "Private: watch her refunds" not in page


def test_a_reopened_quarter_keeps_showing_its_last_finalized_result(
    app, client_a, finalized_q3, streamer_a, hr, admin
) -> None:
    closing.reopen_cycle(finalized_q3, "Late refunds from the platform", admin)
    db.session.commit()
    draft = appraisal_of(finalized_q3, streamer_a)
    closing.add_pay_adjustment(draft, -1_000_000, "Recount of refunds", draft.lock_version, hr)
    db.session.commit()

    page = client_a.get(f"/me/quarters/{draft.id}").text
    listed = client_a.get("/me/").text

    assert "Under review" in page and "Under review" in listed
    assert "¥12,650.00" in page  # the finalized payable, not the draft's ¥2,650.00
    assert "Recount of refunds" not in page and "¥2,650.00" not in page
    # No new answer while under review: the form is not offered, and posting is refused.
    assert f'action="/me/quarters/{draft.id}/acknowledge"' not in page
    refused = client_a.post(f"/me/quarters/{draft.id}/acknowledge", follow_redirects=True)
    assert "under review" in refused.text


def test_the_promotion_checklist_names_the_missing_module_its_pass_mark_and_best_attempt(
    app, client_a, streamer_a, hr
) -> None:
    streamer_a.level = "assistant"
    db.session.commit()
    ensure_default_curriculum()
    practical = module_by_code("PRACTICAL-1")
    log_record(streamer_a, practical, org_today() - dt.timedelta(days=40), ScoreInput(score=72))
    log_record(streamer_a, practical, org_today() - dt.timedelta(days=20), ScoreInput(score=79))
    db.session.commit()

    page = client_a.get("/me/promotion").text

    assert "Still missing" in page
    missing = page.split("Still missing", 1)[1].split("The whole checklist", 1)[0]
    assert "PRACTICAL-1" in missing
    assert "pass mark 80" in missing
    assert "your best attempt 79.0" in missing and "2 attempts" in missing
    assert "SCRIPT-1" in missing and "not taken yet" in missing


def test_the_checklist_counts_mentees_without_naming_them(app, streamer_a) -> None:
    from hrapp.portal.scorecard import for_streamer

    sheet = {
        "promotion": {
            "checklist": [
                {"criterion": "mentees", "actual": 1, "mentees": [{"id": 9, "name": "E9 王五"}]}
            ]
        }
    }
    shown = for_streamer(sheet)
    assert "mentees" not in shown["promotion"]["checklist"][0]
    assert sheet["promotion"]["checklist"][0]["mentees"]  # the view model itself is untouched


def test_a_finalized_quarter_links_its_sheet_once_sheets_exist(
    app, client_a, finalized_q3, streamer_a
) -> None:
    appraisal = appraisal_of(finalized_q3, streamer_a)
    page = client_a.get(f"/me/quarters/{appraisal.id}").text
    if "sheets.sheet" not in app.view_functions:
        assert "sheet.pdf" not in page
        return
    link = f"/appraisals/{appraisal.id}/sheet.pdf?lang=en"
    assert link in page
    assert client_a.get(link).status_code == 200


def test_the_kept_running_quarter_follows_every_change_it_reads(
    app, client_a, streamer_a, running_sessions
) -> None:
    from tests.hrapp.appraisals.helpers import broadcast
    from tests.hrapp.portal.conftest import this_quarter_start

    assert "¥135,000.00" in client_a.get("/me/").text
    start = this_quarter_start() + dt.timedelta(hours=2)
    broadcast(running_sessions, start=start, gmv_fen=100, refunds_fen=0)
    db.session.commit()
    assert "¥135,001.00" in client_a.get("/me/").text  # a new session: net ¥1 more (100 − 0)

    ensure_default_curriculum()
    log_record(streamer_a, module_by_code("MENTOR-1"), org_today(), ScoreInput(score=95))
    db.session.commit()
    promotion = client_a.get("/me/promotion").text
    assert "MENTOR-1" not in promotion.split("Still missing", 1)[-1].split("The whole", 1)[0]
