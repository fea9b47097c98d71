"""Fixtures of the promotion tests: an HR user, a logged-in client and the `hrapp` command."""

from __future__ import annotations

import pytest
from flask import Flask

from hrapp.auth.models import Role
from hrapp.extensions import db
from tests.factories import make_user


@pytest.fixture
def hr(app: Flask):
    user = make_user(Role.HR, username="hr_sun")
    db.session.commit()
    return user
