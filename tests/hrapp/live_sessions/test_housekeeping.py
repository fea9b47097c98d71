"""A session file already imported changes nothing and adds no batch; uploads are kept only as
long as a preview may still be confirmed (refused, imported and day-old ones are removed)."""

from __future__ import annotations

import io
import os
import re
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from hrapp.core.audit import AuditEntry
from hrapp.extensions import db
from hrapp.intake.batch_model import ImportBatch
from hrapp.jobs.models import Job
from hrapp.jobs.queue import job_queue
from hrapp.live_sessions import services, views
from hrapp.live_sessions.importer import import_sessions
from hrapp.live_sessions.models import LiveSession
from tests.live_sessions_parsing.builders import zip_bytes

from .builders import count, template_file

WORKBOOK_PARTS = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}


@pytest.fixture(autouse=True)
def _no_uploads_yet(app):
    """The upload folder is the test session's: each test starts with none kept."""
    folder = Path(app.config["UPLOAD_DIR"]) / "sessions"
    for path in folder.glob("*") if folder.exists() else []:
        path.unlink()


@pytest.fixture
def hr_client(hr, login_as):
    hr.locale = "en"
    db.session.commit()
    return login_as(hr)


def upload(client, data: bytes, name: str = "sessions.csv"):
    return client.post(
        "/imports/upload",
        data={"file": (io.BytesIO(data), name), "platform": "auto"},
        content_type="multipart/form-data",
    )


def kept_uploads(app) -> list[str]:
    folder = Path(app.config["UPLOAD_DIR"]) / "sessions"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def sha_of(response) -> str:
    return re.search(r"preview/([0-9a-f]{64})", response.headers["Location"]).group(1)


# --- already imported ------------------------------------------------------------------------


def test_the_same_file_again_is_already_imported_adds_no_batch_and_audits_nothing(app, room):
    data = template_file({})
    first = import_sessions(data, "九月.csv")
    db.session.commit()
    batches, audits = count(ImportBatch), count(AuditEntry)

    again = import_sessions(data, "九月-copy.csv")
    checked = import_sessions(data, "九月.csv", dry_run=True)

    assert (again.status, again.batch_id) == ("duplicate", first.batch_id)
    assert (checked.status, checked.batch_id) == ("duplicate", first.batch_id)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 1)
    assert count(ImportBatch) == batches and count(AuditEntry) == audits


def test_a_file_imported_without_its_rejected_rows_may_be_imported_again(app, room):
    # The rows refused for an unknown account come in once the account is mapped.
    data = template_file(
        {}, {"started_at": "2026-09-04 19:00:00", "account_id": "0777001", "nickname": "新人"}
    )
    first = import_sessions(data, "s.csv", accept_valid_rows=True)
    assert (first.status, first.rejected) == ("imported", 1)
    services.map_account("douyin", "0777001", "新人", "E1001")

    again = import_sessions(data, "s.csv")

    assert (again.status, again.inserted, again.unchanged) == ("imported", 1, 1)


def test_a_rolled_back_file_is_not_already_imported(app, room):
    data = template_file({})
    first = import_sessions(data, "s.csv")
    services.rollback_batch(first.batch_id)

    again = import_sessions(data, "s.csv")

    assert (again.status, again.inserted) == ("imported", 1)


def test_the_command_says_already_imported_and_exits_zero(app, room, tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes(template_file({}))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["sessions", "import", str(path)])
    batch_id = db.session.scalars(select(ImportBatch.id)).one()

    again = runner.invoke(args=["sessions", "import", str(path)])
    checked = runner.invoke(args=["sessions", "import", "--dry-run", str(path)])

    assert first.exit_code == 0, first.output
    assert again.exit_code == 0, again.output
    assert f"Already imported as batch {batch_id}; nothing changed." in again.output
    assert checked.exit_code == 0 and f"batch {batch_id}" in checked.output
    assert count(ImportBatch) == 1 and count(LiveSession) == 1


def test_the_page_says_already_imported_and_shows_the_earlier_batch(app, room, hr_client):
    data = template_file({})
    sha = sha_of(upload(hr_client, data))
    hr_client.post(f"/imports/preview/{sha}/confirm", data={"name": "s.csv", "platform": "auto"})
    batch_id = db.session.scalars(select(ImportBatch.id)).one()

    preview = hr_client.get(upload(hr_client, data, "again.csv").headers["Location"])

    assert preview.status_code == 302
    assert preview.headers["Location"].endswith(f"/imports/batches/{batch_id}")
    page = hr_client.get(preview.headers["Location"]).get_data(as_text=True)
    assert f"Already imported as batch {batch_id}; nothing changed." in page
    assert count(ImportBatch) == 1 and kept_uploads(app) == []


# --- uploads kept no longer than needed ------------------------------------------------------


def test_an_imported_upload_is_removed(app, room, hr_client):
    sha = sha_of(upload(hr_client, template_file({})))
    assert kept_uploads(app) == [sha]

    hr_client.post(f"/imports/preview/{sha}/confirm", data={"name": "s.csv", "platform": "auto"})

    assert db.session.scalars(select(ImportBatch.status)).one() == "imported"
    assert kept_uploads(app) == []


def test_a_zip_bomb_is_refused_on_the_preview_and_its_upload_removed(app, room, hr_client):
    bomb = zip_bytes({**WORKBOOK_PARTS, "xl/worksheets/sheet1.xml": b"0" * 20_000_000})

    preview = hr_client.get(upload(hr_client, bomb, "bomb.xlsx").headers["Location"])

    assert "This file cannot be imported" in preview.get_data(as_text=True)
    assert kept_uploads(app) == []


def test_a_file_in_an_unknown_layout_is_kept_for_its_column_mapping(app, room, hr_client):
    data = "主播,开播,成交额\n0439563,2026-09-03 19:00,100\n".encode()

    preview = hr_client.get(upload(hr_client, data).headers["Location"])

    assert "Map the columns" in preview.get_data(as_text=True)
    assert len(kept_uploads(app)) == 1


def test_a_session_upload_abandoned_for_a_day_is_removed_by_the_hourly_sweep(app, room, hr_client):
    sha = sha_of(upload(hr_client, template_file({})))
    path = Path(app.config["UPLOAD_DIR"]) / "sessions" / sha
    day_and_a_minute_ago = time.time() - 24 * 3600 - 60
    os.utime(path, (day_and_a_minute_ago, day_and_a_minute_ago))

    job_queue().sweep_uploads.call_local()

    assert kept_uploads(app) == []


def test_a_large_file_already_imported_is_answered_after_its_check_job(
    app, room, hr_client, monkeypatch
):
    data = template_file({})
    first = import_sessions(data, "s.csv")
    db.session.commit()
    monkeypatch.setattr(views, "PREVIEW_SYNC_BYTES", 10)  # every upload is checked by a job

    uploaded = upload(hr_client, data)
    job = db.session.scalars(select(Job)).one()
    preview = hr_client.get(job.result["outcome"]["url"])

    assert preview.headers["Location"].endswith(f"/imports/batches/{first.batch_id}")
    page = hr_client.get(preview.headers["Location"]).get_data(as_text=True)
    assert f"Already imported as batch {first.batch_id}; nothing changed." in page
    assert "/jobs/" in uploaded.headers["Location"] and kept_uploads(app) == []
    assert count(ImportBatch) == 1


def test_a_zip_bomb_checked_by_a_job_is_refused_and_its_upload_removed(
    app, room, hr_client, monkeypatch
):
    monkeypatch.setattr(views, "PREVIEW_SYNC_BYTES", 10)
    bomb = zip_bytes({**WORKBOOK_PARTS, "xl/worksheets/sheet1.xml": b"0" * 20_000_000})

    upload(hr_client, bomb, "bomb.xlsx")
    job = db.session.scalars(select(Job)).one()
    preview = hr_client.get(job.result["outcome"]["url"])

    assert "This file cannot be imported" in preview.get_data(as_text=True)
    assert kept_uploads(app) == [] and count(ImportBatch) == 0
