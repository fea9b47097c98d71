"""Rolling an import back restores the exact previous state, unless pay depends on it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import inspect, select

from hrapp.appraisals.models import AppraisalCycle
from hrapp.core.audit import AuditEntry
from hrapp.core.errors import Conflict, Locked, NotFound
from hrapp.extensions import db
from hrapp.intake.batch_model import ImportBatch
from hrapp.live_sessions import bulk, services
from hrapp.live_sessions.importer import import_sessions
from hrapp.live_sessions.models import LiveSession
from tests.factories import make_streamer

from .builders import SEPTEMBER_CSV, accounts_for_sample, count, sample, snapshot, template_file


def run(data: bytes, name: str = "sessions.csv", **options):
    outcome = import_sessions(data, name, **options)
    db.session.commit()
    return outcome


def rollback(batch_id: int):
    result = services.rollback_batch(batch_id)
    db.session.commit()
    return result


def later_export() -> bytes:
    """Two stored sessions change (refunds grow; new co-hosts), one session is new."""
    return template_file(
        {"started_at": "2026-09-01 19:00:00", "refunds": "900.00"},
        {"started_at": "2026-09-02 19:00:00", "hosts": "E1001:75;E1002:25"},
        {"started_at": "2026-09-03 19:00:00"},
        {"started_at": "2026-09-04 19:00:00", "gmv": "5000.00"},
    )


def test_rollback_of_an_update_restores_every_row_exactly(room):
    make_streamer(employee_no="E1002")
    run(
        template_file(
            {"started_at": "2026-09-01 19:00:00"},
            {"started_at": "2026-09-02 19:00:00"},
            {"started_at": "2026-09-03 19:00:00"},
        )
    )
    before = snapshot()

    later = run(later_export())
    assert (later.inserted, later.updated, later.unchanged) == (1, 2, 1)
    assert snapshot() != before
    result = rollback(later.batch_id)

    assert (result.deleted, result.restored) == (1, 2)
    assert snapshot() == before
    batch = db.session.get(ImportBatch, later.batch_id)
    assert batch.status == "rolled_back" and batch.rolled_back_at is not None
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "sessions.rollback")
    ).one()
    assert entry.entity_id == str(later.batch_id)


def test_rollback_of_a_sample_import_removes_it_whole(app):
    accounts_for_sample(SEPTEMBER_CSV)
    first = run(sample(SEPTEMBER_CSV), SEPTEMBER_CSV)

    result = rollback(first.batch_id)

    assert result.deleted == 446 and count(LiveSession) == 0
    # and the same file imports again afterwards
    assert run(sample(SEPTEMBER_CSV), SEPTEMBER_CSV).inserted == 446


def indexes() -> list[dict]:
    """Each index as plain data (a partial index's WHERE clause as its SQL text)."""
    inspector = inspect(db.session.connection())
    return [
        {**ix, "dialect_options": {k: str(v) for k, v in ix.get("dialect_options", {}).items()}}
        for table in ("live_sessions", "session_hosts")
        for ix in inspector.get_indexes(table)
    ]


@pytest.mark.parametrize("outcome", ["commit", "rollback"])
def test_a_big_import_rebuilds_its_indexes_inside_its_transaction(room, monkeypatch, outcome):
    monkeypatch.setattr(bulk, "REBUILD_MIN_ROWS", 1)
    before = indexes()
    db.session.commit()

    import_sessions(template_file({}, {"started_at": "2026-09-04 19:00:00"}), "big.csv")
    getattr(db.session, outcome)()

    assert indexes() == before
    assert count(LiveSession) == (2 if outcome == "commit" else 0)


def test_rollback_is_refused_while_a_later_import_changed_the_sessions(room):
    first = run(template_file({"refunds": "500.00"}))
    second = run(template_file({"refunds": "600.00"}))

    with pytest.raises(Conflict) as refused:
        services.rollback_batch(first.batch_id)

    assert str(second.batch_id) in refused.value.message
    rollback(second.batch_id)
    rollback(first.batch_id)
    assert count(LiveSession) == 0


def finalized_cycle(starts: dt.date, ends: dt.date) -> AppraisalCycle:
    cycle = AppraisalCycle(
        code="2026Q3", starts_on=starts, ends_on=ends, timezone="Asia/Shanghai", status="finalized"
    )
    db.session.add(cycle)
    db.session.commit()
    return cycle


def test_rollback_is_refused_when_a_finalized_cycle_covers_a_session(room):
    # 1 October 00:30 in Shanghai is 30 September in UTC, yet belongs to Q4, not Q3.
    q4 = run(template_file({"started_at": "2026-10-01 00:30:00"}))
    q3 = run(template_file({"started_at": "2026-09-30 23:30:00"}))
    finalized_cycle(dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    before = snapshot()

    with pytest.raises(Locked) as refused:
        services.rollback_batch(q3.batch_id)
    db.session.rollback()

    assert "2026Q3" in refused.value.message
    assert snapshot() == before
    assert rollback(q4.batch_id).deleted == 1


def test_only_an_imported_sessions_batch_can_be_rolled_back(room):
    refused = run(template_file({"gmv": "nonsense"}))

    with pytest.raises(Conflict):
        services.rollback_batch(refused.batch_id)
    with pytest.raises(NotFound):
        services.rollback_batch(999_999)


def session_at(started_at: str) -> LiveSession:
    """The room's session starting at this Shanghai wall time."""
    local = dt.datetime.fromisoformat(started_at).replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return db.session.scalars(
        select(LiveSession).where(LiveSession.started_at == local.astimezone(dt.UTC))
    ).one()


def hosts_of(started_at: str) -> dict[int, int]:
    return {h.streamer_id: h.share_bp for h in session_at(started_at).hosts}


def edit_hosts(started_at: str, hosts: list[tuple[str, int]]) -> None:
    services.set_hosts(session_at(started_at).id, hosts)
    db.session.commit()


def test_rollback_that_would_discard_hrs_host_edits_needs_confirming(room):
    make_streamer(employee_no="E1002")
    first = run(template_file({"started_at": "2026-09-01 19:00:00"}))
    edit_hosts("2026-09-01 19:00:00", [("E1001", 6_000), ("E1002", 4_000)])
    edited = hosts_of("2026-09-01 19:00:00")
    before = snapshot()

    with pytest.raises(Conflict) as refused:
        services.rollback_batch(first.batch_id)
    db.session.rollback()

    assert "edited the hosts of 1 of these sessions" in refused.value.message
    assert snapshot() == before and hosts_of("2026-09-01 19:00:00") == edited
    assert rollback_confirmed(first.batch_id).deleted == 1
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "sessions.rollback")
    ).one()
    assert len(entry.changes["discarded_host_edits"][1]) == 1


def rollback_confirmed(batch_id: int):
    result = services.rollback_batch(batch_id, discard_host_edits=True)
    db.session.commit()
    return result


def test_host_edits_after_an_update_count_only_where_the_rollback_restores_hosts(room):
    make_streamer(employee_no="E1002")
    run(
        template_file(
            {"started_at": "2026-09-01 19:00:00"},
            {"started_at": "2026-09-02 19:00:00"},
        )
    )
    later = run(
        template_file(
            {"started_at": "2026-09-01 19:00:00", "refunds": "900.00"},
            {"started_at": "2026-09-02 19:00:00", "hosts": "E1001:75;E1002:25"},
        )
    )
    # Session 1: only its refunds changed, so the rollback leaves its hosts alone.
    edit_hosts("2026-09-01 19:00:00", [("E1001", 5_000), ("E1002", 5_000)])
    kept = hosts_of("2026-09-01 19:00:00")

    assert rollback(later.batch_id).restored == 2
    assert hosts_of("2026-09-01 19:00:00") == kept

    again = run(template_file({"started_at": "2026-09-02 19:00:00", "hosts": "E1001:60;E1002:40"}))
    # Session 2: the import replaced its hosts; HR's edit since would be overwritten.
    edit_hosts("2026-09-02 19:00:00", [("E1001", 9_000), ("E1002", 1_000)])
    with pytest.raises(Conflict):
        services.rollback_batch(again.batch_id)
    db.session.rollback()
    rollback_confirmed(again.batch_id)
    assert sorted(hosts_of("2026-09-02 19:00:00").values()) == [10_000]


def test_host_edits_before_an_import_do_not_hold_its_rollback(room):
    make_streamer(employee_no="E1002")
    run(template_file({"started_at": "2026-09-01 19:00:00"}))
    edit_hosts("2026-09-01 19:00:00", [("E1001", 6_000), ("E1002", 4_000)])
    later = run(template_file({"started_at": "2026-09-03 19:00:00"}))

    assert rollback(later.batch_id).deleted == 1
