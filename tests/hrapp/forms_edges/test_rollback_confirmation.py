"""Issue 10, point 4: rolling back an import asks for a confirmation that names what it
removes; without it nothing changes. It works without JavaScript (a box ticked in the form)."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from hrapp.extensions import db
from hrapp.intake.batch_model import ImportBatch
from hrapp.live_sessions.importer import import_sessions
from hrapp.live_sessions.models import LiveSession
from tests.factories import make_account, make_streamer
from tests.hrapp.live_sessions.builders import template_file


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def _sessions() -> int:
    return db.session.scalar(select(func.count()).select_from(LiveSession))


def _import(*rows: dict[str, str]) -> ImportBatch:
    outcome = import_sessions(template_file(*rows), "s.csv")
    db.session.commit()
    return db.session.get(ImportBatch, outcome.batch_id)


def _room() -> None:
    streamer = make_streamer(employee_no="E1001")
    make_account(streamer, account_id="0439563", nickname="小红的直播间")
    db.session.commit()


def test_the_batch_page_names_what_the_rollback_removes(hr_client) -> None:
    _room()
    _import({"started_at": "2026-09-03 19:00:00"})
    later = _import(
        {"started_at": "2026-09-03 19:00:00", "gmv": "20000.00"},  # updates the first
        {"started_at": "2026-09-04 19:00:00"},
        {"started_at": "2026-09-05 19:00:00"},
    )

    page = _text(hr_client.get(f"/imports/batches/{later.id}"))

    assert (
        "2 sessions inserted by this import are deleted, 1 restored to their earlier values" in page
    )
    assert 'name="confirm"' in hr_client.get(f"/imports/batches/{later.id}").text


def test_without_the_confirmation_nothing_is_rolled_back(hr_client) -> None:
    _room()
    batch = _import({})

    refused = hr_client.post(f"/imports/batches/{batch.id}/rollback", follow_redirects=True)

    db.session.expire_all()
    assert refused.status_code == 200
    assert "Nothing was rolled back: tick the box" in _text(refused)
    assert batch.status == "imported" and _sessions() == 1


def test_with_the_confirmation_the_import_is_rolled_back(hr_client) -> None:
    _room()
    batch = _import({})

    done = hr_client.post(
        f"/imports/batches/{batch.id}/rollback", data={"confirm": "y"}, follow_redirects=True
    )

    db.session.expire_all()
    assert "Import rolled back: 1 sessions removed, 0 restored." in _text(done)
    assert batch.status == "rolled_back" and _sessions() == 0


def test_host_edits_still_need_their_own_confirmation(hr_client) -> None:
    from hrapp.live_sessions import services

    _room()
    make_streamer(employee_no="E1002")
    batch = _import({})
    session_id = db.session.scalars(select(LiveSession.id)).one()
    services.set_hosts(session_id, [("E1001", 5_000), ("E1002", 5_000)])
    db.session.commit()

    refused = hr_client.post(
        f"/imports/batches/{batch.id}/rollback", data={"confirm": "y"}, follow_redirects=True
    )
    kept = _sessions()
    confirmed = hr_client.post(
        f"/imports/batches/{batch.id}/rollback",
        data={"confirm": "y", "discard_host_edits": "y"},
    )

    assert "Confirm to roll back anyway" in _text(refused) and kept == 1
    assert confirmed.status_code == 302 and _sessions() == 0
