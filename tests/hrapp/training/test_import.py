"""Point 2: `hrapp training import FILE` and the upload page — all or nothing, row-level
problems, idempotent; CSV (UTF-8, GB18030) and XLSX alike."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import openpyxl
import pytest
from sqlalchemy import func, select

from hrapp.core.audit import AuditEntry
from hrapp.extensions import db
from hrapp.intake.batch_model import ImportBatch
from hrapp.training.batches import import_training_file
from hrapp.training.imports import ImportRefused
from hrapp.training.models import Module, TrainingRecord
from hrapp.training.services import training_facts, void_record
from tests.conftest import DATA_DIR
from tests.factories import make_streamer

SAMPLE = DATA_DIR / "training" / "training_records.csv"
BAD = DATA_DIR / "training" / "bad_rows.csv"


def _sample_rows() -> list[dict[str, str]]:
    with SAMPLE.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def roster(app):
    numbers = sorted({row["employee_no"] for row in _sample_rows()})
    streamers = {no: make_streamer(employee_no=no) for no in numbers}
    db.session.commit()
    return streamers


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _facts() -> list[tuple]:
    return sorted(map(tuple, training_facts().astype({"score": object}).to_numpy().tolist()))


def test_the_sample_file_imports_every_row(modules, roster, trainer, today) -> None:
    rows = _sample_rows()
    result = import_training_file(SAMPLE.name, SAMPLE.read_bytes(), by=trainer)
    db.session.commit()
    assert (result.total, result.inserted, result.unchanged) == (len(rows), len(rows), 0)
    assert _count(TrainingRecord) == len(rows)
    batch = db.session.get(ImportBatch, result.batch_id)
    assert (batch.kind, batch.status, batch.inserted, batch.created_by_id) == (
        "training",
        "imported",
        len(rows),
        trainer.id,
    )
    first = db.session.scalar(
        select(TrainingRecord)
        .join(Module)
        .where(Module.code == "COMPLIANCE-1", TrainingRecord.streamer_id == roster["E1001"].id)
    )
    assert (first.completed_on, first.score, first.passed) == (dt.date(2026, 6, 26), 78, False)
    # 李老师 has an account (the trainer fixture's display name); 王老师 is kept by name only.
    trainers = dict(
        db.session.execute(select(TrainingRecord.trainer_name, TrainingRecord.trainer_id)).all()
    )
    assert trainers == {"李老师": trainer.id, "王老师": None}


def test_importing_the_same_file_again_changes_nothing(modules, roster, today) -> None:
    import_training_file(SAMPLE.name, SAMPLE.read_bytes())
    db.session.commit()
    before = (_count(TrainingRecord), _count(ImportBatch), _count(AuditEntry), _facts())
    again = import_training_file(SAMPLE.name, SAMPLE.read_bytes())
    db.session.commit()
    assert (again.inserted, again.unchanged, again.batch_id) == (0, len(_sample_rows()), None)
    assert (_count(TrainingRecord), _count(ImportBatch), _count(AuditEntry), _facts()) == before


def test_every_problem_is_reported_with_row_column_and_reason(modules, roster, today) -> None:
    with pytest.raises(ImportRefused) as refused:
        import_training_file(BAD.name, BAD.read_bytes())
    found = [(p.row, p.column, p.value, p.text) for p in refused.value.rows]
    assert found == [
        (3, "module_code", "NOPE-1", "No module has this code."),
        (4, "employee_no", "E9999", "No streamer has this employee number."),
        (5, "score", "120", "A score lies between 0 and 100."),
        (6, "completed_on", "2026-02-30", "No such day in the calendar."),
        (7, "completed_on", "2027-01-05", "The date is in the future."),
        (8, "completed_on", "28/08/2026", "Not a date; write it as YYYY-MM-DD."),
        (8, "score", "abc", "Not a number."),
        (10, "completed_on", "2026-08-28", "Repeats row 2 (same employee, module and date)."),
        (11, "score", "", "COMPLIANCE-1 has a pass mark, so a score is required."),
    ]
    db.session.rollback()
    assert _count(TrainingRecord) == 0 and _count(ImportBatch) == 0


def test_a_different_score_for_a_recorded_attempt_is_an_error(modules, roster, today) -> None:
    import_training_file(SAMPLE.name, SAMPLE.read_bytes())
    db.session.commit()
    changed = SAMPLE.read_text("utf-8").replace(
        "E1001,SCRIPT-1,2026-08-28,78", "E1001,SCRIPT-1,2026-08-28,88"
    )
    changed += "E1001,MENTOR-1,2026-09-01,90,李老师,new row\n"
    with pytest.raises(ImportRefused) as refused:
        import_training_file("changed.csv", changed.encode("utf-8"))
    (problem,) = refused.value.rows
    assert (problem.row, problem.column, problem.value) == (2, "score", "88")
    assert "Already recorded with the score 78" in problem.text
    db.session.rollback()
    assert _count(TrainingRecord) == len(_sample_rows())


def test_a_voided_record_is_not_revived_by_importing_again(modules, roster, today) -> None:
    import_training_file(SAMPLE.name, SAMPLE.read_bytes())
    wrong = db.session.scalar(
        select(TrainingRecord)
        .join(Module)
        .where(Module.code == "SCRIPT-1", TrainingRecord.streamer_id == roster["E1001"].id)
    )
    void_record(wrong, "the sheet had the wrong score")
    db.session.commit()
    again = import_training_file(SAMPLE.name, SAMPLE.read_bytes())
    assert (again.inserted, again.unchanged) == (0, len(_sample_rows()))
    fixed = SAMPLE.read_text("utf-8").replace(
        "E1001,SCRIPT-1,2026-08-28,78", "E1001,SCRIPT-1,2026-08-28,87"
    )
    result = import_training_file("fixed.csv", fixed.encode("utf-8"))
    assert (result.inserted, result.unchanged) == (1, len(_sample_rows()) - 1)
    facts = training_facts([roster["E1001"].id])
    assert facts.loc[facts["module_code"] == "SCRIPT-1", "score"].tolist() == [87.0]


def _sample_as_xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["employee_no", "module_code", "completed_on", "score", "trainer", "note"])
    for row in _sample_rows():
        sheet.append(
            [
                row["employee_no"],
                row["module_code"],
                dt.datetime.fromisoformat(row["completed_on"]),
                int(row["score"]),
                row["trainer"],
                row["note"] or None,
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("records.xlsx", _sample_as_xlsx),
        ("records-gbk.csv", lambda: SAMPLE.read_text("utf-8").encode("gb18030")),
        ("records-bom.csv", lambda: SAMPLE.read_text("utf-8").encode("utf-8-sig")),
    ],
)
def test_xlsx_and_other_encodings_import_the_same_records(modules, roster, today, name, content):
    import_training_file(SAMPLE.name, SAMPLE.read_bytes())
    expected = _facts()
    db.session.rollback()
    result = import_training_file(name, content())
    assert result.inserted == len(_sample_rows())
    assert _facts() == expected


def test_files_that_are_not_tables_are_refused(modules, today) -> None:
    with pytest.raises(ImportRefused) as refused:
        import_training_file("fake.xlsx", b"employee_no,module_code\n")
    assert refused.value.rows[0].text == (
        "“fake.xlsx” is named like an Excel workbook but its content is text. Upload it with a "
        ".csv name, or save it from Excel as .xlsx."
    )
    with pytest.raises(ImportRefused) as refused:
        import_training_file("short.csv", b"employee_no,score\nE1,80\n")
    assert [(p.row, p.column) for p in refused.value.rows] == [
        (1, "module_code"),
        (1, "completed_on"),
    ]
    with pytest.raises(ImportRefused) as refused:
        # (Not starting with FF FE: that is the byte order mark of UTF-16 text, read as such.)
        import_training_file("binary.csv", b"\xfa\xfb\xff\xfe" * 10)
    assert "neither UTF-8 nor GB18030" in refused.value.rows[0].text


def test_the_cli_imports_into_a_fresh_database(app, trainer, today) -> None:
    for no in sorted({row["employee_no"] for row in _sample_rows()}):
        make_streamer(employee_no=no)
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["training", "import", str(SAMPLE), "--user", trainer.username])
    assert result.exit_code == 0, result.output
    assert f"{len(_sample_rows())} inserted" in result.output
    assert _count(Module) == 8  # the default curriculum came with it
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "training.import"))
    assert entry.actor_name == trainer.username
    again = runner.invoke(args=["training", "import", str(SAMPLE)])
    assert again.exit_code == 0, again.output
    assert "Already imported as batch" in again.output and "nothing changed" in again.output


def test_the_cli_lists_problems_and_writes_nothing(app, roster, today) -> None:
    result = app.test_cli_runner().invoke(args=["training", "import", str(BAD)])
    assert result.exit_code == 1
    assert "row 3, module_code: No module has this code. ('NOPE-1')" in result.output
    assert "nothing was imported" in result.output
    assert _count(TrainingRecord) == 0


def test_the_upload_page_imports_and_reports(modules, roster, trainer, login_as, today) -> None:
    client = login_as(trainer)
    bad = client.post(
        "/training/import",
        data={"file": (io.BytesIO(BAD.read_bytes()), "bad_rows.csv")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert "No streamer has this employee number." in page and "E9999" in page
    assert _count(TrainingRecord) == 0
    good = client.post(
        "/training/import",
        data={"file": (io.BytesIO(SAMPLE.read_bytes()), "training_records.csv")},
        content_type="multipart/form-data",
    )
    # The upload is a preview: nothing is written until it is confirmed.
    assert good.status_code == 200 and _count(TrainingRecord) == 0
    preview = good.get_data(as_text=True)
    assert f"{len(_sample_rows())} new records" in preview
    confirm = {
        name: re.search(rf'name="{name}" type="hidden" value="([^"]*)"', preview)[1]
        for name in ("token", "fingerprint", "filename")
    }
    done = client.post("/training/import/confirm", data=confirm, follow_redirects=True)
    assert _count(TrainingRecord) == len(_sample_rows())
    assert f"{len(_sample_rows())} new records" in done.get_data(as_text=True)
