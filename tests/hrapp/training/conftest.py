"""Fixtures of the training tests: the default curriculum, a frozen 'today', people to act."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from flask import Flask
from sqlalchemy import select

from hrapp.auth.models import Role
from hrapp.extensions import db
from hrapp.training.curriculum import ensure_default_curriculum
from hrapp.training.models import Module
from tests.factories import make_user

TODAY = dt.date(2026, 9, 15)


@pytest.fixture(autouse=True)
def _english(english: None) -> None:
    """These tests check the English source texts (the Chinese catalog has its own tests)."""


@pytest.fixture
def today() -> Iterator[dt.date]:
    """Freeze the clock at noon of TODAY in Shanghai (04:00 UTC)."""
    with time_machine.travel(dt.datetime(2026, 9, 15, 4, 0, tzinfo=dt.UTC), tick=False):
        yield TODAY


@pytest.fixture
def modules(app: Flask) -> dict[str, Module]:
    """The default curriculum by module code, committed."""
    ensure_default_curriculum()
    db.session.commit()
    return {m.code: m for m in db.session.scalars(select(Module))}


@pytest.fixture
def trainer(app: Flask):
    user = make_user(Role.TRAINER, username="trainer_li")
    user.display_name, user.locale = "李老师", "en"
    db.session.commit()
    return user


@pytest.fixture
def hr(app: Flask):
    user = make_user(Role.HR, username="hr_wang")
    user.locale = "en"  # pages are checked for English texts
    db.session.commit()
    return user
