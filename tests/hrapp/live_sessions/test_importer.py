"""The import service: all or nothing, idempotence, updates, natural keys, hosts, accounts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from hrapp.core.audit import AuditEntry
from hrapp.extensions import db
from hrapp.intake.batch_model import ImportBatch
from hrapp.live_sessions import bulk, services
from hrapp.live_sessions.importer import import_sessions
from hrapp.live_sessions.models import LiveSession, SessionHost, SessionRevision
from tests.factories import make_account, make_streamer

from .builders import (
    AUGUST_GB18030_CSV,
    JULY_XLSX,
    SEPTEMBER_CSV,
    accounts_for_sample,
    count,
    sample,
    snapshot,
    template_file,
)

UTC = dt.UTC


def run(data: bytes, name: str = "sessions.csv", **options):
    outcome = import_sessions(data, name, **options)
    db.session.commit()
    return outcome


def stored(**where) -> LiveSession:
    db.session.expire_all()
    query = select(LiveSession)
    for name, value in where.items():
        query = query.where(getattr(LiveSession, name) == value)
    return db.session.scalars(query).one()


# --- the shared samples ---------------------------------------------------------------------


def test_sample_imports_with_hosts_and_exact_values(app):
    accounts = accounts_for_sample(SEPTEMBER_CSV)

    outcome = run(sample(SEPTEMBER_CSV), SEPTEMBER_CSV)

    assert (outcome.status, outcome.format, outcome.inserted, outcome.rejected) == (
        "imported",
        "douyin_compass",
        446,
        0,
    )
    assert count(LiveSession) == 446 and count(SessionHost) == 446
    # First data row of the file, read by hand: 0439563, 2026/09/03 19:13:13 – 20:59:22 (UTC+8),
    # GMV 8772.35, refunds 1134.78, 人均观看时长 1.01 min.
    first = stored(started_at=dt.datetime(2026, 9, 3, 11, 13, 13, tzinfo=UTC))
    assert first.account.account_id == "0439563"
    assert first.ended_at == dt.datetime(2026, 9, 3, 12, 59, 22, tzinfo=UTC)
    assert first.on_air_seconds == 6369  # end − start to the second, not the rounded 106 min
    assert (first.gmv_fen, first.refunds_fen, first.viewers) == (877235, 113478, 3524)
    assert first.currency == "CNY" and first.fx_rate == "1"
    assert [(h.streamer_id, h.share_bp) for h in first.hosts] == [
        (accounts["0439563"].streamer_id, 10_000)
    ]
    # A session that crosses midnight keeps both days.
    late = stored(started_at=dt.datetime(2026, 9, 8, 12, 10, 29, tzinfo=UTC))
    assert late.ended_at == dt.datetime(2026, 9, 8, 16, 19, tzinfo=UTC)


def test_same_file_twice_changes_nothing_and_records_nothing(app):
    accounts_for_sample(SEPTEMBER_CSV)
    first = run(sample(SEPTEMBER_CSV), SEPTEMBER_CSV)
    before, audits = snapshot(), count(AuditEntry)

    again = run(sample(SEPTEMBER_CSV), SEPTEMBER_CSV)

    assert (again.status, again.batch_id) == ("duplicate", first.batch_id)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 446)
    assert snapshot() == before
    assert count(AuditEntry) == audits and count(ImportBatch) == 1


def test_gb18030_and_utf8_versions_of_one_export_import_identically(app):
    accounts_for_sample(AUGUST_GB18030_CSV)
    gb18030 = sample(AUGUST_GB18030_CSV)
    first = run(gb18030, AUGUST_GB18030_CSV)
    utf8 = gb18030.decode("gb18030").encode("utf-8")

    second = run(utf8, "douyin_compass_2026-08.csv")

    assert first.inserted == 468
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 468)


def test_xlsx_sample_imports(app):
    accounts_for_sample(JULY_XLSX)

    outcome = run(sample(JULY_XLSX), JULY_XLSX)

    assert (outcome.status, outcome.inserted, outcome.rejected) == ("imported", 480, 0)


# --- all or nothing -------------------------------------------------------------------------


def bad_row_file() -> bytes:
    return template_file(
        {"started_at": "2026-09-03 19:00:00"},
        {"started_at": "2026-09-04 19:00:00", "gmv": "12,3x.00"},
        {"started_at": "2026-09-05 19:00:00"},
    )


def test_one_bad_row_writes_nothing_and_reports_row_column_value_reason(room, hr):
    outcome = run(bad_row_file(), user_id=hr.id)

    assert outcome.status == "refused"
    assert count(LiveSession) == 0 and count(SessionHost) == 0
    [problem] = [p for p in outcome.problems if p.severity == "error"]
    assert (problem.row, problem.column, problem.value) == (3, "gmv", "12,3x.00")
    assert problem.text
    batch = db.session.get(ImportBatch, outcome.batch_id)
    assert (batch.status, batch.inserted, batch.rejected, batch.created_by_id) == (
        "refused",
        0,
        1,
        hr.id,
    )
    assert batch.report[0]["row"] == 3 and batch.report[0]["column"] == "gmv"


def test_accept_valid_rows_imports_the_rest_and_keeps_the_report(room):
    outcome = run(bad_row_file(), accept_valid_rows=True)

    assert (outcome.status, outcome.inserted, outcome.rejected) == ("imported", 2, 1)
    assert count(LiveSession) == 2
    batch = db.session.get(ImportBatch, outcome.batch_id)
    assert batch.accept_valid_rows and [p["row"] for p in batch.report] == [3]


def test_dry_run_writes_nothing_but_counts(room):
    audits = count(AuditEntry)

    outcome = run(template_file({}), dry_run=True)

    assert (outcome.status, outcome.inserted, outcome.batch_id) == ("checked", 1, None)
    assert outcome.preview[0]["action"] == "insert"
    assert outcome.preview[0]["started_at"] == "2026-09-03 19:00:00"
    assert count(LiveSession) == 0 and count(ImportBatch) == 0 and count(AuditEntry) == audits


def test_a_file_that_cannot_be_read_is_refused_whole(room):
    outcome = run(b"\x00\x01binary rubbish\xff" * 50, "sessions.csv")

    assert outcome.status == "refused" and outcome.has_file_error
    assert outcome.problems[0].row is None
    assert count(LiveSession) == 0


def test_a_missing_required_column_is_named(room):
    data = b"platform,account_id,started_at\ndouyin,0439563,2026-09-03 19:00:00\n"

    outcome = run(data)

    assert outcome.status == "refused"
    assert "gmv" in outcome.problems[0].text


# --- later exports --------------------------------------------------------------------------


def test_later_export_updates_grown_refunds_with_audit_and_revision(room):
    first = run(template_file({"refunds": "500.00"}))
    session_id = stored().id

    later = run(template_file({"refunds": "800.00"}))

    assert (later.inserted, later.updated, later.unchanged) == (0, 1, 0)
    session = stored()
    assert session.refunds_fen == 80_000 and session.last_batch_id == later.batch_id
    assert session.import_batch_id == first.batch_id
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "session.import_update")
    ).one()
    assert entry.entity_id == str(session_id)
    assert entry.changes == {"refunds_fen": [50_000, 80_000]}
    revision = db.session.scalars(select(SessionRevision)).one()
    assert revision.batch_id == later.batch_id and revision.before["refunds_fen"] == 50_000


def test_smaller_refunds_keep_the_stored_figure_with_a_warning(room):
    run(template_file({"refunds": "800.00"}))

    later = run(template_file({"refunds": "300.00"}))

    assert (later.updated, later.unchanged) == (0, 1)
    assert stored().refunds_fen == 80_000
    [warning] = later.problems
    assert (warning.severity, warning.row, warning.column, warning.value) == (
        "warning",
        2,
        "refunds",
        "300.00",
    )
    assert "800.00" in warning.text


def test_an_unknown_value_never_erases_a_stored_one(room):
    run(template_file({"viewers": "1000"}))

    later = run(template_file({"viewers": "-", "gmv": "12000.00"}))

    assert later.updated == 1
    session = stored()
    assert (session.viewers, session.gmv_fen) == (1000, 1_200_000)


def test_platform_session_id_is_the_natural_key_where_the_export_has_one(room):
    run(template_file({"platform_session_id": "S-1", "started_at": "2026-09-03 19:00:00"}))

    # The platform corrected the start by a minute: still the same session.
    later = run(template_file({"platform_session_id": "S-1", "started_at": "2026-09-03 19:01:00"}))

    assert (later.inserted, later.updated) == (0, 1)
    assert stored().started_at == dt.datetime(2026, 9, 3, 11, 1, tzinfo=UTC)
    # Without a session id, another start time is another session.
    other = run(template_file({"started_at": "2026-09-03 19:02:00"}))
    assert other.inserted == 1 and count(LiveSession) == 2


def test_two_rows_matching_one_stored_session_are_refused(room):
    run(template_file({"platform_session_id": "S-1", "started_at": "2026-09-03 19:00:00"}))

    outcome = run(
        template_file(
            {"platform_session_id": "S-1", "started_at": "2026-09-03 19:05:00"},
            {"started_at": "2026-09-03 19:00:00"},
        )
    )

    assert outcome.status == "refused" and outcome.rejected == 1
    assert (outcome.problems[0].row, outcome.problems[0].column) == (3, "started_at")
    assert "Row 2 is the same stored session." in outcome.problems[0].text


# --- accounts -------------------------------------------------------------------------------


def test_unknown_accounts_are_listed_and_import_after_mapping(room):
    data = template_file(
        {"account_id": "0777001", "nickname": "新人直播间"},
        {"account_id": "0777001", "nickname": "新人直播间", "started_at": "2026-09-04 19:00:00"},
        {},
    )
    newcomer = make_streamer(employee_no="E2001")
    db.session.commit()

    refused = run(data)

    assert refused.status == "refused" and count(LiveSession) == 0
    [unknown] = refused.unknown_accounts
    assert (unknown.platform, unknown.account_id, unknown.nickname, unknown.rows) == (
        "douyin",
        "0777001",
        "新人直播间",
        2,
    )
    assert not unknown.exists
    assert [p.row for p in refused.problems] == [2, 3]
    assert "0777001 (新人直播间)" in refused.problems[0].text
    assert "map it to a streamer" in refused.problems[0].text

    services.map_account("douyin", "0777001", "新人直播间", "E2001")
    db.session.commit()
    again = run(data)

    assert (again.status, again.inserted) == ("imported", 3)
    hosts = db.session.scalars(
        select(SessionHost.streamer_id)
        .join(LiveSession)
        .join(LiveSession.account)
        .where(LiveSession.account.has(account_id="0777001"))
    ).all()
    assert hosts == [newcomer.id, newcomer.id]


def test_an_account_linked_to_nobody_is_listed_unless_the_row_names_its_hosts(room, streamer):
    make_account(None, account_id="0888001", nickname="空房间")
    db.session.commit()

    refused = run(template_file({"account_id": "0888001"}))
    named = run(template_file({"account_id": "0888001", "hosts": "E1001"}))

    assert refused.status == "refused" and refused.unknown_accounts[0].exists
    assert "linked to no streamer" in refused.problems[0].text
    assert named.inserted == 1


# --- co-hosts -------------------------------------------------------------------------------


def test_template_hosts_column_names_cohosts_and_shares(room, streamer):
    partner = make_streamer(employee_no="E1002")
    db.session.commit()

    outcome = run(template_file({"hosts": "E1001:60;E1002:40"}))

    assert outcome.inserted == 1
    shares = {h.streamer_id: h.share_bp for h in stored().hosts}
    assert shares == {streamer.id: 6_000, partner.id: 4_000}


def test_template_hosts_with_an_unknown_employee_are_an_error(room):
    outcome = run(template_file({"hosts": "E1001:50;E9999:50"}))

    assert outcome.status == "refused"
    assert (outcome.problems[0].column, outcome.problems[0].value) == (
        "hosts",
        "E1001:5000;E9999:5000",
    )
    assert "E9999" in outcome.problems[0].text


def test_a_later_file_naming_other_hosts_replaces_them_with_audit(room, streamer):
    partner = make_streamer(employee_no="E1002")
    db.session.commit()
    run(template_file({}))

    later = run(template_file({"hosts": "E1001;E1002"}))

    assert later.updated == 1
    assert {h.streamer_id: h.share_bp for h in stored().hosts} == {
        streamer.id: 5_000,
        partner.id: 5_000,
    }
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "session.import_update")
    ).one()
    assert entry.changes == {
        "hosts": [[[streamer.id, 10_000]], [[streamer.id, 5_000], [partner.id, 5_000]]]
    }


def test_a_platform_export_keeps_the_hosts_hr_edited(room, streamer):
    partner = make_streamer(employee_no="E1002")
    export = template_file({})
    run(export)
    services.set_hosts(stored().id, [("E1001", 7_000), ("E1002", 3_000)])
    db.session.commit()

    again = run(export)

    assert again.unchanged == 1
    assert {h.streamer_id: h.share_bp for h in stored().hosts} == {
        streamer.id: 7_000,
        partner.id: 3_000,
    }


def test_big_files_are_written_in_chunks_with_progress(app, monkeypatch):
    accounts_for_sample(SEPTEMBER_CSV)
    monkeypatch.setattr(bulk, "CHUNK_ROWS", 100)
    seen: list[tuple[int, int]] = []

    outcome = run(
        sample(SEPTEMBER_CSV), SEPTEMBER_CSV, progress=lambda d, t, _m: seen.append((d, t))
    )

    assert outcome.inserted == 446
    assert count(LiveSession) == 446 and count(SessionHost) == 446
    written = [done for done, total in seen if total == 446]
    assert written == [0, 100, 200, 300, 400, 446]


def test_problems_found_after_parsing_name_the_files_own_header(app):
    """HR looks for 主播抖音号 in their spreadsheet, not for our field name account_id."""
    refused = run(sample(SEPTEMBER_CSV), SEPTEMBER_CSV)

    assert refused.status == "refused" and count(LiveSession) == 0
    account_problems = [p for p in refused.problems if "map it to a streamer" in p.text]
    assert account_problems
    assert {p.column for p in account_problems} == {"主播抖音号"}
