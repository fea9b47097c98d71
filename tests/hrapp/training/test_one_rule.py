"""One source of truth for "passed and still valid": a trainer edits a module's pass mark, and
the training page and the promotion checklists (HR's appraisal after the re-run the change
calls for, and the streamer's own running checklist at once) change together."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
import time_machine
from flask.testing import FlaskClient
from sqlalchemy import select

from hrapp.appraisals import services as cycles
from hrapp.appraisals.models import Appraisal, AppraisalCycle
from hrapp.appraisals.runner import run_cycle
from hrapp.auth.models import Role
from hrapp.extensions import db
from hrapp.training.models import Module
from hrapp.training.services import ScoreInput, log_record
from tests.factories import make_streamer, make_user


@pytest.fixture(autouse=True)
def _english(english: None) -> None:
    """The pages are read in English."""


@pytest.fixture(autouse=True)
def today() -> Iterator[dt.date]:
    """Early October 2026 in Shanghai: 2026Q3 is over and can be appraised."""
    with time_machine.travel(dt.datetime(2026, 10, 8, 4, 0, tzinfo=dt.UTC), tick=False):
        yield dt.date(2026, 10, 8)


def _row(html: str, code: str) -> str:
    """The text of the table row that names module `code`, tags removed."""
    for row in re.findall(r"<tr.*?</tr>", html, re.S):
        if code in row:
            return " ".join(re.sub(r"<[^>]+>", " ", row).split())
    raise AssertionError(f"no row names {code}")


def _module_form(module: Module, pass_mark: str) -> dict[str, str]:
    return {
        "code": module.code,
        "title_zh": module.title_zh,
        "title_en": module.title_en,
        "topic": module.topic,
        "hours": str(module.hours),
        "pass_mark": pass_mark,
        "validity_months": str(module.validity_months or ""),
        "assessed": "y",
        "rubric_lines": "\n".join(f"{d['key']} | {d['zh']} | {d['en']}" for d in module.rubric),
        "position": str(module.position),
        "active": "y",
    }


def _pages(
    hr: FlaskClient, trainer: FlaskClient, own: FlaskClient, streamer_id: int, appraisal_id: int
) -> dict[str, str]:
    return {
        "training": _row(trainer.get(f"/training/streamers/{streamer_id}").text, "PRACTICAL-1"),
        "appraisal": _row(hr.get(f"/appraisals/{appraisal_id}").text, "PRACTICAL-1"),
        "portal": _row(own.get("/me/promotion").text, "PRACTICAL-1"),
    }


def test_a_new_pass_mark_changes_the_training_page_and_the_promotion_checklist_together(
    modules, login_as
) -> None:
    practical = modules["PRACTICAL-1"]
    streamer = make_streamer(level="assistant", level_since=dt.date(2025, 1, 1))
    log_record(streamer, practical, dt.date(2026, 8, 1), ScoreInput(score=82))
    quarter = cycles.create_cycle("2026Q3")
    run_cycle(quarter)
    db.session.commit()
    appraisal_id = db.session.scalar(
        select(Appraisal.id).where(Appraisal.streamer_id == streamer.id)
    )
    hr = make_user(Role.HR)
    trainer = make_user(Role.TRAINER)
    own = make_user(Role.STREAMER, streamer=streamer)
    for user in (hr, trainer, own):
        user.locale = "en"
    db.session.commit()
    clients = [login_as(hr), login_as(trainer), login_as(own)]

    # PRACTICAL-1's pass mark is 80: the 82 is a pass on every page.
    before = _pages(*clients, streamer.id, appraisal_id)
    assert before["training"].startswith("PRACTICAL-1 Practical assessment Passed 82 80")
    assert "passed with at least 80" in before["appraisal"] and "✓ Met" in before["appraisal"]
    assert "passed with at least 80" in before["portal"] and "✓ Met" in before["portal"]

    form = _module_form(practical, "85")
    assert clients[1].post(f"/training/modules/{practical.id}", data=form).status_code == 302

    # The training page and the streamer's running checklist follow at once.
    after = _pages(*clients, streamer.id, appraisal_id)
    assert after["training"].startswith("PRACTICAL-1 Practical assessment Failed 82 85")
    assert "passed with at least 85" in after["portal"] and "✗ Not met" in after["portal"]
    # HR's quarter says it is out of date, and why; its re-run judges by the same pass mark.
    db.session.expire_all()
    stale = db.session.get(AppraisalCycle, quarter.id)
    assert stale.stale_since is not None
    assert {"key": "module_changed", "module": "PRACTICAL-1"}.items() <= stale.stale_reasons[
        -1
    ].items()
    run_cycle(stale)
    db.session.commit()
    appraisal = _pages(*clients, streamer.id, appraisal_id)["appraisal"]
    assert "passed with at least 85" in appraisal and "✗ Not met" in appraisal
    assert "82" in appraisal  # the best attempt, below the new pass mark
