"""The roster import as an intake: the preview names every problem the confirm would meet.

The demo agency's roster (`hrapp demo load`) and the sample roster file disagree on hire dates:
seven of the sample's streamers were hired, by the file, after their first level change in the
demo's history. The preview once said "update 24" and its confirm then refused the file.
"""

from __future__ import annotations

import pytest

from hrapp.auth.models import Role
from hrapp.core.timeutil import org_zone
from hrapp.demo import services as demo_services
from hrapp.demo.generator import build_demo_set
from hrapp.extensions import db
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


# --- batches -------------------------------------------------------------------------------


def _batches() -> list:
    from hrapp.live_sessions.models import ImportBatch

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
