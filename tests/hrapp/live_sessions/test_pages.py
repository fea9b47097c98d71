"""HR's pages: upload → preview → map accounts → confirm → job → batch; history, rollback,
rates, sessions and their hosts; upload limits."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from markupsafe import escape
from sqlalchemy import select

from hrapp.appraisals.models import AppraisalCycle
from hrapp.core.audit import AuditEntry
from hrapp.extensions import db
from hrapp.intake.batch_model import ImportBatch
from hrapp.jobs.models import Job
from hrapp.live_sessions import services, views
from hrapp.live_sessions.importer import import_sessions
from hrapp.live_sessions.models import ExchangeRate, LiveSession, SessionHost
from hrapp.streamers.models import PlatformAccount
from tests.factories import make_streamer

from .builders import JULY_XLSX, count, sample, template_file


@pytest.fixture
def hr_client(hr, login_as):
    hr.locale = "en"  # the asserted messages are English; HR chose English
    db.session.commit()
    return login_as(hr)


def upload(client, data: bytes, name: str = "sessions.csv", platform: str = "auto"):
    return client.post(
        "/imports/upload",
        data={"file": (io.BytesIO(data), name), "platform": platform},
        content_type="multipart/form-data",
    )


def text(response) -> str:
    return response.get_data(as_text=True)


def test_upload_preview_map_confirm_job_batch(room, hr_client):
    newcomer = make_streamer(employee_no="E2001")
    db.session.commit()
    data = template_file(
        {"started_at": "2026-09-03 19:00:00"},
        {"started_at": "2026-09-04 19:00:00", "account_id": "0777001", "nickname": "新人直播间"},
    )

    uploaded = upload(hr_client, data, "九月.csv")
    assert uploaded.status_code == 302
    preview_url = uploaded.headers["Location"]
    preview = hr_client.get(preview_url)

    page = text(preview)
    assert preview.status_code == 200 and count(LiveSession) == 0
    assert "0777001" in page and "新人直播间" in page
    assert "Unknown account 0777001 (新人直播间): map it to a streamer." in page
    assert "2026-09-03 19:00:00" in page  # the preview rows, in the organisation's time
    assert "Import only the 1 valid rows" in page
    # One form maps the check's accounts and comes back to the check.
    assert 'action="/imports/accounts/map-many"' in page
    assert f'name="next" value="{escape(preview_url)}"' in page

    mapped = hr_client.post(
        "/imports/accounts/map",
        data={
            "platform": "douyin",
            "account_id": "0777001",
            "nickname": "新人直播间",
            "employee_no": "E2001",
            "next": preview_url,
            "origin": "preview",
        },
    )
    assert mapped.status_code == 302 and mapped.headers["Location"] == preview_url
    account = db.session.scalars(
        select(PlatformAccount).where(PlatformAccount.account_id == "0777001")
    ).one()
    assert account.streamer_id == newcomer.id

    checked = text(hr_client.get(preview_url))
    assert "Unknown account" not in checked and "No problems found." in checked
    assert "Account 0777001 now belongs to E2001. Check the file again to import it." in checked

    sha = re.search(r"/imports/preview/([0-9a-f]{64})", preview_url).group(1)
    confirmed = hr_client.post(
        f"/imports/preview/{sha}/confirm", data={"name": "九月.csv", "platform": "auto"}
    )
    assert confirmed.status_code == 302
    job_page = hr_client.get(confirmed.headers["Location"])
    assert job_page.status_code == 200
    batch = db.session.scalars(select(ImportBatch)).one()
    assert (batch.status, batch.inserted, batch.filename) == ("imported", 2, "九月.csv")
    assert f"/imports/batches/{batch.id}" in text(job_page)
    assert count(LiveSession) == 2

    batch_page = text(hr_client.get(f"/imports/batches/{batch.id}"))
    assert "九月.csv" in batch_page and batch.sha256 in batch_page
    history = text(hr_client.get("/imports/"))
    assert "九月.csv" in history and batch.sha256[:12] in history and "hr_li" in history


def test_accepting_valid_rows_from_the_page(room, hr_client):
    uploaded = upload(
        hr_client, template_file({}, {"started_at": "2026-09-04 19:00:00", "gmv": "x"})
    )
    sha = re.search(r"preview/([0-9a-f]{64})", uploaded.headers["Location"]).group(1)

    hr_client.post(
        f"/imports/preview/{sha}/confirm",
        data={"name": "s.csv", "platform": "auto", "accept_valid_rows": "y"},
    )

    batch = db.session.scalars(select(ImportBatch)).one()
    assert (batch.status, batch.inserted, batch.rejected) == ("imported", 1, 1)
    page = text(hr_client.get(f"/imports/batches/{batch.id}"))
    assert "Not a number." in page


def test_confirming_without_accepting_a_file_with_errors_records_a_refusal(room, hr_client):
    uploaded = upload(hr_client, template_file({"gmv": "x"}))
    sha = re.search(r"preview/([0-9a-f]{64})", uploaded.headers["Location"]).group(1)

    hr_client.post(f"/imports/preview/{sha}/confirm", data={"name": "s.csv", "platform": "auto"})

    assert db.session.scalars(select(ImportBatch.status)).one() == "refused"
    assert count(LiveSession) == 0


def test_a_large_upload_is_checked_by_a_job_and_previewed_from_its_result(
    room, hr_client, monkeypatch
):
    monkeypatch.setattr(views, "PREVIEW_SYNC_BYTES", 10)

    uploaded = upload(hr_client, template_file({}))

    assert uploaded.status_code == 302 and "/jobs/" in uploaded.headers["Location"]
    job = db.session.scalars(select(Job)).one()
    assert job.status == "done" and job.result["payload"]["dry_run"]
    preview = hr_client.get(job.result["outcome"]["url"])
    assert preview.status_code == 200 and "No problems found." in text(preview)
    assert count(ImportBatch) == 0 and count(LiveSession) == 0


def test_a_file_that_is_not_an_export_is_refused_on_the_preview(room, hr_client):
    fake = b"%PDF-1.7\n" + bytes(range(256)) * 20
    preview = hr_client.get(upload(hr_client, fake, "sessions.csv").headers["Location"])

    assert preview.status_code == 200
    assert "This file cannot be imported" in text(preview)


def test_an_xlsx_above_the_row_limit_is_refused_with_advice(app, room, hr_client, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_XLSX_ROWS", 100)

    preview = hr_client.get(upload(hr_client, sample(JULY_XLSX), JULY_XLSX).headers["Location"])

    assert "This file cannot be imported" in text(preview)
    assert "CSV" in text(preview)


def test_an_upload_over_the_size_limit_gets_413(app, room, hr_client):
    boundary = "b0undary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        'filename="big.csv"\r\nContent-Type: text/csv\r\n\r\n'
    ).encode()
    body = head + b"x" * app.config["MAX_CONTENT_LENGTH"] + f"\r\n--{boundary}--\r\n".encode()

    response = hr_client.post(
        "/imports/upload", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )

    assert response.status_code == 413
    assert "too large" in text(response)


def test_an_upload_without_a_file_is_refused(room, hr_client):
    response = hr_client.post("/imports/upload", data={"platform": "auto"})

    assert response.status_code == 422


def test_preview_of_an_upload_that_is_not_kept_is_404(room, hr_client):
    assert hr_client.get("/imports/preview/" + "0" * 64 + "?name=x.csv").status_code == 404
    assert hr_client.get("/imports/preview/../../etc?name=x.csv").status_code == 404


def test_blank_template_download(room, hr_client):
    response = hr_client.get("/imports/template.csv")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.decode("utf-8-sig").startswith("platform,account_id")


# The batch page's box confirming what the rollback removes, ticked.
CONFIRMED = {"confirm": "y"}


def imported(data: bytes) -> ImportBatch:
    outcome = import_sessions(data, "s.csv")
    db.session.commit()
    return db.session.get(ImportBatch, outcome.batch_id)


def test_rollback_from_the_batch_page(room, hr_client):
    batch = imported(template_file({}))

    response = hr_client.post(f"/imports/batches/{batch.id}/rollback", data=CONFIRMED)

    assert response.status_code == 302
    db.session.expire_all()
    assert batch.status == "rolled_back" and count(LiveSession) == 0
    page = text(hr_client.get(response.headers["Location"]))
    assert "1 sessions removed" in page


def test_rollback_from_the_page_asks_before_discarding_host_edits(room, hr_client):
    make_streamer(employee_no="E1002")
    batch = imported(template_file({}))
    session_id = db.session.scalars(select(LiveSession.id)).one()
    services.set_hosts(session_id, [("E1001", 5_000), ("E1002", 5_000)])
    db.session.commit()

    page = text(hr_client.get(f"/imports/batches/{batch.id}"))
    refused = hr_client.post(
        f"/imports/batches/{batch.id}/rollback", data=CONFIRMED, follow_redirects=True
    )
    kept = count(LiveSession)
    confirmed = hr_client.post(
        f"/imports/batches/{batch.id}/rollback", data={**CONFIRMED, "discard_host_edits": "y"}
    )

    assert "HR edited the hosts of 1 session of this import since" in page
    assert "Also discard the host edits made since this import" in page
    assert "Confirm to roll back anyway" in text(refused) and kept == 1
    assert confirmed.status_code == 302 and count(LiveSession) == 0


def test_rollback_from_the_page_is_refused_when_a_finalized_cycle_covers_it(room, hr_client):
    batch = imported(template_file({}))
    db.session.add(
        AppraisalCycle(
            code="2026Q3",
            starts_on=dt.date(2026, 7, 1),
            ends_on=dt.date(2026, 9, 30),
            timezone="Asia/Shanghai",
            status="finalized",
        )
    )
    db.session.commit()

    response = hr_client.post(
        f"/imports/batches/{batch.id}/rollback", data=CONFIRMED, follow_redirects=True
    )

    assert "2026Q3 is finalized" in text(response)
    assert count(LiveSession) == 1


def test_exchange_rates_page_sets_and_lists_rates(app, hr_client):
    saved = hr_client.post(
        "/imports/rates", data={"currency": "usd", "month": "2026-09", "rate": "7.1234"}
    )
    refused = hr_client.post(
        "/imports/rates", data={"currency": "USD", "month": "2026-09", "rate": "-1"}
    )

    assert saved.status_code == 302 and refused.status_code == 422
    assert db.session.scalars(select(ExchangeRate.rate)).one() == "7.1234"
    assert "7.1234" in text(hr_client.get("/imports/rates"))


def test_editing_hosts_requires_shares_summing_to_100_and_is_audited(room, streamer, hr_client):
    partner = make_streamer(employee_no="E1002")
    imported(template_file({}))
    session = db.session.scalars(select(LiveSession)).one()
    url = f"/sessions/{session.id}/hosts"
    form = hr_client.get(url)
    assert form.status_code == 200 and "E1001" in text(form)

    wrong = hr_client.post(
        url,
        data={
            "hosts-0-employee_no": "E1001",
            "hosts-0-share": "60",
            "hosts-1-employee_no": "E1002",
            "hosts-1-share": "30.5",
        },
    )
    assert wrong.status_code == 422 and "90.5%, not 100%" in text(wrong)

    right = hr_client.post(
        url,
        data={
            "hosts-0-employee_no": "E1001",
            "hosts-0-share": "66.67",
            "hosts-1-employee_no": "E1002",
            "hosts-1-share": "33.33",
        },
    )
    assert right.status_code == 302
    shares = dict(db.session.execute(select(SessionHost.streamer_id, SessionHost.share_bp)).all())
    assert shares == {streamer.id: 6_667, partner.id: 3_333}
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "session.hosts")).one()
    assert entry.changes == {"hosts": ["E1001 100%", "E1001 66.67%; E1002 33.33%"]}
    assert "66.67" in text(hr_client.get(f"/sessions/{session.id}"))


def test_more_than_two_decimals_in_a_share_is_refused(room, hr_client):
    imported(template_file({}))
    session_id = db.session.scalars(select(LiveSession.id)).one()

    response = hr_client.post(
        f"/sessions/{session_id}/hosts",
        data={"hosts-0-employee_no": "E1001", "hosts-0-share": "99.999"},
    )

    assert response.status_code == 422 and "two decimals" in text(response)


def test_sessions_list_filters_and_flags_sessions_over_8_hours(room, hr_client):
    imported(
        template_file(
            {"started_at": "2026-09-03 10:00:00", "ended_at": "2026-09-03 19:00:01"},
            {"started_at": "2026-09-05 19:00:00"},
        )
    )

    everything = text(hr_client.get("/sessions/"))
    long_only = text(hr_client.get("/sessions/?long=1"))
    by_streamer = text(hr_client.get("/sessions/?employee_no=E1001&since=2026-09-04"))
    nobody = text(hr_client.get("/sessions/?employee_no=E4040"))

    assert everything.count("over 8 h") == 1 and "9:00:01" in everything
    assert "9:00:01" in long_only and "2:30:15" not in long_only
    assert "2:30:15" in by_streamer and "9:00:01" not in by_streamer
    assert "No sessions match." in nobody


def test_session_page_shows_hosts_and_history(room, hr_client):
    imported(template_file({"refunds": "100.00"}))
    imported(template_file({"refunds": "250.00"}))
    session_id = db.session.scalars(select(LiveSession.id)).one()

    page = text(hr_client.get(f"/sessions/{session_id}"))

    assert "张小红" in page and "100%" in page
    # The section's tabs: a session belongs under "Sessions"; the template is a download.
    tabs = page.split('<nav class="subnav"')[1].split("</nav>")[0]
    assert '<a href="/sessions/" class="active" aria-current="page">Sessions</a>' in tabs
    assert '<a href="/imports/">Imports</a>' in tabs
    assert 'href="/imports/template.csv"' in tabs
    # The history speaks of refunds in yuan, not of a column in fen.
    assert "Refunds" in page and "¥100.00" in page and "¥250.00" in page
    assert "refunds_fen" not in page and "25000" not in page
