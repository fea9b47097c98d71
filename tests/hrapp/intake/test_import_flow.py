"""The one web flow of the roster's and training's imports (`hrapp.intake.flow`): what it
decides itself, whichever kind it serves."""

from __future__ import annotations

import dataclasses
import io
from types import SimpleNamespace
from typing import Any

import pytest

from hrapp.auth.models import Role
from hrapp.core.errors import ValidationFailed
from hrapp.extensions import db
from hrapp.intake import batches, flow
from hrapp.intake.batch_model import ImportBatch
from hrapp.streamers import views as roster_views
from hrapp.training import views as training_views
from tests.factories import make_user


@pytest.fixture
def staff(app):
    user = make_user(Role.HR, username="hr_flow")
    user.locale = "en"
    db.session.commit()
    return user


def _training_kind(monkeypatch, outcome: Any, **changes: Any) -> flow.ImportKind:
    """Training's kind whose import answers `outcome`, served by training's own endpoints."""
    real = training_views.IMPORT
    job = dataclasses.replace(real.job, run=lambda *args, **kwargs: outcome)
    kind = dataclasses.replace(real, job=job, count_rows=lambda name, data: 1, **changes)
    monkeypatch.setattr(training_views, "IMPORT", kind)
    return kind


def _flashes(client) -> list[tuple[str, str]]:
    with client.session_transaction() as session:
        return list(session.get("_flashes", []))


def _confirm(client, sha256: str):
    return client.post(
        "/training/import/confirm",
        data={"token": sha256, "fingerprint": "f" * 64, "filename": "records.csv"},
    )


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("records.csv", "records.csv"),
        ("/home/hr/records.csv", "records.csv"),
        ("C:\\Users\\hr\\Desktop\\roster.xlsx", "roster.xlsx"),
        (None, "roster"),
        ("", "roster"),
    ],
)
def test_an_upload_is_kept_by_its_own_name_whichever_path_the_browser_sent(sent, kept) -> None:
    assert flow.upload_name(sent, "roster") == kept


def test_a_file_is_large_above_the_kind_s_rows_unless_it_cannot_be_read(app) -> None:
    kind = dataclasses.replace(roster_views.IMPORT, count_rows=lambda name, data: 201)
    assert flow.is_large(kind, "a.csv", b"")  # the roster's 200
    assert not flow.is_large(dataclasses.replace(kind, job_rows=2_000), "a.csv", b"")

    def unreadable(name: str, data: bytes) -> int:
        raise ValidationFailed("cannot read")

    assert not flow.is_large(dataclasses.replace(kind, count_rows=unreadable), "a.csv", b"")
    app.config["IMPORT_JOB_ROWS"] = 500
    try:
        assert not flow.is_large(kind, "a.csv", b"")
    finally:
        app.config.pop("IMPORT_JOB_ROWS")


def test_a_refused_confirm_says_how_many_problems_and_leads_to_the_batch(
    app, monkeypatch, staff, login_as
) -> None:
    refused = SimpleNamespace(status="refused", batch_id=7, problems=["a", "b", "c"])
    _training_kind(monkeypatch, refused)
    client = login_as(staff)
    sha256 = batches.store_upload("training", b"some file")

    response = _confirm(client, sha256)

    assert response.headers["Location"].endswith("/training/import/batches/7")
    assert _flashes(client) == [
        ("error", "The training file was refused: 3 problems. Nothing was imported.")
    ]
    assert batches.read_upload("training", sha256) is None  # never to be confirmed again


def test_an_import_with_nothing_to_write_leads_to_the_kind_s_own_page(
    app, monkeypatch, staff, login_as
) -> None:
    nothing = SimpleNamespace(status="checked", batch_id=None, total=2, inserted=0, unchanged=2)
    _training_kind(monkeypatch, nothing)
    client = login_as(staff)

    response = _confirm(client, batches.store_upload("training", b"another file"))

    assert response.headers["Location"].endswith("/training/import")
    assert _flashes(client) == [("success", "2 rows read: 0 new records, 2 already recorded.")]


def test_a_confirm_without_its_upload_goes_back_to_the_upload_page(app, staff, login_as) -> None:
    client = login_as(staff)

    response = _confirm(client, "0" * 64)

    assert response.headers["Location"].endswith("/training/import")
    assert _flashes(client) == [
        ("error", "The uploaded file is no longer here; please upload it again.")
    ]


def _batch(kind: str, status: str = "imported") -> ImportBatch:
    batch = batches.open_batch(kind, f"{kind}.csv", kind.encode(), user_id=None)
    batches.close_batch(batch, status, total_rows=2, inserted=2)
    db.session.commit()
    return batch


def test_each_kind_s_batch_page_is_worded_and_linked_for_its_kind(app, staff, login_as) -> None:
    roster, training = _batch("roster"), _batch("training")
    client = login_as(staff)

    roster_page = client.get(f"/streamers/import/batches/{roster.id}").get_data(as_text=True)
    training_page = client.get(f"/training/import/batches/{training.id}").get_data(as_text=True)

    assert f"Roster import {roster.id}" in roster_page
    assert 'href="/streamers/import"' in roster_page
    assert f'action="/streamers/import/batches/{roster.id}/rollback"' in roster_page
    assert "the 2 streamers this import created are removed" in roster_page
    assert f"Training import {training.id}" in training_page
    assert 'href="/training/import"' in training_page
    assert f'action="/training/import/batches/{training.id}/rollback"' in training_page
    assert "the 2 training records this import added are removed" in training_page
    # Another kind's batch is not found under this kind's pages.
    assert client.get(f"/streamers/import/batches/{training.id}").status_code == 404
    assert client.get(f"/training/import/batches/{roster.id}").status_code == 404


def test_a_rollback_needs_its_box_ticked(app, staff, login_as) -> None:
    batch = _batch("training")
    client = login_as(staff)

    response = client.post(f"/training/import/batches/{batch.id}/rollback", data={})

    assert response.headers["Location"].endswith(f"/training/import/batches/{batch.id}")
    assert [category for category, _ in _flashes(client)] == ["error"]
    db.session.expire_all()
    assert db.session.get(ImportBatch, batch.id).status == "imported"


def test_an_upload_without_a_file_is_shown_again_as_unprocessable(app, staff, login_as) -> None:
    response = login_as(staff).post(
        "/training/import",
        data={"file": (io.BytesIO(b""), "")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 422
