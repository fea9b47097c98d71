"""Fixtures of the closing tests: a run 2026Q3 with the domain guide's worked-example senior
(score 90, grade A, ¥11,500 tier commission × 1.1 = ¥12,650), HR and admin users."""

from __future__ import annotations

import pytest
from flask import Flask

from hrapp.appraisals import services
from hrapp.appraisals.models import Appraisal, AppraisalCycle
from hrapp.appraisals.runner import run_cycle
from hrapp.auth.models import Role
from hrapp.extensions import db
from tests.factories import make_streamer, make_user
from tests.hrapp.appraisals.helpers import appraisal_of, worked_example_quarter

WORKED_COMMISSION_FEN = 1_265_000  # ¥11,500 × 1.1 (grade A)


@pytest.fixture
def hr(app: Flask):
    return make_user(Role.HR, username="hr_qian")


@pytest.fixture
def admin(app: Flask):
    return make_user(Role.ADMIN, username="admin_sun")


@pytest.fixture
def senior(app: Flask):
    streamer = make_streamer(employee_no="E2001", level="senior")
    worked_example_quarter(streamer)
    return streamer


@pytest.fixture
def q3(senior) -> AppraisalCycle:
    cycle = services.create_cycle("2026Q3")
    run_cycle(cycle)
    db.session.commit()
    return cycle


@pytest.fixture
def appraisal(q3, senior) -> Appraisal:
    found = appraisal_of(q3, senior)
    assert (found.grade, found.commission_fen) == ("A", WORKED_COMMISSION_FEN)
    return found
