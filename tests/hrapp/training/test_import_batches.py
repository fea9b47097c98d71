"""Training imports as batches of the one import history: preview, import, duplicate, refusal,
rollback."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hrapp.core.errors import Conflict
from hrapp.extensions import db
from hrapp.intake.batch_model import ImportBatch
from hrapp.jobs.models import Job
from hrapp.training.batches import import_training, rollback_training_batch
from hrapp.training.models import TrainingRecord
from hrapp.training.services import void_record
from tests.conftest import DATA_DIR
from tests.factories import make_streamer

SAMPLE = DATA_DIR / "training" / "training_records.csv"


def _sample_rows() -> list[dict[str, str]]:
    with SAMPLE.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def roster(app):
    numbers = sorted({row["employee_no"] for row in _sample_rows()})
    streamers = {no: make_streamer(employee_no=no) for no in numbers}
    db.session.commit()
    return streamers


def _records() -> int:
    return int(db.session.scalar(select(func.count()).select_from(TrainingRecord)) or 0)


def _batches() -> list[ImportBatch]:
    return list(db.session.scalars(select(ImportBatch).order_by(ImportBatch.id)))


def test_a_preview_writes_nothing_and_the_import_writes_what_it_showed(
    modules, roster, trainer, today
) -> None:
    rows = len(_sample_rows())
    preview = import_training(SAMPLE.read_bytes(), SAMPLE.name, dry_run=True)
    db.session.commit()
    assert (preview.status, preview.inserted, preview.total) == ("checked", rows, rows)
    assert _records() == 0 and _batches() == []

    done = import_training(SAMPLE.read_bytes(), SAMPLE.name, user_id=trainer.id)
    db.session.commit()

    assert done.fingerprint == preview.fingerprint
    [batch] = _batches()
    assert (done.status, done.batch_id) == ("imported", batch.id)
    assert (batch.kind, batch.status, batch.inserted, batch.created_by_id) == (
        "training",
        "imported",
        rows,
        trainer.id,
    )
    assert _records() == rows


def test_the_same_file_again_is_already_imported_and_adds_no_batch(modules, roster, today) -> None:
    first = import_training(SAMPLE.read_bytes(), SAMPLE.name)
    db.session.commit()
    again = import_training(SAMPLE.read_bytes(), "copy.csv")
    db.session.commit()

    assert (again.status, again.batch_id) == ("duplicate", first.batch_id)
    assert len(_batches()) == 1


def test_a_refused_import_keeps_its_report(modules, roster, today) -> None:
    data = SAMPLE.read_bytes().replace(b"SCRIPT-1", b"NOPE-9", 1)
    outcome = import_training(data, "bad.csv")
    db.session.commit()

    [batch] = _batches()
    assert (outcome.status, batch.status, batch.kind) == ("refused", "refused", "training")
    assert batch.report and batch.report[0]["column"] == "module_code"
    assert batch.report[0]["reason"]["id"] == "No module has this code."
    assert _records() == 0


def test_a_rollback_removes_the_records_and_the_file_imports_again(modules, roster, today) -> None:
    first = import_training(SAMPLE.read_bytes(), SAMPLE.name)
    db.session.commit()

    removed = rollback_training_batch(first.batch_id)
    db.session.commit()

    assert removed == len(_sample_rows()) and _records() == 0
    assert _batches()[0].status == "rolled_back"
    again = import_training(SAMPLE.read_bytes(), SAMPLE.name)
    db.session.commit()
    assert again.status == "imported" and _records() == removed


def test_a_rollback_is_refused_once_a_record_was_voided(modules, roster, hr, today) -> None:
    first = import_training(SAMPLE.read_bytes(), SAMPLE.name)
    db.session.commit()
    record = db.session.scalars(select(TrainingRecord)).first()
    void_record(record, "entered twice", by=hr)
    db.session.commit()

    with pytest.raises(Conflict):
        rollback_training_batch(first.batch_id)
    db.session.rollback()
    assert _batches()[0].status == "imported"


# --- the upload page -----------------------------------------------------------------------


def _upload(client, data: bytes, name: str = "training_records.csv"):
    return client.post(
        "/training/import",
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
    folder = Path(app.config["UPLOAD_DIR"]) / "training"
    for path in folder.glob("*") if folder.exists() else []:
        path.unlink()


def _kept_uploads(app) -> list[str]:
    folder = Path(app.config["UPLOAD_DIR"]) / "training"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_preview_confirm_batch_page_and_rollback(app, modules, roster, trainer, login_as, today):
    client = login_as(trainer)
    preview = _upload(client, SAMPLE.read_bytes()).get_data(as_text=True)
    assert _records() == 0

    confirmed = client.post("/training/import/confirm", data=_confirm_fields(preview))

    [batch] = _batches()
    assert confirmed.headers["Location"].endswith(f"/training/import/batches/{batch.id}")
    assert _records() == len(_sample_rows()) and _kept_uploads(app) == []
    page = client.get(f"/training/import/batches/{batch.id}").get_data(as_text=True)
    assert "/rollback" in page
    again = _upload(client, SAMPLE.read_bytes())
    assert again.status_code == 302
    assert "Already imported as batch" in client.get(again.headers["Location"]).get_data(
        as_text=True
    )
    client.post(f"/training/import/batches/{batch.id}/rollback", data={"confirm": "y"})
    db.session.expire_all()
    assert _records() == 0 and _batches()[0].status == "rolled_back"


def test_a_refused_preview_groups_its_problems_and_keeps_no_upload(
    app, modules, roster, trainer, login_as, today
) -> None:
    bad = SAMPLE.read_bytes().replace(b"SCRIPT-1", b"NOPE-9")

    response = _upload(login_as(trainer), bad)

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert html.count("No module has this code.") == 1 and "<details>" in html
    assert _kept_uploads(app) == [] and _records() == 0


def test_a_large_file_runs_as_a_background_job(app, modules, roster, trainer, login_as, today):
    app.config["IMPORT_JOB_ROWS"] = 5
    try:
        client = login_as(trainer)
        upload = _upload(client, SAMPLE.read_bytes())
        assert "/jobs/" in upload.headers["Location"]
        job = db.session.scalars(select(Job).order_by(Job.id.desc())).first()
        assert (job.kind, job.status) == ("training_import", "done")
        preview = client.get(job.result["outcome"]["url"]).get_data(as_text=True)

        confirm = client.post("/training/import/confirm", data=_confirm_fields(preview))

        assert "/jobs/" in confirm.headers["Location"]
        assert _records() == len(_sample_rows())
    finally:
        app.config.pop("IMPORT_JOB_ROWS")


def test_the_command_previews_with_dry_run_and_applies_at_once(app, roster, today) -> None:
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["training", "import", str(SAMPLE), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Dry run" in dry.output and _records() == 0 and _batches() == []
    done = runner.invoke(args=["training", "import", str(SAMPLE)])

    [batch] = _batches()
    assert done.exit_code == 0 and f"Import batch {batch.id}." in done.output
    assert _records() == len(_sample_rows())


def test_the_command_keeps_a_refused_batch_and_exits_1(app, roster, tmp_path, today) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(SAMPLE.read_bytes().replace(b"SCRIPT-1", b"NOPE-9"))

    result = app.test_cli_runner().invoke(args=["training", "import", str(bad)])

    assert result.exit_code == 1
    assert "No module has this code." in result.output
    assert [b.status for b in _batches()] == ["refused"]


def test_a_file_with_only_its_header_is_refused(modules, roster, today) -> None:
    header = SAMPLE.read_bytes().splitlines()[0] + b"\n"

    outcome = import_training(header, "empty.csv", dry_run=True)

    assert [p.reason["id"] for p in outcome.problems] == ["The file has no data rows."]


def test_a_job_that_refuses_a_file_removes_its_upload(
    app, modules, roster, trainer, login_as, today
) -> None:
    app.config["IMPORT_JOB_ROWS"] = 5
    try:
        upload = _upload(login_as(trainer), SAMPLE.read_bytes().replace(b"SCRIPT-1", b"NOPE-9"))
    finally:
        app.config.pop("IMPORT_JOB_ROWS")

    assert "/jobs/" in upload.headers["Location"]
    assert _kept_uploads(app) == []
