"""Point 6 (and the response column of point 8): acknowledge or dispute a finalized quarter;
HR's inbox with its count on the dashboard; HR answers, resolves or adjusts (the adjustment
goes to the open cycle: a finalized quarter never changes); both sides read the thread; every
step audited; badges for a new quarter and a new answer; the payroll export's last column."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from hrapp.appraisals import services
from hrapp.appraisals.export import export_csv, export_xlsx
from hrapp.appraisals.models import AppraisalAdjustment
from hrapp.appraisals.runner import run_cycle
from hrapp.core.audit import AuditEntry
from hrapp.extensions import db
from hrapp.portal.models import AppraisalResponse
from tests.hrapp.appraisals.helpers import appraisal_of


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


@pytest.fixture
def quarter(finalized_q3, streamer_a):
    return appraisal_of(finalized_q3, streamer_a)


def test_acknowledging_takes_one_click_and_is_audited(app, client_a, quarter) -> None:
    answer = client_a.post(f"/me/quarters/{quarter.id}/acknowledge", follow_redirects=True)

    assert "you acknowledged this quarter" in answer.text
    response = db.session.scalar(select(AppraisalResponse))
    assert (response.status, response.revision) == ("acknowledged", 1)
    assert appraisal_of(quarter.cycle, quarter.streamer).acknowledged_at is not None
    assert "appraisal.acknowledge" in _actions()
    assert "New" not in client_a.get("/me/").text.split("Finalized quarters", 1)[1]


def test_a_dispute_reaches_hrs_inbox_and_the_answer_reaches_the_streamer(
    app, client_a, quarter, hr, login_as
) -> None:
    sent = client_a.post(
        f"/me/quarters/{quarter.id}/dispute",
        data={"line": "net_gmv", "text": "One session on 8 Aug is missing"},
        follow_redirects=True,
    )
    assert "Your dispute was sent to HR" in sent.text
    assert appraisal_of(quarter.cycle, quarter.streamer).disputed_at is not None
    hr_client = login_as(hr)
    assert "Open disputes" in hr_client.get("/dashboard").text
    inbox = hr_client.get("/disputes/").text
    response = db.session.scalar(select(AppraisalResponse))
    assert f"/disputes/{response.id}" in inbox and "Net GMV" in inbox

    thread = hr_client.get(f"/disputes/{response.id}").text
    assert "One session on 8 Aug is missing" in thread
    hr_client.post(
        f"/disputes/{response.id}/answer",
        data={"text": "We found it: it comes in the next cycle's settlement."},
    )

    page = client_a.get(f"/me/quarters/{quarter.id}").text
    assert "We found it" in page and "New answer" in page
    assert "New answer" in client_a.get("/me/").text
    client_a.post(f"/me/quarters/{quarter.id}/read")
    assert "New answer" not in client_a.get("/me/").text

    client_a.post(f"/me/quarters/{quarter.id}/reply", data={"text": "Thanks, and the 9th?"})
    assert "Thanks, and the 9th?" in hr_client.get(f"/disputes/{response.id}").text
    hr_client.post(f"/disputes/{response.id}/answer", data={"text": "The 9th too.", "resolve": "y"})
    db.session.expire_all()
    assert db.session.get(AppraisalResponse, response.id).status == "resolved"
    assert appraisal_of(quarter.cycle, quarter.streamer).disputed_at is None
    assert "No open disputes." in hr_client.get("/disputes/").text
    assert [a for a in _actions() if a.startswith(("appraisal.d", "dispute."))] == [
        "appraisal.dispute",
        "dispute.answer",
        "dispute.reply",
        "dispute.resolve",
    ]


def test_an_adjustment_goes_to_the_open_cycle_and_resolves_the_dispute(
    app, client_a, quarter, streamer_a, hr, login_as
) -> None:
    client_a.post(f"/me/quarters/{quarter.id}/dispute", data={"text": "Refunds counted twice"})
    response = db.session.scalar(select(AppraisalResponse))
    hr_client = login_as(hr)
    refused = hr_client.post(
        f"/disputes/{response.id}/adjust", data={"amount": "300", "reason": "Refund counted twice"}
    )
    assert refused.status_code == 422  # no open cycle has an appraisal of the streamer yet
    q4 = services.create_cycle("2026Q4")
    run_cycle(q4)
    db.session.commit()
    finalized_before = appraisal_of(quarter.cycle, streamer_a).payable_fen

    done = hr_client.post(
        f"/disputes/{response.id}/adjust",
        data={"amount": "300.50", "reason": "Refund of 2026Q3 counted twice"},
    )

    assert done.status_code == 302
    line = db.session.scalar(select(AppraisalAdjustment).where(AppraisalAdjustment.kind == "pay"))
    assert (line.amount_fen, line.appraisal.cycle.code) == (30_050, "2026Q4")
    assert appraisal_of(quarter.cycle, streamer_a).payable_fen == finalized_before
    db.session.expire_all()
    assert db.session.get(AppraisalResponse, response.id).status == "resolved"
    page = client_a.get(f"/me/quarters/{quarter.id}").text
    assert "Refund of 2026Q3 counted twice" in page
    assert {"appraisal.adjust", "dispute.adjust"} <= set(_actions())


def test_a_dispute_needs_a_text_and_an_open_dispute_is_not_disputed_twice(
    app, client_a, quarter
) -> None:
    assert (
        client_a.post(f"/me/quarters/{quarter.id}/dispute", data={"text": " "}).status_code == 422
    )
    client_a.post(f"/me/quarters/{quarter.id}/dispute", data={"text": "Wrong"})
    again = client_a.post(
        f"/me/quarters/{quarter.id}/dispute", data={"text": "Again"}, follow_redirects=True
    )
    assert "Your dispute is open" in again.text


def test_the_payroll_export_ends_with_the_streamers_response(
    app, client_a, quarter, finalized_q3, streamer_b
) -> None:
    client_a.post(f"/me/quarters/{quarter.id}/dispute", data={"text": "Wrong"})
    rows = list(csv.reader(io.StringIO(export_csv(finalized_q3).decode("utf-8-sig"))))

    assert rows[0][-1] == "streamer_response"
    assert {row[0]: row[-1] for row in rows[1:]} == {"E3001": "disputed", "E3002": "none"}
    sheet = load_workbook(io.BytesIO(export_xlsx(finalized_q3, "en"))).active
    values = [sheet.cell(row=r, column=sheet.max_column).value for r in range(1, 4)]
    assert values == ["Streamer's response", "Disputed", "No response yet"]
