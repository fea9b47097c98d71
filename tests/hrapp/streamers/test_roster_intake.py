"""The roster import as an intake: the preview names every problem the confirm would meet.

The demo agency's roster (`hrapp demo load`) and the sample roster file disagree on hire dates:
seven of the sample's streamers were hired, by the file, after their first level change in the
demo's history. The preview once said "update 24" and its confirm then refused the file.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from hrapp.auth.models import Role
from hrapp.core.timeutil import org_zone
from hrapp.demo import services as demo_services
from hrapp.demo.generator import build_demo_set
from hrapp.extensions import db
from hrapp.jobs.models import Job
from hrapp.streamers.models import Streamer
from hrapp.streamers.roster_import import apply_plan, plan_import
from tests.factories import make_user
from tests.hrapp.streamers.conftest import SAMPLE, TODAY

# The sample's rows whose hire date comes after the demo streamer's first level change.
ROWS_HIRED_AFTER_FIRST_CHANGE = [8, 14, 15, 16, 19, 20, 25]


@pytest.fixture
def demo_roster(app) -> None:
    """Only the roster of the demo agency (its sessions and training do not matter here)."""
    hr = make_user(Role.HR, username="hr")
    demo = build_demo_set(TODAY, org_zone(), 48)
    demo_services._write_roster(demo, changed_by=hr)
    db.session.commit()


def test_the_preview_names_the_hire_dates_the_confirm_would_refuse(demo_roster) -> None:
    plan = plan_import(SAMPLE.read_bytes())

    hire_date_problems = [p for p in plan.problems if p.column == "hire_date"]
    assert [p.row for p in hire_date_problems] == ROWS_HIRED_AFTER_FIRST_CHANGE
    assert all("first level change" in p.text for p in hire_date_problems)
    assert len(plan.problems) == len(ROWS_HIRED_AFTER_FIRST_CHANGE)


def test_without_those_rows_the_preview_and_the_confirm_agree(demo_roster) -> None:
    lines = SAMPLE.read_bytes().splitlines()
    kept = [line for n, line in enumerate(lines, 1) if n not in ROWS_HIRED_AFTER_FIRST_CHANGE]
    data = b"\n".join(kept)

    preview = plan_import(data)
    assert preview.problems == []
    shown = (preview.summary, preview.fingerprint)
    confirmed = plan_import(data, rehearse=False)
    assert (confirmed.summary, confirmed.fingerprint) == shown

    summary = apply_plan(confirmed, "roster.csv")

    assert summary == preview.summary
    assert summary.updated == 24 - len(ROWS_HIRED_AFTER_FIRST_CHANGE)


def test_a_rehearsal_leaves_the_roster_as_it_was(demo_roster) -> None:
    before = {s.employee_no: s.hire_date for s in db.session.scalars(db.select(Streamer))}
    plan_import(SAMPLE.read_bytes())
    db.session.expire_all()
    after = {s.employee_no: s.hire_date for s in db.session.scalars(db.select(Streamer))}
    assert after == before


def test_a_rehearsal_leaves_no_object_of_a_row_it_inserted_in_the_session(app) -> None:
    """The rolled-back rows' objects would meet the confirm's inserts of the same ids (one
    account id on two platforms: the first account is loaded again inside the savepoint)."""
    header = SAMPLE.read_text(encoding="utf-8").splitlines()[0]
    rows = [
        "E2,乙,,assistant,beauty,,2024-02-03,douyin,01,",
        "E2,乙,,assistant,beauty,,2024-02-03,taobao,01,",
    ]
    plan_import("\n".join([header, *rows]).encode())

    for key in list(db.session.identity_map.keys()):
        model, identity = key[0], key[1]
        assert db.session.execute(db.select(model).filter_by(id=identity[0])).first() is not None


# --- batches -------------------------------------------------------------------------------


def _batches() -> list:
    from hrapp.intake.batch_model import ImportBatch

    return list(db.session.scalars(db.select(ImportBatch).order_by(ImportBatch.id)))


def test_an_import_is_a_roster_batch_and_the_same_file_again_is_already_imported(app) -> None:
    from hrapp.streamers.roster_batches import import_roster

    first = import_roster(SAMPLE.read_bytes(), "roster.csv")
    db.session.commit()
    again = import_roster(SAMPLE.read_bytes(), "roster-copy.csv")
    db.session.commit()

    [batch] = _batches()
    assert (first.status, first.batch_id) == ("imported", batch.id)
    assert (batch.kind, batch.status, batch.filename) == ("roster", "imported", "roster.csv")
    assert (batch.inserted, batch.updated, batch.total_rows) == (24, 0, 24)
    assert (again.status, again.batch_id) == ("duplicate", batch.id)


def test_a_refused_import_keeps_its_report_in_the_history(app) -> None:
    from hrapp.streamers.roster_batches import import_roster

    data = SAMPLE.read_bytes().replace(b"2023-06-04", b"2023-13-04")
    outcome = import_roster(data, "bad.csv")
    db.session.commit()

    [batch] = _batches()
    assert (outcome.status, batch.status, batch.kind) == ("refused", "refused", "roster")
    assert [(p["row"], p["column"]) for p in batch.report] == [(2, "hire_date")]
    assert batch.report[0]["reason"]["id"] == "This is not a date; write it as YYYY-MM-DD."
    assert db.session.scalar(db.select(db.func.count()).select_from(Streamer)) == 0


def test_a_dry_run_writes_no_batch(app) -> None:
    from hrapp.streamers.roster_batches import import_roster

    outcome = import_roster(SAMPLE.read_bytes(), "roster.csv", dry_run=True)
    db.session.commit()

    assert outcome.status == "checked"
    assert outcome.summary.created == 24
    assert _batches() == []
    assert db.session.scalar(db.select(db.func.count()).select_from(Streamer)) == 0


def test_rolling_back_removes_what_the_batch_created_and_restores_what_it_changed(app) -> None:
    from hrapp.streamers.roster_batches import import_roster, rollback_roster_batch

    import_roster(SAMPLE.read_bytes(), "roster.csv")
    db.session.commit()
    changed = (
        SAMPLE.read_text(encoding="utf-8")
        .replace("E1001,张小红", "E1001,Zhang")
        .replace("E1002,王宇轩,宇轩酱,assistant", "E1002,王宇轩,宇轩酱,senior")
        .encode()
    )
    second = import_roster(changed, "roster-2.csv")
    db.session.commit()
    assert second.summary.updated == 2

    result = rollback_roster_batch(second.batch_id)
    db.session.commit()

    e1001 = db.session.scalar(db.select(Streamer).where(Streamer.employee_no == "E1001"))
    e1002 = db.session.scalar(db.select(Streamer).where(Streamer.employee_no == "E1002"))
    assert (result.removed, result.restored) == (0, 2)
    assert e1001.legal_name == "张小红"
    assert (e1002.level, len(e1002.level_changes)) == ("assistant", 1)
    first_batch, second_batch = _batches()
    assert second_batch.status == "rolled_back"

    result = rollback_roster_batch(first_batch.id)
    db.session.commit()
    assert result.removed == 24
    assert db.session.scalar(db.select(db.func.count()).select_from(Streamer)) == 0


def test_a_rollback_is_refused_when_a_streamer_changed_since(app) -> None:
    from hrapp.core.errors import Conflict
    from hrapp.streamers import services
    from hrapp.streamers.roster_batches import import_roster, rollback_roster_batch

    outcome = import_roster(SAMPLE.read_bytes(), "roster.csv")
    db.session.commit()
    e1001 = db.session.scalar(db.select(Streamer).where(Streamer.employee_no == "E1001"))
    services.rename_account(e1001.accounts[0], "new name")
    db.session.commit()

    with pytest.raises(Conflict, match="E1001"):
        rollback_roster_batch(outcome.batch_id)
    db.session.rollback()
    assert _batches()[0].status == "imported"


def _finalized_cycle(code: str, first: str, last: str) -> None:
    import datetime as dt

    from hrapp.appraisals.models import AppraisalCycle

    db.session.add(
        AppraisalCycle(
            code=code,
            starts_on=dt.date.fromisoformat(first),
            ends_on=dt.date.fromisoformat(last),
            timezone="Asia/Shanghai",
            status="finalized",
        )
    )
    db.session.commit()


def test_a_streamer_the_batch_created_is_removed_although_a_cycle_of_its_days_was_finalized(
    app,
) -> None:
    """A finalized cycle holds no appraisal of a streamer created after it was run (one that
    has any appraisal is refused as built upon), so its days alone keep nothing in place."""
    from hrapp.streamers.roster_batches import import_roster, rollback_roster_batch

    outcome = import_roster(SAMPLE.read_bytes(), "roster.csv")
    db.session.commit()
    _finalized_cycle("2026Q3", "2026-07-01", "2026-09-30")

    result = rollback_roster_batch(outcome.batch_id)
    db.session.commit()

    assert result.removed == 24


def test_a_rollback_of_a_level_change_inside_a_finalized_cycle_is_refused(app) -> None:
    from hrapp.core.errors import Locked
    from hrapp.streamers.roster_batches import import_roster, rollback_roster_batch

    import_roster(SAMPLE.read_bytes(), "roster.csv")
    db.session.commit()
    promoted = SAMPLE.read_text(encoding="utf-8").replace(
        "E1002,王宇轩,宇轩酱,assistant", "E1002,王宇轩,宇轩酱,senior"
    )
    second = import_roster(promoted.encode(), "roster-2.csv")
    db.session.commit()
    _finalized_cycle("2026Q3", "2026-07-01", "2026-09-30")

    with pytest.raises(Locked, match="2026Q3"):
        rollback_roster_batch(second.batch_id)
    db.session.rollback()
    assert _batches()[1].status == "imported"


# --- the command ---------------------------------------------------------------------------


def test_the_command_applies_at_once_and_a_second_run_is_a_success(app, tmp_path) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(SAMPLE.read_bytes())
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["roster", "import", str(path), "--dry-run"])
    first = runner.invoke(args=["roster", "import", str(path)])
    second = runner.invoke(args=["roster", "import", str(path)])

    assert dry.exit_code == 0 and "Dry run" in dry.output
    assert first.exit_code == 0, first.output
    [batch] = _batches()
    assert f"Import batch {batch.id}." in first.output
    assert second.exit_code == 0, second.output
    assert f"Already imported as batch {batch.id}; nothing changed." in second.output
    assert len(_batches()) == 1


def test_the_command_keeps_a_refused_batch_and_exits_1(app, tmp_path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(SAMPLE.read_bytes().replace(b"2023-06-04", b"2023-13-04"))

    result = app.test_cli_runner().invoke(args=["roster", "import", str(path)])

    assert result.exit_code == 1
    assert "Row 2, column Hire date" in result.output
    [batch] = _batches()
    assert batch.status == "refused"


# --- the upload page -----------------------------------------------------------------------


def _upload(client, data: bytes, name: str = "roster.csv"):
    return client.post(
        "/streamers/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _confirm_fields(html: str) -> dict[str, str]:
    return {
        name: re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html)[1]
        for name in ("token", "fingerprint", "filename")
    }


@pytest.fixture(autouse=True)
def _no_uploads_yet(app):
    """The upload folder is the test session's: each test starts with none kept (an earlier
    test in the same process may have left one)."""
    folder = Path(app.config["UPLOAD_DIR"]) / "roster"
    for path in folder.glob("*") if folder.exists() else []:
        path.unlink()


def _kept_uploads(app) -> list[str]:
    folder = Path(app.config["UPLOAD_DIR"]) / "roster"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_the_confirm_leads_to_the_batch_and_the_history(app, login_as, hr) -> None:
    client = login_as(hr)
    html = _upload(client, SAMPLE.read_bytes()).get_data(as_text=True)

    response = client.post("/streamers/import/confirm", data=_confirm_fields(html))

    [batch] = _batches()
    assert response.headers["Location"].endswith(f"/streamers/import/batches/{batch.id}")
    page = client.get(f"/streamers/import/batches/{batch.id}").get_data(as_text=True)
    assert "roster.csv" in page and "/rollback" in page
    history = client.get("/streamers/import").get_data(as_text=True)
    assert f"/streamers/import/batches/{batch.id}" in history
    assert _kept_uploads(app) == []


def test_a_refused_preview_does_not_keep_the_upload(app, login_as, hr) -> None:
    bad = SAMPLE.read_bytes().replace(b"2023-06-04", b"2023-13-04")

    response = _upload(login_as(hr), bad)

    assert response.status_code == 422
    assert _kept_uploads(app) == []


def test_uploading_an_imported_file_again_says_so(app, login_as, hr) -> None:
    client = login_as(hr)
    html = _upload(client, SAMPLE.read_bytes()).get_data(as_text=True)
    client.post("/streamers/import/confirm", data=_confirm_fields(html))

    again = _upload(client, SAMPLE.read_bytes())

    [batch] = _batches()
    assert again.status_code == 302
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert f"Already imported as batch {batch.id}; nothing changed." in page
    assert len(_batches()) == 1


def test_the_same_reason_on_many_rows_is_one_line(app, login_as, hr) -> None:
    bad = SAMPLE.read_bytes().replace(b",beauty,", b",makeup,")

    html = _upload(login_as(hr), bad).get_data(as_text=True)

    assert html.count("Unknown category") == 1
    assert '<td class="num">6</td>' in html
    assert "<details>" in html and "Rows 2, 6, 10, 14, 18, 22" in html


def test_a_large_file_is_checked_and_imported_by_a_background_job(app, login_as, hr) -> None:
    app.config["IMPORT_JOB_ROWS"] = 10
    try:
        client = login_as(hr)
        upload = _upload(client, SAMPLE.read_bytes())
        assert upload.status_code == 302 and "/jobs/" in upload.headers["Location"]
        job = db.session.scalars(db.select(Job).order_by(Job.id.desc())).first()
        assert (job.kind, job.status) == ("roster_import", "done")
        preview = client.get(job.result["outcome"]["url"])
        html = preview.get_data(as_text=True)
        assert preview.status_code == 200 and "Streamers: 24 created" in html

        confirm = client.post("/streamers/import/confirm", data=_confirm_fields(html))

        assert "/jobs/" in confirm.headers["Location"]
        db.session.expire_all()
        job = db.session.scalars(db.select(Job).order_by(Job.id.desc())).first()
        [batch] = _batches()
        assert job.result["outcome"]["batch_id"] == batch.id
        assert batch.inserted == 24
    finally:
        app.config.pop("IMPORT_JOB_ROWS")


def test_a_batch_is_rolled_back_from_its_page(app, login_as, hr) -> None:
    client = login_as(hr)
    html = _upload(client, SAMPLE.read_bytes()).get_data(as_text=True)
    client.post("/streamers/import/confirm", data=_confirm_fields(html))
    [batch] = _batches()

    unticked = client.post(f"/streamers/import/batches/{batch.id}/rollback", data={})
    assert unticked.status_code == 302 and _batches()[0].status == "imported"
    done = client.post(
        f"/streamers/import/batches/{batch.id}/rollback",
        data={"confirm": "y"},
        follow_redirects=True,
    )

    assert "24 streamers removed" in done.get_data(as_text=True)
    db.session.expire_all()
    assert _batches()[0].status == "rolled_back"
    assert db.session.scalar(db.select(db.func.count()).select_from(Streamer)) == 0


def test_the_audit_log_and_the_dashboard_link_a_roster_batch_to_its_page(app, login_as, hr) -> None:
    client = login_as(hr)
    html = _upload(client, SAMPLE.read_bytes()).get_data(as_text=True)
    client.post("/streamers/import/confirm", data=_confirm_fields(html))
    [batch] = _batches()

    link = f'href="/streamers/import/batches/{batch.id}"'
    assert link in client.get("/audit/").get_data(as_text=True)
    assert link in client.get("/dashboard").get_data(as_text=True)


def test_an_upload_abandoned_for_a_day_is_removed_by_the_hourly_sweep(app, login_as, hr) -> None:
    import os
    import time

    from hrapp.jobs.queue import job_queue

    _upload(login_as(hr), SAMPLE.read_bytes())
    [kept] = _kept_uploads(app)
    path = Path(app.config["UPLOAD_DIR"]) / "roster" / kept
    day_and_a_minute_ago = time.time() - 24 * 3600 - 60
    os.utime(path, (day_and_a_minute_ago, day_and_a_minute_ago))

    job_queue().sweep_uploads.call_local()

    assert _kept_uploads(app) == []


def test_the_check_and_the_write_report_their_progress_per_streamer(app) -> None:
    from hrapp.streamers.roster_batches import import_roster

    seen: list[tuple[int, int, str]] = []

    def progress(done: int, total: int, step) -> None:
        seen.append((done, total, step["id"] if isinstance(step, dict) else step))

    import_roster(SAMPLE.read_bytes(), "roster.csv", dry_run=True, progress=progress)
    checked = [s for s in seen if s[2] == "Checking each change against the roster…"]
    seen.clear()
    import_roster(SAMPLE.read_bytes(), "roster.csv", progress=progress)
    written = [s for s in seen if s[2] == "Writing the roster…"]

    assert [done for done, _total, _step in checked] == list(range(24))
    assert (written[-1][0], written[-1][1]) == (24, 24) and len(written) >= 24


def test_a_finished_check_job_says_so_and_links_to_the_preview(app, login_as, hr) -> None:
    app.config["IMPORT_JOB_ROWS"] = 10
    try:
        client = login_as(hr)
        upload = _upload(client, SAMPLE.read_bytes())
        page = client.get(upload.headers["Location"]).get_data(as_text=True)
    finally:
        app.config.pop("IMPORT_JOB_ROWS")

    assert "Check finished: roster.csv" in page
    assert "/streamers/import/preview/" in page
