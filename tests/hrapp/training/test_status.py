"""Points 3, 4 and 6: module status, expiring certifications, facts for scoring, mentee passes.

The rule itself (what counts as a pass, how long it stays valid) is tested with the scoring
library, which owns it: tests/scoring/test_scoring_training.py."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from hrapp.appraisals.schemes import save_scheme
from hrapp.auth.models import Role
from hrapp.extensions import db
from hrapp.training.services import (
    ScoreInput,
    expiring_certifications,
    log_record,
    mentee_facts,
    mentee_module,
    mentee_passes,
    module_status,
    training_facts,
    void_record,
)
from scoring import default_scheme_text
from tests.factories import assign_mentor, make_streamer, make_user

D = dt.date


def _log(streamer, module, day, score=None):
    return log_record(streamer, module, day, ScoreInput(score=score))


def test_module_status_lists_the_next_steps_modules(modules, today) -> None:
    assistant = make_streamer(level="assistant")
    _log(assistant, modules["SCRIPT-1"], D(2026, 3, 1))
    _log(assistant, modules["COMPLIANCE-1"], D(2025, 8, 1), 90)  # lapsed on 2026-08-01
    _log(assistant, modules["PRACTICAL-1"], D(2026, 7, 1), 72)
    statuses = {s.code: s.status for s in module_status(assistant, today)}
    assert statuses == {
        "SCRIPT-1": "passed",
        "PRODUCT-1": "missing",
        "FANS-1": "missing",
        "EMERGENCY-1": "missing",
        "COMPLIANCE-1": "expired",
        "PRACTICAL-1": "failed",
    }
    senior = make_streamer(level="senior")
    assert [s.code for s in module_status(senior, today)] == ["COMPLIANCE-1", "MENTOR-1"]
    assert module_status(make_streamer(level="mentor"), today) == []


def test_voided_records_do_not_count(modules, today) -> None:
    streamer = make_streamer()
    record = _log(streamer, modules["PRACTICAL-1"], D(2026, 7, 1), 90)
    void_record(record, "logged for the wrong streamer")
    practical = next(s for s in module_status(streamer, today) if s.code == "PRACTICAL-1")
    assert practical.status == "missing"
    assert training_facts([streamer.id]).empty


def test_certifications_expiring_within_30_days(modules, today) -> None:
    compliance = modules["COMPLIANCE-1"]
    soon = make_streamer(employee_no="E5001")
    _log(soon, compliance, D(2025, 10, 1), 88)  # expires 2026-10-01: in 16 days
    later = make_streamer(employee_no="E5002")
    _log(later, compliance, D(2025, 11, 1), 88)  # expires 2026-11-01: in 47 days
    renewed = make_streamer(employee_no="E5003")
    _log(renewed, compliance, D(2025, 9, 20), 90)
    _log(renewed, compliance, D(2026, 9, 1), 90)
    gone = make_streamer(employee_no="E5004", status="left")
    _log(gone, compliance, D(2025, 10, 2), 90)
    failed = make_streamer(employee_no="E5005")
    _log(failed, compliance, D(2025, 10, 3), 60)
    listed = expiring_certifications(today)
    assert [(e.employee_no, e.status.expires_on) for e in listed] == [("E5001", D(2026, 10, 1))]
    assert [e.employee_no for e in expiring_certifications(today, within_days=60)] == [
        "E5001",
        "E5002",
    ]


def test_training_facts_are_plain_data_for_scoring(modules, today) -> None:
    a, b = make_streamer(), make_streamer()
    _log(a, modules["SCRIPT-1"], D(2026, 5, 1))
    _log(a, modules["COMPLIANCE-1"], D(2026, 6, 1), 79)
    _log(b, modules["MENTOR-1"], D(2026, 7, 1), 90)
    voided = _log(b, modules["FANS-1"], D(2026, 7, 2))
    void_record(voided, "duplicate")
    facts = training_facts()
    assert list(facts.columns) == ["streamer_id", "module_code", "completed_on", "score", "passed"]
    assert facts["streamer_id"].dtype == "int64" and facts["score"].dtype == "float64"
    assert facts["passed"].dtype == bool
    rows = facts.to_dict("records")
    assert [(r["streamer_id"], r["module_code"], r["completed_on"], r["passed"]) for r in rows] == [
        (a.id, "COMPLIANCE-1", D(2026, 6, 1), False),
        (a.id, "SCRIPT-1", D(2026, 5, 1), True),
        (b.id, "MENTOR-1", D(2026, 7, 1), True),
    ]
    assert rows[0]["score"] == 79 and math.isnan(rows[1]["score"])
    assert training_facts([b.id])["module_code"].tolist() == ["MENTOR-1"]


def test_training_facts_of_nobody_still_has_the_columns(app) -> None:
    facts = training_facts([])
    assert facts.empty
    assert dict(facts.dtypes.astype(str)) == {
        "streamer_id": "int64",
        "module_code": str(pd.Series([], dtype="str").dtype),
        "completed_on": "object",
        "score": "float64",
        "passed": "bool",
    }


def test_mentee_passes_counts_distinct_mentees_who_passed_practical(modules, today) -> None:
    practical = modules["PRACTICAL-1"]
    mentor = make_streamer(level="senior")
    twice, once, failing, voided = (make_streamer(mentor_id=mentor.id) for _ in range(4))
    _log(twice, practical, D(2026, 5, 1), 85)
    _log(twice, practical, D(2026, 6, 1), 90)
    _log(once, practical, D(2026, 8, 1), 80)
    _log(failing, practical, D(2026, 8, 1), 79)
    void_record(_log(voided, practical, D(2026, 8, 1), 95), "wrong person")
    stranger = make_streamer()
    _log(stranger, practical, D(2026, 8, 1), 95)
    db.session.flush()
    assert mentee_passes(mentor.id) == 2
    assert mentee_passes(mentor.id, as_of=D(2026, 7, 31)) == 1
    assert mentee_passes(stranger.id) == 0


def test_a_pass_counts_for_the_mentor_of_the_day_even_after_the_mentee_moves(
    modules, today
) -> None:
    practical = modules["PRACTICAL-1"]
    first, second = make_streamer(level="senior"), make_streamer(level="senior")
    moved = make_streamer()
    assign_mentor(moved, first.id, since=D(2026, 1, 1))
    moved.mentorships[0].ended_on = D(2026, 6, 1)
    assign_mentor(moved, second.id, since=D(2026, 6, 1))
    _log(moved, practical, D(2026, 5, 31), 85)  # passed under the first mentor
    late = make_streamer()
    assign_mentor(late, second.id, since=D(2026, 8, 1))
    _log(late, practical, D(2026, 7, 31), 90)  # passed the day before the mentorship began
    db.session.flush()

    assert (mentee_passes(first.id), mentee_passes(second.id)) == (1, 0)
    facts = mentee_facts()
    assert facts[["mentor_id", "mentee_id"]].values.tolist() == [[first.id, moved.id]]


def test_mentee_passes_count_the_scheme_s_mentee_module(modules, today) -> None:
    """The module the mentees criterion counts is the scheme's, on the training page too."""
    mentor = make_streamer(level="senior")
    mentee = make_streamer(mentor_id=mentor.id)
    _log(mentee, modules["FANS-1"], D(2026, 8, 1))
    db.session.flush()
    assert mentee_passes(mentor.id) == 0
    text = default_scheme_text().replace(
        'mentee_module = "PRACTICAL-1"', 'mentee_module = "FANS-1"'
    )
    save_scheme(text, user_id=make_user(Role.HR).id)
    assert mentee_module().code == "FANS-1"
    assert mentee_passes(mentor.id) == 1
