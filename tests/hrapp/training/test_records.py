"""Point 2: logging one record, correcting and voiding it (reasons, audit, nothing deleted)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from hrapp.core.audit import AuditEntry
from hrapp.core.errors import Conflict, ValidationFailed
from hrapp.core.messages import message
from hrapp.extensions import db
from hrapp.training.models import TrainingRecord
from hrapp.training.services import ScoreInput, correct_record, log_record, record_version
from tests.factories import make_streamer

D = dt.date


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(TrainingRecord))


def _only_record() -> TrainingRecord:
    return db.session.scalars(select(TrainingRecord)).one()


def _post_record(client, module, streamer, **fields):
    data = {"streamer_id": streamer.id, "completed_on": "2026-09-10", "trainer_id": 0, **fields}
    return client.post(f"/training/records/new?module={module.id}", data=data)


@pytest.fixture
def streamer(app):
    s = make_streamer(employee_no="E2001", legal_name="张三")
    db.session.commit()
    return s


@pytest.mark.parametrize(("score", "passed"), [("79.5", False), ("80", True)])
def test_passed_follows_the_pass_mark_and_cannot_be_forced(
    modules, streamer, trainer, login_as, today, score, passed
) -> None:
    client = login_as(trainer)
    response = _post_record(
        client, modules["COMPLIANCE-1"], streamer, score=score, passed="y", trainer_id=trainer.id
    )
    assert response.status_code == 302
    record = _only_record()
    assert (record.score, record.passed) == (float(score), passed)
    assert (record.trainer_id, record.trainer_name, record.created_by_id) == (
        trainer.id,
        "李老师",
        trainer.id,
    )


def test_attending_a_module_without_pass_mark_passes_it(
    modules, streamer, trainer, login_as, today
) -> None:
    response = _post_record(login_as(trainer), modules["FANS-1"], streamer, trainer_id=trainer.id)
    assert response.status_code == 302
    assert (_only_record().score, _only_record().passed) == (None, True)


@pytest.mark.parametrize(
    ("module", "fields", "message"),
    [
        ("COMPLIANCE-1", {}, "COMPLIANCE-1 has a pass mark, so a score is required."),
        ("COMPLIANCE-1", {"score": "101"}, "The score must be between 0 and 100."),
        ("FANS-1", {"completed_on": "2026-09-16"}, "The date 2026-09-16 is in the future."),
    ],
)
def test_bad_records_are_refused_and_nothing_is_written(
    modules, streamer, trainer, login_as, today, module, fields, message
) -> None:
    response = _post_record(
        login_as(trainer), modules[module], streamer, trainer_id=trainer.id, **fields
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _count() == 0


def test_the_same_module_twice_on_one_day_is_refused(modules, streamer, trainer, login_as, today):
    client = login_as(trainer)
    fans = modules["FANS-1"]
    assert _post_record(client, fans, streamer, trainer_id=trainer.id).status_code == 302
    response = _post_record(client, fans, streamer, trainer_id=trainer.id)
    assert response.status_code == 409
    assert _count() == 1


def test_rubric_scores_make_the_score(modules, streamer, trainer, login_as, today) -> None:
    practical = modules["PRACTICAL-1"]
    rubric = {f"rubric-{d['key']}": "8" for d in practical.rubric}
    rubric["rubric-closing"] = "10"
    response = _post_record(login_as(trainer), practical, streamer, trainer_id=trainer.id, **rubric)
    assert response.status_code == 302
    record = _only_record()
    assert record.score == 82.0 and record.passed
    assert record.rubric_scores["closing"] == 10 and len(record.rubric_scores) == 10


def test_the_forms_ask_for_each_rubric_dimension_and_keep_what_was_given(
    modules, streamer, trainer, login_as, today
) -> None:
    practical = modules["PRACTICAL-1"]
    client = login_as(trainer)
    new_form = client.get(f"/training/records/new?module={practical.id}").get_data(as_text=True)
    rubric = {d["key"]: 8.0 for d in practical.rubric}
    record = log_record(
        streamer, practical, D(2026, 9, 1), ScoreInput(rubric_scores=rubric), trainer=trainer
    )
    db.session.commit()
    record_page = client.get(f"/training/records/{record.id}").get_data(as_text=True)

    for d in practical.rubric:
        assert f'name="rubric-{d["key"]}" min="0" max="10" step="0.5" value=""' in new_form
        assert f'name="rubric-{d["key"]}" min="0" max="10" step="0.5" value="8.0"' in record_page
    assert f'<option value="{practical.id}" selected>PRACTICAL-1' in new_form


def test_an_incomplete_or_out_of_range_rubric_is_refused(modules, streamer, today) -> None:
    practical = modules["PRACTICAL-1"]
    with pytest.raises(ValidationFailed, match="missing: 产品知识、话术框架、塑品能力"):
        log_record(streamer, practical, D(2026, 9, 1), ScoreInput(rubric_scores={"pacing": 8}))
    full = {d["key"]: 8.0 for d in practical.rubric}
    with pytest.raises(ValidationFailed, match="from 0 to 10"):
        log_record(
            streamer, practical, D(2026, 9, 1), ScoreInput(rubric_scores={**full, "pacing": 11})
        )
    with pytest.raises(ValidationFailed, match=r"adds up to 80\.0"):
        log_record(streamer, practical, D(2026, 9, 1), ScoreInput(score=95, rubric_scores=full))
    assert _count() == 0


def test_the_record_page_shows_who_logged_it(modules, streamer, trainer, login_as, today) -> None:
    record = log_record(
        streamer, modules["FANS-1"], D(2026, 9, 1), ScoreInput(), by=trainer, trainer_name="王老师"
    )
    db.session.commit()
    page = login_as(trainer).get(f"/training/records/{record.id}").get_data(as_text=True)
    assert "trainer_li" in page and "王老师" in page and "Training record logged" in page
    assert "training.record.create" not in page  # the action by its label, not its code


def _correction(record, **overrides):
    return {
        "completed_on": record.completed_on.isoformat(),
        "score": "85",
        "notes": "",
        "reason": "typo in the score sheet",
        "version": record_version(record),
        **overrides,
    }


def test_a_correction_needs_a_reason(modules, streamer, trainer, login_as, today) -> None:
    record = log_record(
        streamer, modules["COMPLIANCE-1"], D(2026, 9, 1), ScoreInput(score=78), trainer=trainer
    )
    db.session.commit()
    response = login_as(trainer).post(
        f"/training/records/{record.id}/correct", data=_correction(record, reason="  ")
    )
    assert response.status_code == 422
    assert "Reason for the correction: give at least 5 characters" in response.get_data(
        as_text=True
    )
    db.session.expire_all()
    assert (record.score, record.passed) == (78, False)


def test_a_correction_keeps_the_old_values_in_the_audit(
    modules, streamer, trainer, login_as, today
) -> None:
    record = log_record(
        streamer, modules["COMPLIANCE-1"], D(2026, 9, 1), ScoreInput(score=78), trainer=trainer
    )
    db.session.commit()
    response = login_as(trainer).post(
        f"/training/records/{record.id}/correct", data=_correction(record)
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (record.score, record.passed) == (85, True)
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "training.record.correct")
    )
    assert entry.changes == {"passed": [False, True], "score": [78.0, 85.0]}
    assert entry.actor_name == "trainer_li"
    assert entry.summary == message("Reason: %(reason)s", reason="typo in the score sheet")


def test_a_stale_correction_is_refused(modules, streamer, today) -> None:
    record = log_record(streamer, modules["COMPLIANCE-1"], D(2026, 9, 1), ScoreInput(score=78))
    with pytest.raises(Conflict):
        correct_record(
            record,
            completed_on=record.completed_on,
            entered=ScoreInput(score=90),
            notes="",
            reason="re-marked",
            version="2000-01-01T00:00:00+00:00",
        )


def test_voiding_needs_a_reason_and_keeps_the_record(
    modules, streamer, trainer, login_as, today
) -> None:
    record = log_record(
        streamer, modules["PRACTICAL-1"], D(2026, 9, 1), ScoreInput(score=90), trainer=trainer
    )
    db.session.commit()
    client = login_as(trainer)
    refused = client.post(f"/training/records/{record.id}/void", data={"reason": ""})
    assert refused.status_code == 422
    db.session.expire_all()
    assert record.voided_at is None

    assert (
        client.post(
            f"/training/records/{record.id}/void", data={"reason": "logged for the wrong person"}
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert record.voided_at is not None and record.voided_by_id == trainer.id
    assert (record.score, record.void_reason) == (90, "logged for the wrong person")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "training.record.void"))
    assert entry.changes["voided"] == [False, True]
    assert entry.summary == message("Reason: %(reason)s", reason="logged for the wrong person")
    page = client.get(f"/training/streamers/{streamer.id}").get_data(as_text=True)
    assert "voided" in page and "PRACTICAL-1" in page

    again = client.post(f"/training/records/{record.id}/correct", data=_correction(record))
    assert again.status_code == 409
    assert _count() == 1


def test_no_training_endpoint_deletes(app) -> None:
    methods = {
        method
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("training.")
        for method in rule.methods
    }
    assert "DELETE" not in methods
