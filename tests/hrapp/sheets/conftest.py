"""Fixtures of the appraisal-sheet tests: cycle 2026Q3 with the domain guide's worked-example
senior 龚喆 (E2001: net GMV ¥1,200,000, score 90, grade A, commission ¥12,650), a pay
adjustment, a shared comment and an HR-private note, a training record in the quarter, and a
second streamer (E2002); HR, admin, trainer and both streamers' accounts. `finalized` closes the
cycle as HR."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import update

from hrapp.appraisals import closing, services
from hrapp.appraisals.models import Appraisal, AppraisalCycle
from hrapp.appraisals.runner import run_cycle
from hrapp.auth.models import Role
from hrapp.extensions import db
from hrapp.intake.batch_model import ImportBatch
from hrapp.live_sessions.models import LiveSession
from hrapp.training.models import Module, TrainingRecord
from tests.factories import make_account, make_streamer, make_user
from tests.hrapp.appraisals.helpers import (
    MID_Q3,
    appraisal_of,
    broadcast,
    worked_example_quarter,
)

NAME = "龚喆"
STAGE_NAME = "喆喆"
ADJUSTMENT_REASON = "直播间设备损坏赔偿"
SHARED_COMMENT = "本季表现稳定，继续保持。"
PRIVATE_NOTE = "HR-ONLY-SENTINEL 内部备注"
NET_GMV = "¥1,200,000.00"
BATCH_FILE = "抖音罗盘 2026Q3.xlsx"
PAYABLE = "¥12,149.50"  # ¥12,650 commission − ¥500.50
ARTIFACTS = Path(__file__).resolve().parents[3] / "tmp" / "artifacts"


@pytest.fixture
def hr(app: Flask):
    user = make_user(Role.HR, username="hr_zhang")
    user.display_name = "张经理"
    return user


@pytest.fixture
def admin(app: Flask):
    return make_user(Role.ADMIN, username="admin_sheets")


@pytest.fixture
def trainer(app: Flask):
    return make_user(Role.TRAINER, username="trainer_sheets")


@pytest.fixture
def senior(app: Flask):
    streamer = make_streamer(
        employee_no="E2001", legal_name=NAME, stage_name=STAGE_NAME, level="senior"
    )
    worked_example_quarter(streamer)
    return streamer


@pytest.fixture
def other(app: Flask):
    streamer = make_streamer(employee_no="E2002", legal_name="乙主播", team="二组")
    broadcast(make_account(streamer), start=MID_Q3, hours=3, gmv_fen=500_000, refunds_fen=0)
    usd = make_account(streamer, platform="tiktok", account_id="tt-2002")
    broadcast(usd, start=MID_Q3, hours=2, gmv_fen=712_340, currency="USD", fx_rate="7.1234")
    return streamer


@pytest.fixture
def senior_user(senior):
    return make_user(Role.STREAMER, streamer=senior, username="e2001")


@pytest.fixture
def other_user(other):
    return make_user(Role.STREAMER, streamer=other, username="e2002")


@pytest.fixture
def q3(senior, other, hr) -> AppraisalCycle:
    module = Module(
        code="COMPLIANCE-1", title_zh="合规与广告法", title_en="Compliance", pass_mark=80
    )
    db.session.add(module)
    db.session.flush()
    db.session.add(
        TrainingRecord(
            streamer_id=senior.id,
            module_id=module.id,
            completed_on=dt.date(2026, 8, 20),
            score=92.5,
            passed=True,
            trainer_name="李老师",
        )
    )
    batch = ImportBatch(filename=BATCH_FILE, sha256="0" * 64, status="imported", platform="douyin")
    db.session.add(batch)
    db.session.flush()
    db.session.execute(update(LiveSession).values(import_batch_id=batch.id))
    cycle = services.create_cycle("2026Q3")
    run_cycle(cycle)
    found = appraisal_of(cycle, senior)
    closing.add_pay_adjustment(found, -50_050, ADJUSTMENT_REASON, found.lock_version, hr)
    found = appraisal_of(cycle, senior)
    closing.save_comments(found, PRIVATE_NOTE, SHARED_COMMENT, found.lock_version, hr)
    db.session.commit()
    return cycle


@pytest.fixture
def finalized(q3, hr) -> AppraisalCycle:
    closing.finalize_cycle(q3, hr)
    db.session.commit()
    return q3


@pytest.fixture
def appraisal(q3, senior) -> Appraisal:
    return appraisal_of(q3, senior)


@pytest.fixture
def fast_timeout(app: Flask) -> Iterator[float]:
    """A short per-sheet time limit, so that a pathological sheet fails in seconds."""
    before = app.config["SHEET_RENDER_TIMEOUT"]
    app.config["SHEET_RENDER_TIMEOUT"] = 3.0
    yield 3.0
    app.config["SHEET_RENDER_TIMEOUT"] = before
