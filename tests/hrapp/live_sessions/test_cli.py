"""`hrapp sessions …`: exit codes, the summary and every problem, dry runs, rollback, rates."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from hrapp.core.audit import AuditEntry
from hrapp.extensions import db
from hrapp.intake.batch_model import ImportBatch
from hrapp.live_sessions import services
from hrapp.live_sessions.models import ExchangeRate, LiveSession
from tests.factories import make_streamer

from .builders import SEPTEMBER_CSV, accounts_for_sample, count, sample, template_file


def invoke(app, *args: str):
    return app.test_cli_runner().invoke(args=["sessions", *args])


def write(tmp_path: Path, data: bytes, name: str = "sessions.csv") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_import_prints_the_summary_and_exits_zero(app, tmp_path):
    accounts_for_sample(SEPTEMBER_CSV)
    path = write(tmp_path, sample(SEPTEMBER_CSV), SEPTEMBER_CSV)

    result = invoke(app, "import", path)

    assert result.exit_code == 0, result.output
    assert "Inserted: 446  Updated: 0  Unchanged: 0  Rejected: 0" in result.output
    assert count(LiveSession) == 446
    again = invoke(app, "import", path, "--platform", "douyin")
    assert again.exit_code == 0, again.output
    assert f"Already imported as batch {_only_batch()}; nothing changed." in again.output
    assert count(ImportBatch) == 1


def test_a_refused_file_exits_non_zero_writes_nothing_and_lists_every_problem(app, room, tmp_path):
    path = write(
        tmp_path,
        template_file(
            {"gmv": "abc"},
            {"started_at": "2026-09-04 19:00:00", "account_id": "0999999", "nickname": "陌生"},
        ),
    )

    result = invoke(app, "import", path)

    assert result.exit_code == 1
    assert count(LiveSession) == 0
    assert '[error] row 2, gmv, "abc": Not a number.' in result.output
    assert '[error] row 3, account_id, "0999999": Unknown account 0999999 (陌生)' in result.output
    assert "Douyin 0999999 陌生 (1)" in result.output
    assert "Refused: nothing was written." in result.output
    batch = db.session.scalars(select(ImportBatch)).one()
    assert batch.status == "refused"


def test_accept_valid_rows_imports_the_rest(app, room, tmp_path):
    path = write(tmp_path, template_file({"gmv": "abc"}, {"started_at": "2026-09-04 19:00:00"}))

    result = invoke(app, "import", path, "--accept-valid-rows")

    assert result.exit_code == 0, result.output
    assert "Inserted: 1  Updated: 0  Unchanged: 0  Rejected: 1" in result.output
    assert count(LiveSession) == 1


def test_dry_run_writes_nothing(app, room, tmp_path):
    path = write(tmp_path, template_file({}))
    audits = count(AuditEntry)

    good = invoke(app, "import", path, "--dry-run")
    bad = invoke(app, "import", write(tmp_path, template_file({"gmv": "x"}), "b.csv"), "--dry-run")

    assert good.exit_code == 0 and "Inserted: 1" in good.output and "Dry run" in good.output
    assert bad.exit_code == 1
    assert count(LiveSession) == 0 and count(ImportBatch) == 0 and count(AuditEntry) == audits


def test_import_is_recorded_under_the_named_user(app, room, hr, tmp_path):
    result = invoke(app, "import", write(tmp_path, template_file({})), "--user", hr.username)

    assert result.exit_code == 0, result.output
    batch = db.session.scalars(select(ImportBatch)).one()
    assert batch.created_by_id == hr.id
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "sessions.import")
    ).one()
    assert entry.actor_name == hr.username


def test_rollback_and_set_rate_commands(app, room, tmp_path):
    invoke(app, "import", write(tmp_path, template_file({})))
    batch_id = db.session.scalars(select(ImportBatch.id)).one()

    rolled = invoke(app, "rollback", str(batch_id))
    again = invoke(app, "rollback", str(batch_id))
    rate = invoke(app, "set-rate", "USD", "2026-09", "7.12")
    bad_rate = invoke(app, "set-rate", "USD", "2026-9", "7.12")

    assert rolled.exit_code == 0 and "1 sessions removed" in rolled.output
    assert again.exit_code == 1 and "Only an imported batch" in again.output
    assert rate.exit_code == 0 and db.session.scalars(select(ExchangeRate.rate)).one() == "7.12"
    assert bad_rate.exit_code == 1 and "YYYY-MM" in bad_rate.output


def test_rollback_command_discards_host_edits_only_when_told(app, room, tmp_path):
    make_streamer(employee_no="E1002")
    invoke(app, "import", write(tmp_path, template_file({})))
    batch_id = db.session.scalars(select(ImportBatch.id)).one()
    session_id = db.session.scalars(select(LiveSession.id)).one()
    services.set_hosts(session_id, [("E1001", 5_000), ("E1002", 5_000)])
    db.session.commit()

    refused = invoke(app, "rollback", str(batch_id))
    confirmed = invoke(app, "rollback", str(batch_id), "--discard-host-edits")

    assert refused.exit_code == 1 and "Confirm to roll back anyway" in refused.output
    assert confirmed.exit_code == 0 and "1 sessions removed" in confirmed.output


def test_template_command_writes_the_blank_template(app, tmp_path):
    target = tmp_path / "template.csv"

    result = invoke(app, "template", str(target))

    assert result.exit_code == 0
    header = target.read_bytes().decode("utf-8-sig").splitlines()[0].split(",")
    assert header[:2] == ["platform", "account_id"] and "hosts" in header


def _only_batch() -> int:
    """The id of the one import batch (ids are not reset between tests on PostgreSQL)."""
    from hrapp.intake.batch_model import ImportBatch

    return db.session.scalars(db.select(ImportBatch.id)).one()
