"""Fixtures of the review tests: English pages, an HR user and a logged-in client."""

from __future__ import annotations

import pytest
from flask import Flask

from hrapp.auth.models import Role
from hrapp.extensions import db
from tests.factories import make_user


@pytest.fixture(autouse=True)
def _english(english: None) -> None:
    """These tests check the English source texts (the Chinese catalog has its own tests)."""


@pytest.fixture
def hr(app: Flask):
    user = make_user(Role.HR, username="hr_qian")
    user.locale = "en"
    db.session.commit()
    return user
