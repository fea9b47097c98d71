"""Points 3 and 5: the streamer's what-if (a form that works by submitting, and its JSON twin
for the live update; nothing stored) and their own sessions (month filter, CSV, co-hosts by
stage name only)."""

from __future__ import annotations

import csv
import datetime as dt
import io

from sqlalchemy import func, select

from hrapp.appraisals import services
from hrapp.appraisals.models import Appraisal
from hrapp.core.audit import AuditEntry
from hrapp.extensions import db
from tests.factories import make_account, make_streamer
from tests.hrapp.appraisals.helpers import MID_Q3, broadcast

FIGURES = {"net_gmv": "120万", "watch_seconds": "90", "net_followers": "15,000", "hours": "250"}


def _stored() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(Appraisal)),
        db.session.scalar(select(func.count()).select_from(AuditEntry)),
    )


def test_the_what_if_form_starts_from_the_quarter_so_far(app, client_a, running_sessions):
    page = client_a.get("/me/what-if")
    assert page.status_code == 200
    assert 'value="135000.00"' in page.text  # net GMV so far, in yuan
    assert 'data-what-if="/me/what-if.json"' in page.text
    assert '<script src="/static/js/portal.js" defer></script>' in page.text
    projected = client_a.get("/me/what-if?start=projection").text
    assert 'value="135000.00"' not in projected  # scaled to the quarter's end


def test_the_what_if_scores_the_figures_at_the_streamers_level(app, client_a, streamer_a):
    before = _stored()

    page = client_a.get("/me/what-if", query_string=FIGURES)

    assert page.status_code == 200
    # The domain guide's senior: ¥1,200,000, 90 s, 15,000 → 90 points, A, ¥11,500 × 1.1.
    assert "90.00" in page.text and "¥12,650.00" in page.text
    assert _stored() == before


def test_the_json_twin_gives_the_same_result_and_its_html(app, client_a, streamer_a):
    answer = client_a.get("/me/what-if.json", query_string=FIGURES)

    assert answer.status_code == 200
    body = answer.get_json()
    assert (body["score"], body["grade"], body["commission_fen"]) == (90.0, "A", 1_265_000)
    assert "¥12,650.00" in body["html"] and "<script" not in body["html"]


def test_bad_figures_name_the_field_and_store_nothing(app, client_a, streamer_a):
    before = _stored()
    answer = client_a.get("/me/what-if.json", query_string={**FIGURES, "hours": "lots"})

    assert answer.status_code == 422
    assert any("On-air hours" in problem for problem in answer.get_json()["problems"])
    assert client_a.get("/me/what-if", query_string={**FIGURES, "hours": "-1"}).status_code == 422
    assert _stored() == before


def test_extra_fields_cannot_choose_another_level_or_scheme(app, client_a, streamer_a):
    page = client_a.get("/me/what-if.json", query_string={**FIGURES, "level": "mentor"})
    # Still the senior's targets: mentors have a lower GMV target and would score more.
    assert page.get_json()["score"] == 90.0


def _sessions_world(streamer_a):
    cohost = make_streamer(employee_no="E3999", legal_name="丙秘密", stage_name="小丙")
    account = make_account(streamer_a)
    broadcast(
        account, start=MID_Q3, hosts=[(streamer_a, 6_000), (cohost, 4_000)], gmv_fen=1_000_000
    )
    broadcast(account, start=MID_Q3 + dt.timedelta(days=40), gmv_fen=2_000_000)
    broadcast(make_account(cohost), start=MID_Q3, gmv_fen=777_777_00)  # only the co-host's
    db.session.commit()


def test_own_sessions_by_month_with_co_hosts_by_stage_name_only(app, client_a, streamer_a):
    _sessions_world(streamer_a)
    august = client_a.get("/me/sessions?month=2026-08").text
    everything = client_a.get("/me/sessions?month=all").text

    assert "小丙" in august and "60%" in august
    assert "丙秘密" not in everything and "E3999" not in everything
    assert "¥777,777.00" not in everything
    assert "¥20,000.00" not in august and "¥20,000.00" in everything  # the September one
    assert "2026-09" in everything  # the month filter offers the months with sessions


def test_the_csv_holds_own_sessions_only(app, client_a, streamer_a):
    _sessions_world(streamer_a)
    answer = client_a.get("/me/sessions.csv?month=all")

    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"))))
    assert rows[0][-2:] == ["your_net_gmv", "co_hosts"]
    assert len(rows) == 1 + 2 + 5  # header, the two above and the worked example's five
    assert {row[-1] for row in rows[1:]} == {"", "小丙"}
    assert "777777.00" not in answer.data.decode("utf-8-sig")
    shared = next(row for row in rows[1:] if row[-1] == "小丙")
    assert (shared[4], shared[10], shared[11]) == ("10000.00", "60", "5400.00")


def test_a_cycle_export_is_not_a_streamer_page(app, client_a, q3):
    assert client_a.post("/appraisals/cycles/2026Q3/export").status_code == 403
    assert services.cycle_by_code("2026Q3") is not None
