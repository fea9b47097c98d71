"""Fixtures of the roster tests: a frozen 'today', the sample roster file, people who act."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from flask import Flask
from sqlalchemy import func, select

from hrapp.auth.models import Role
from hrapp.core.audit import AuditEntry
from hrapp.extensions import db
from hrapp.streamers.services import Profile
from tests.conftest import DATA_DIR
from tests.factories import make_user

TODAY = dt.date(2026, 9, 15)
SAMPLE = DATA_DIR / "roster" / "roster.csv"


@pytest.fixture(autouse=True)
def _english(english: None) -> None:
    """These tests check the English source texts (the Chinese catalog has its own tests)."""


@pytest.fixture(autouse=True)
def today() -> Iterator[dt.date]:
    """Ages and "not in the future" depend on today: freeze it at noon of TODAY in Shanghai."""
    with time_machine.travel(dt.datetime(2026, 9, 15, 4, 0, tzinfo=dt.UTC), tick=False):
        yield TODAY


@pytest.fixture
def sample_bytes() -> bytes:
    return SAMPLE.read_bytes()


@pytest.fixture
def hr(app: Flask):
    user = make_user(Role.HR, username="hr_wang")
    db.session.commit()
    return user


@pytest.fixture
def trainer(app: Flask):
    user = make_user(Role.TRAINER, username="trainer_li")
    db.session.commit()
    return user


def profile(**overrides: Any) -> Profile:
    """A valid profile: 28 years old, hired in 2024."""
    values: dict[str, Any] = {
        "employee_no": "E2001",
        "legal_name": "周星星",
        "stage_name": "星星",
        "date_of_birth": dt.date(1998, 3, 8),
        "hire_date": dt.date(2024, 5, 6),
        "category": "beauty",
        "team": "一组",
    }
    values.update(overrides)
    return Profile(**values)


def audit_count(action_prefix: str = "") -> int:
    query = select(func.count()).select_from(AuditEntry)
    if action_prefix:
        query = query.where(AuditEntry.action.startswith(action_prefix))
    return int(db.session.scalar(query) or 0)


def audit_entries(action: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
    )


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path
