"""Training imports as batches of the one import history: preview, import, duplicate, refusal,
rollback."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import func, select

from hrapp.core.errors import Conflict
from hrapp.extensions import db
from hrapp.live_sessions.models import ImportBatch
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
