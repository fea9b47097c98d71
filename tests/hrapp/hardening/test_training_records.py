"""A trainer corrects or voids only their own training records (those naming them as trainer,
or that they logged) unless they are also HR; every reason has at least five characters.

Before, any trainer could void or correct any other trainer's records with a one-letter reason,
which explains nothing to whoever reads the audit log later.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from hrapp.auth.models import Role, User
from hrapp.core.audit import AuditEntry
from hrapp.core.errors import ValidationFailed
from hrapp.extensions import db
from hrapp.training.curriculum import ensure_default_curriculum
from hrapp.training.models import TrainingRecord
from hrapp.training.services import (
    ScoreInput,
    correct_record,
    log_record,
    module_by_code,
    record_version,
    void_record,
)
from tests.factories import make_streamer, make_user

COMPLETED_ON = dt.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _english(english: None) -> None:
    """Form errors are checked in the English source text."""


@pytest.fixture
def trainers(app: Flask) -> dict[str, User]:
    ensure_default_curriculum()
    people = {
        "li": make_user(Role.TRAINER, username="trainer_li"),
        "wang": make_user(Role.TRAINER, username="trainer_wang"),
        "hr": make_user(Role.HR, username="hr_zhou"),
        "hr_trainer": make_user(Role.HR, Role.TRAINER, username="hr_and_trainer"),
        "admin": make_user(Role.ADMIN, username="admin_wu"),
    }
    db.session.commit()
    return people


def _record_of(trainer: User | None, *, logged_by: User | None = None) -> TrainingRecord:
    record = log_record(
        make_streamer(),
        module_by_code("COMPLIANCE-1"),
        COMPLETED_ON,
        ScoreInput(score=78),
        trainer=trainer,
        by=logged_by,
    )
    db.session.commit()
    return record


def _correction(record: TrainingRecord, reason: str = "score sheet misread") -> dict[str, str]:
    return {
        "completed_on": record.completed_on.isoformat(),
        "score": "85",
        "notes": "",
        "reason": reason,
        "version": record_version(record),
    }


def _audit_rows() -> int:
    return int(db.session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def _unchanged(record: TrainingRecord) -> bool:
    db.session.expire_all()
    fresh = db.session.get(TrainingRecord, record.id)
    assert fresh is not None
    return fresh.voided_at is None and fresh.score == 78


@pytest.mark.parametrize("action", ["void", "correct"])
def test_a_trainer_cannot_change_another_trainers_record(
    trainers: dict[str, User], login_as: Callable[[User], FlaskClient], action: str
) -> None:
    record = _record_of(trainers["li"], logged_by=trainers["li"])
    before = _audit_rows()
    data = _correction(record) if action == "correct" else {"reason": "logged twice by mistake"}

    response = login_as(trainers["wang"]).post(f"/training/records/{record.id}/{action}", data=data)

    assert response.status_code == 403
    assert _unchanged(record)
    assert _audit_rows() == before


def test_a_trainer_cannot_change_a_record_nobody_named_as_theirs(
    trainers: dict[str, User], login_as: Callable[[User], FlaskClient]
) -> None:
    """An imported record without a trainer account is HR's to change."""
    record = _record_of(None)
    response = login_as(trainers["wang"]).post(
        f"/training/records/{record.id}/void", data={"reason": "logged twice by mistake"}
    )
    assert response.status_code == 403
    assert _unchanged(record)


@pytest.mark.parametrize(
    ("who", "trainer", "logged_by"),
    [
        ("li", "li", None),  # named as the record's trainer
        ("li", "wang", "li"),  # logged it for a colleague
        ("hr", "li", "li"),
        ("hr_trainer", "li", "li"),
        ("admin", "li", "li"),
    ],
)
@pytest.mark.parametrize("action", ["void", "correct"])
def test_own_records_and_hr_may_change(
    trainers: dict[str, User],
    login_as: Callable[[User], FlaskClient],
    who: str,
    trainer: str,
    logged_by: str | None,
    action: str,
) -> None:
    record = _record_of(trainers[trainer], logged_by=trainers[logged_by] if logged_by else None)
    data = _correction(record) if action == "correct" else {"reason": "logged twice by mistake"}

    response = login_as(trainers[who]).post(f"/training/records/{record.id}/{action}", data=data)

    assert response.status_code == 302
    assert not _unchanged(record)


def test_the_record_page_offers_the_forms_only_to_who_may_use_them(
    trainers: dict[str, User], login_as: Callable[[User], FlaskClient]
) -> None:
    record = _record_of(trainers["li"], logged_by=trainers["li"])
    correct, void = f"/training/records/{record.id}/correct", f"/training/records/{record.id}/void"
    other = login_as(trainers["wang"]).get(f"/training/records/{record.id}")
    own = login_as(trainers["li"]).get(f"/training/records/{record.id}")

    assert other.status_code == 200
    assert correct not in other.text and void not in other.text
    assert "Only the record's trainer or HR can correct or void it." in other.text
    assert correct in own.text and void in own.text


@pytest.mark.parametrize("reason", ["", "   ", "x", "typo", " ab  "])
def test_a_void_reason_needs_five_characters(
    trainers: dict[str, User], login_as: Callable[[User], FlaskClient], reason: str
) -> None:
    record = _record_of(trainers["li"], logged_by=trainers["li"])
    before = _audit_rows()

    response = login_as(trainers["li"]).post(
        f"/training/records/{record.id}/void", data={"reason": reason}
    )

    assert response.status_code == 422
    assert "Reason for voiding: give at least 5 characters" in response.text
    assert _unchanged(record)
    assert _audit_rows() == before


@pytest.mark.parametrize("reason", ["", "x", "typo"])
def test_a_correction_reason_needs_five_characters(
    trainers: dict[str, User], login_as: Callable[[User], FlaskClient], reason: str
) -> None:
    record = _record_of(trainers["li"], logged_by=trainers["li"])
    before = _audit_rows()

    response = login_as(trainers["li"]).post(
        f"/training/records/{record.id}/correct", data=_correction(record, reason)
    )

    assert response.status_code == 422
    assert "Reason for the correction: give at least 5 characters" in response.text
    assert _unchanged(record)
    assert _audit_rows() == before


def test_five_characters_are_enough(
    trainers: dict[str, User], login_as: Callable[[User], FlaskClient]
) -> None:
    record = _record_of(trainers["li"], logged_by=trainers["li"])
    response = login_as(trainers["li"]).post(
        f"/training/records/{record.id}/void", data={"reason": " typo! "}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(TrainingRecord, record.id).void_reason == "typo!"


def test_the_services_refuse_a_short_reason_too(trainers: dict[str, User]) -> None:
    """Whatever calls them (a command, a later page), not only the forms."""
    record = _record_of(trainers["li"])
    with pytest.raises(ValidationFailed, match="at least 5 characters"):
        void_record(record, "oops")
    with pytest.raises(ValidationFailed, match="at least 5 characters"):
        correct_record(
            record,
            completed_on=COMPLETED_ON,
            entered=ScoreInput(score=85),
            notes="",
            reason="fix",
        )
    assert _unchanged(record)
