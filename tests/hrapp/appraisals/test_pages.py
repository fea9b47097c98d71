"""Point 8 on HR's pages: create a cycle, run it as a background job, the cycle's sortable
table, one appraisal's explanation with its chart, and the CSV export."""

from __future__ import annotations

import re

from sqlalchemy import select

from hrapp.appraisals import schemes, services
from hrapp.appraisals.models import Appraisal, AppraisalCycle
from hrapp.appraisals.runner import run_cycle
from hrapp.core.audit import AuditEntry
from hrapp.extensions import db
from hrapp.jobs.models import Job
from tests.factories import make_account, make_streamer
from tests.hrapp.appraisals.helpers import (
    broadcast,
    scheme_without_mentors,
    worked_example_quarter,
)

XSS = '<script>alert("x")</script>'


def test_hr_creates_a_cycle_and_bad_codes_are_explained(hr_client) -> None:
    created = hr_client.post("/appraisals/cycles", data={"code": "2026q3"})
    duplicate = hr_client.post("/appraisals/cycles", data={"code": "2026Q3"})
    bad = hr_client.post("/appraisals/cycles", data={"code": "2026Q9"})

    assert created.status_code == 302
    assert created.headers["Location"].endswith("/appraisals/cycles/2026Q3")
    assert duplicate.status_code == bad.status_code == 422
    assert "Cycle 2026Q3 already exists." in duplicate.text
    assert "2026Q9 is not a quarter" in bad.text
    assert "2026Q3" in hr_client.get("/appraisals/").text


def test_running_from_the_page_is_a_job_whose_result_is_the_cycle_page(hr_client, hr) -> None:
    services.create_cycle("2026Q3")
    senior = make_streamer(employee_no="E1001", legal_name="张三", level="senior")
    worked_example_quarter(senior)
    make_streamer(employee_no="E1002", legal_name="李四")
    db.session.commit()

    started = hr_client.post("/appraisals/cycles/2026Q3/run")

    assert started.status_code == 302
    job = db.session.scalars(select(Job)).one()
    assert started.headers["Location"].endswith(f"/jobs/{job.id}")
    assert (job.status, job.created_by_id) == ("done", hr.id)
    assert job.result["outcome"]["appraised"] == 2
    job_page = hr_client.get(f"/jobs/{job.id}")
    assert 'href="/appraisals/cycles/2026Q3"' in job_page.text
    cycle_page = hr_client.get("/appraisals/cycles/2026Q3")
    assert cycle_page.status_code == 200
    for text in ("张三", "李四", "¥12,650.00", "Not graded", "90.0"):
        assert text in cycle_page.text
    run_audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "cycle.run")).one()
    assert run_audit.actor_name == "hr_zhao"  # the job acts for whoever pressed the button


def test_the_grade_summary_follows_the_schemes_bands_with_not_graded_last(hr_client) -> None:
    cycle = services.create_cycle("2026Q3")
    version = schemes.ensure_default_scheme()
    for grade in ("A", None, "S", "D", "A", "B"):
        db.session.add(
            Appraisal(
                cycle_id=cycle.id,
                streamer_id=make_streamer().id,
                scheme_version_id=version.id,
                level="assistant",
                grade=grade,
                not_graded=grade is None,
            )
        )
    db.session.commit()

    page = hr_client.get("/appraisals/cycles/2026Q3").text

    chips = re.search(r'class="tile-value grade-chips">(.*?)</span><span class="tile-label"', page)
    assert chips is not None
    assert re.findall(r'<span class="badge">([^<]+)</span>', chips.group(1)) == [
        "S · 1",
        "A · 2",
        "B · 1",
        "D · 1",
        "Not graded · 1",
    ]


def test_the_cycle_table_sorts_by_payable(hr_client) -> None:
    cycle = services.create_cycle("2026Q3")
    for number, gmv in (("E1", 10_000_000), ("E2", 90_000_000), ("E3", 50_000_000)):
        streamer = make_streamer(employee_no=number)
        broadcast(make_account(streamer), gmv_fen=gmv, refunds_fen=0)
    run_cycle(cycle)
    db.session.commit()

    descending = hr_client.get("/appraisals/cycles/2026Q3?sort=payable&dir=desc").text
    ascending = hr_client.get("/appraisals/cycles/2026Q3?sort=payable&dir=asc").text

    def order(html: str) -> list[str]:
        return re.findall(r">(E\d)</a></td>", html)

    assert order(descending) == ["E2", "E3", "E1"]
    assert order(ascending) == ["E1", "E3", "E2"]
    assert 'aria-sort="descending"' in descending


def test_the_appraisal_page_explains_every_number(hr_client) -> None:
    cycle = services.create_cycle("2026Q3")
    senior = make_streamer(legal_name=XSS, level="senior")
    worked_example_quarter(senior)
    run_cycle(cycle)
    db.session.commit()
    appraisal_id = cycle_appraisal_id(cycle)

    page = hr_client.get(f"/appraisals/{appraisal_id}")

    assert page.status_code == 200
    html = page.text
    for text in (
        "Net GMV",
        "¥1,500,000.00",  # the senior's net GMV target
        "80.0%",  # its attainment
        "¥11,500.00",
        "× 1.1",
        "Grade A",
        "¥12,650.00",
        "MENTOR-1",
        "Not met",
    ):
        assert text in html, text
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "Attainment per metric" in svg
    assert "<script" not in html.replace('<script src="/static/js/app.js" defer></script>', "")
    assert XSS not in html and "&lt;script&gt;" in html


def cycle_appraisal_id(cycle: AppraisalCycle) -> int:
    return db.session.scalars(select(Appraisal.id).where(Appraisal.cycle_id == cycle.id)).one()


def test_the_export_button_downloads_the_csv(hr_client) -> None:
    cycle = services.create_cycle("2026Q3")
    worked_example_quarter(make_streamer(employee_no="E1001", level="senior"))
    run_cycle(cycle)
    db.session.commit()

    response = hr_client.post("/appraisals/cycles/2026Q3/export")

    assert response.status_code == 200
    # Not finalized: the name says draft (in the export's language, Chinese by default).
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"2026Q3_draft.csv\"; filename*=UTF-8''2026Q3_%E8%8D%89%E7%A8%BF.csv"
    )
    assert response.headers["Cache-Control"] == "no-store"
    assert response.data.startswith(b"\xef\xbb\xbfemployee_no,name,level,cycle")
    assert ",12650.00,no,一组,no,no,draft,none\r\n".encode() in response.data


def test_a_finalized_cycle_is_not_run_from_the_page(hr_client) -> None:
    cycle = services.create_cycle("2026Q3")
    cycle.status = "finalized"
    db.session.commit()

    response = hr_client.post("/appraisals/cycles/2026Q3/run", follow_redirects=True)

    assert "Cycle 2026Q3 is finalized" in response.text
    assert db.session.scalars(select(Job)).all() == []


def test_a_run_that_cannot_score_fails_its_job_naming_the_problems(hr_client) -> None:
    services.create_cycle("2026Q3")
    make_streamer(level="mentor")
    schemes.save_scheme(scheme_without_mentors())
    db.session.commit()

    hr_client.post("/appraisals/cycles/2026Q3/run")

    job = db.session.scalars(select(Job)).one()
    assert job.status == "failed"
    assert "Cycle 2026Q3 cannot be scored; nothing was changed." in job.error
    assert "streamers.level: not a level of the scheme" in job.error
    assert db.session.scalars(select(Appraisal)).all() == []
