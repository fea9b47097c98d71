"""Promotion checklists for the next step of the path."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest
from scoring_factories import (
    CURRICULUM,
    quarter_sessions,
    sessions_frame,
    solo_hosts,
    streamers_frame,
)

from scoring import Period, PromotionInputs, Scheme, ScoringInputError, appraise
from scoring.promotion import add_months, months_between
from scoring.training import ModuleRule

AS_OF = dt.date(2026, 9, 30)
ASSISTANT_MODULES = [
    "SCRIPT-1",
    "PRODUCT-1",
    "FANS-1",
    "EMERGENCY-1",
    "COMPLIANCE-1",
    "PRACTICAL-1",
]

# 30 sessions × 7 h = 210 h; GMV ¥480,000, refunds ¥30,000, watch 60 s, 3,000 net followers:
# an assistant's grade S.
STRONG_QUARTER = quarter_sessions(
    1, 30, 7, gmv_fen=1_600_000, refunds_fen=100_000, new_followers=110, unfollows=10
)


def _history(rows: list[tuple[int, str, str | None, int, int, int]]) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["streamer_id", "cycle", "grade", "on_air_seconds", "gmv_fen", "refunds_fen"]
    )


def _training(rows: list[tuple[int, str, dt.date, float | None, bool]]) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["streamer_id", "module_code", "completed_on", "score", "passed"]
    )


def _passed_all(
    streamer_id: int, modules: list[str], day: dt.date = dt.date(2026, 3, 1)
) -> list[Any]:
    return [(streamer_id, code, day, 90.0, True) for code in modules]


def _checklist(
    scheme: Scheme,
    q3: Period,
    *,
    level_since: dt.date = dt.date(2026, 1, 15),
    history: pd.DataFrame | None = None,
    training: list[Any] | None = None,
    modules: dict[str, ModuleRule] = CURRICULUM,
) -> dict[str, Any]:
    sessions = sessions_frame(STRONG_QUARTER)
    inputs = PromotionInputs(
        AS_OF,
        history=_history([(1, "2026Q2", "A", 200 * 3600, 40_000_000, 4_000_000)])
        if history is None
        else history,
        training=_training(_passed_all(1, ASSISTANT_MODULES) if training is None else training),
        modules=modules,
    )
    streamers = streamers_frame([(1, "assistant", "beauty", level_since)])
    result = appraise(sessions, solo_hosts(sessions, 1), streamers, scheme, q3, inputs)
    promotion = result.explanations[1]["promotion"]
    assert bool(result.table.loc[0, "promotion_eligible"]) == promotion["eligible"]
    return promotion


def _by_criterion(promotion: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item.get("module") or item["criterion"]: item for item in promotion["checklist"]}


def test_all_criteria_met(scheme: Scheme, q3: Period) -> None:
    promotion = _checklist(scheme, q3)
    assert (promotion["from_level"], promotion["to_level"], promotion["eligible"]) == (
        "assistant",
        "senior",
        True,
    )
    items = _by_criterion(promotion)
    assert list(items) == [
        "months_at_level",
        "grade",
        "on_air_hours",
        "refund_rate",
        *ASSISTANT_MODULES,
    ]
    assert items["months_at_level"] == {
        "criterion": "months_at_level",
        "required": 6,
        "actual": 8,
        "met": True,
    }
    assert items["grade"]["quarters"] == [
        {"cycle": "2026Q3", "grade": "S"},
        {"cycle": "2026Q2", "grade": "A"},
    ]
    assert (items["grade"]["required"], items["grade"]["actual"]) == (2, 2)
    assert (items["on_air_hours"]["required"], items["on_air_hours"]["actual"]) == (400, 410.0)
    assert items["refund_rate"]["actual"] == pytest.approx(7_000_000 / 88_000_000)
    assert items["COMPLIANCE-1"] == {
        "criterion": "module",
        "required": 80.0,
        "actual": 90.0,
        "met": True,
        "module": "COMPLIANCE-1",
        "valid_months": 12,
        "completed_on": "2026-03-01",
        "valid_until": "2027-02-28",
    }


def test_expired_compliance_is_not_met(scheme: Scheme, q3: Period) -> None:
    training = [
        *_passed_all(1, [m for m in ASSISTANT_MODULES if m != "COMPLIANCE-1"]),
        (1, "COMPLIANCE-1", dt.date(2025, 9, 15), 95.0, True),
    ]
    promotion = _checklist(scheme, q3, training=training)
    compliance = _by_criterion(promotion)["COMPLIANCE-1"]
    assert (compliance["met"], compliance["valid_until"]) == (False, "2026-09-14")
    assert promotion["eligible"] is False
    # A renewal on the last valid day keeps it valid.
    renewed = _checklist(
        scheme, q3, training=[*training, (1, "COMPLIANCE-1", dt.date(2026, 9, 14), 81.0, True)]
    )
    assert _by_criterion(renewed)["COMPLIANCE-1"]["met"] is True


def test_unmet_criteria_say_what_is_missing(scheme: Scheme, q3: Period) -> None:
    training = [
        *_passed_all(1, ASSISTANT_MODULES[:5]),
        (1, "PRACTICAL-1", dt.date(2026, 6, 1), 75.0, True),  # passed, but below the required 80
        (1, "PRACTICAL-1", dt.date(2026, 10, 2), 95.0, True),  # after the as-of date
    ]
    promotion = _checklist(
        scheme,
        q3,
        level_since=dt.date(2026, 4, 1),
        history=_history([(1, "2026Q1", "S", 300 * 3600, 1, 0)]),  # 2026Q2 is missing
        training=training,
    )
    items = _by_criterion(promotion)
    assert (items["months_at_level"]["actual"], items["months_at_level"]["met"]) == (5, False)
    assert items["grade"]["quarters"][1] == {"cycle": "2026Q2", "grade": None}
    assert (items["grade"]["actual"], items["grade"]["met"]) == (1, False)
    assert (items["on_air_hours"]["actual"], items["on_air_hours"]["met"]) == (210.0, False)
    # The best attempt shows as what the streamer has: 75, below the required 80 (the 95 came
    # after the as-of date).
    assert (items["PRACTICAL-1"]["actual"], items["PRACTICAL-1"]["required"]) == (75.0, 80.0)
    assert items["PRACTICAL-1"]["attempts"] == 1
    assert items["PRACTICAL-1"]["met"] is False
    assert items["SCRIPT-1"]["met"] is True
    assert promotion["eligible"] is False


def test_refund_rate_over_the_window(scheme: Scheme, q3: Period) -> None:
    history = _history([(1, "2026Q2", "A", 200 * 3600, 40_000_000, 30_000_000)])
    item = _by_criterion(_checklist(scheme, q3, history=history))["refund_rate"]
    assert item["actual"] == pytest.approx(33_000_000 / 88_000_000)
    assert (item["required"], item["met"]) == (0.25, False)


def test_senior_to_mentor_counts_distinct_mentees(scheme: Scheme, q3: Period) -> None:
    sessions = sessions_frame(STRONG_QUARTER)
    history = _history(
        [
            (2, cycle, grade, 200 * 3600, 1, 0)
            for cycle, grade in (("2026Q2", "A"), ("2026Q1", "A"), ("2025Q4", "S"))
        ]
    )
    training = _training(
        [
            (2, "MENTOR-1", dt.date(2025, 1, 5), 86.0, True),
            (2, "COMPLIANCE-1", dt.date(2026, 2, 1), 88.0, True),
        ]
    )
    mentees = pd.DataFrame(
        [
            (2, 10, "PRACTICAL-1", dt.date(2026, 5, 1), 85.0, True),
            (2, 10, "PRACTICAL-1", dt.date(2026, 6, 1), 90.0, True),
            (2, 11, "PRACTICAL-1", dt.date(2026, 7, 1), 80.0, True),
            (2, 12, "PRACTICAL-1", dt.date(2026, 7, 1), 60.0, False),
            (2, 13, "SCRIPT-1", dt.date(2026, 7, 1), None, True),
            # Recorded as passed, but below the module's pass mark now: not a pass.
            (2, 14, "PRACTICAL-1", dt.date(2026, 7, 1), 79.0, True),
        ],
        columns=["mentor_id", "mentee_id", "module_code", "completed_on", "score", "passed"],
    )
    streamers = streamers_frame(
        [(2, "senior", "beauty", dt.date(2025, 3, 1)), (3, "mentor", None, None)]
    )
    inputs = PromotionInputs(
        AS_OF, history=history, training=training, mentees=mentees, modules=CURRICULUM
    )
    result = appraise(sessions, solo_hosts(sessions, 2), streamers, scheme, q3, inputs)
    promotion = result.explanations[2]["promotion"]
    items = _by_criterion(promotion)
    # A senior's D this quarter still leaves 3 of the last 4 quarters at A or better.
    assert items["grade"]["quarters"][0] == {"cycle": "2026Q3", "grade": "D"}
    assert (items["grade"]["actual"], items["grade"]["required"]) == (3, 3)
    assert items["PRACTICAL-1"] == {
        "criterion": "mentees",
        "required": 2,
        "actual": 2,
        "met": True,
        "module": "PRACTICAL-1",
        "mentees": [{"id": 10, "name": None}, {"id": 11, "name": None}],
    }
    assert items["MENTOR-1"]["met"] and items["COMPLIANCE-1"]["met"]
    assert promotion["eligible"] is True
    # The top of the path has no next step.
    assert result.explanations[3]["promotion"] == {
        "from_level": "mentor",
        "to_level": None,
        "eligible": False,
        "checklist": [],
    }
    assert list(result.table["next_level"]) == ["mentor", None]


def test_promotion_inputs_are_checked(scheme: Scheme, q3: Period) -> None:
    sessions = sessions_frame(STRONG_QUARTER)
    inputs = PromotionInputs(
        dt.datetime(2026, 9, 30, 12, 0),  # type: ignore[arg-type]
        history=_history([(1, "2026Q3", "A", 0, 0, 0), (1, "2026-Q2", "Z", 0, 0, 0)]),
        training=_training([(1, "SCRIPT-1", None, 90.0, True)]),  # type: ignore[list-item]
    )
    streamers = streamers_frame([(1, "assistant", "beauty", None)])
    with pytest.raises(ScoringInputError) as caught:
        appraise(sessions, solo_hosts(sessions, 1), streamers, scheme, q3, inputs)
    assert caught.value.problems == [
        "promotion.as_of: must be a date, got datetime.datetime(2026, 9, 30, 12, 0)",
        "history.cycle: not a cycle code like 2026Q3 in 1 row (streamer_id 1)",
        "history.cycle: holds the appraised quarter 2026Q3 in 1 row (streamer_id 1)",
        "history.grade: not a grade of the scheme in 1 row (streamer_id 1)",
        "training.completed_on: unknown in 1 row (streamer_id 1)",
    ]


def test_month_arithmetic() -> None:
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2026, 3, 15), -12) == dt.date(2025, 3, 15)
    assert months_between(dt.date(2026, 1, 31), dt.date(2026, 2, 28)) == 1
    assert months_between(dt.date(2026, 1, 15), dt.date(2026, 7, 14)) == 5
    assert months_between(dt.date(2026, 1, 15), dt.date(2026, 7, 15)) == 6
    assert months_between(dt.date(2026, 5, 1), dt.date(2026, 4, 1)) == 0


def test_a_failed_attempt_shows_its_best_score_and_mentees_are_named(
    scheme: Scheme, q3: Period
) -> None:
    """'79 (below 80)', not 'none': failed records count as attempts with their best score;
    a module never taken has no score and no attempts; the mentees row names the mentees."""
    training = [
        *_passed_all(1, ASSISTANT_MODULES[:4]),
        (1, "PRACTICAL-1", dt.date(2026, 5, 1), 72.0, False),
        (1, "PRACTICAL-1", dt.date(2026, 8, 1), 79.0, False),
    ]
    items = _by_criterion(_checklist(scheme, q3, training=training))
    practical = items["PRACTICAL-1"]
    assert (practical["actual"], practical["required"], practical["met"]) == (79.0, 80.0, False)
    assert (practical["attempts"], practical["completed_on"]) == (2, None)
    compliance = items[ASSISTANT_MODULES[4]]
    assert (compliance["actual"], compliance["attempts"]) == (None, 0)

    sessions = sessions_frame(STRONG_QUARTER)
    mentees = pd.DataFrame(
        [
            (2, 11, "PRACTICAL-1", dt.date(2026, 7, 1), 88.0, True, "E1011 王五"),
            (2, 10, "PRACTICAL-1", dt.date(2026, 5, 1), 90.0, True, "E1010 赵六"),
            (2, 12, "PRACTICAL-1", dt.date(2026, 7, 1), 50.0, False, "E1012 孙七"),
        ],
        columns=[
            "mentor_id",
            "mentee_id",
            "module_code",
            "completed_on",
            "score",
            "passed",
            "mentee_name",
        ],
    )
    streamers = streamers_frame([(2, "senior", "beauty", dt.date(2025, 3, 1))])
    inputs = PromotionInputs(AS_OF, mentees=mentees, modules=CURRICULUM)
    result = appraise(sessions, solo_hosts(sessions, 2), streamers, scheme, q3, inputs)
    row = _by_criterion(result.explanations[2]["promotion"])["PRACTICAL-1"]
    assert row["mentees"] == [{"id": 10, "name": "E1010 赵六"}, {"id": 11, "name": "E1011 王五"}]
    assert (row["actual"], row["met"]) == (2, True)


def test_the_curriculum_s_rule_decides_a_module(scheme: Scheme, q3: Period) -> None:
    """The pass mark and validity come from the curriculum (`PromotionInputs.modules`), as on
    the training pages: the same records meet or miss the step as the curriculum changes."""
    training = [
        *_passed_all(1, ASSISTANT_MODULES[:4]),
        (1, "COMPLIANCE-1", dt.date(2025, 8, 1), 90.0, True),
        (1, "PRACTICAL-1", dt.date(2026, 6, 1), 82.0, True),
    ]
    as_shipped = _by_criterion(_checklist(scheme, q3, training=training))
    assert (as_shipped["PRACTICAL-1"]["required"], as_shipped["PRACTICAL-1"]["met"]) == (80.0, True)
    assert as_shipped["COMPLIANCE-1"]["met"] is False  # lapsed after 12 months

    stricter = {
        **CURRICULUM,
        "PRACTICAL-1": ModuleRule("PRACTICAL-1", pass_mark=85),
        "COMPLIANCE-1": ModuleRule("COMPLIANCE-1", pass_mark=80, validity_months=24),
    }
    promotion = _checklist(scheme, q3, training=training, modules=stricter)
    items = _by_criterion(promotion)
    practical = items["PRACTICAL-1"]
    assert (practical["required"], practical["actual"], practical["met"]) == (85, 82.0, False)
    assert practical["attempts"] == 1
    compliance = items["COMPLIANCE-1"]
    assert (compliance["met"], compliance["valid_months"], compliance["valid_until"]) == (
        True,
        24,
        "2027-07-31",
    )
    # A module the curriculum does not list: recorded as passed is enough, for ever.
    unlisted = _by_criterion(_checklist(scheme, q3, training=training, modules={}))
    assert (unlisted["PRACTICAL-1"]["required"], unlisted["PRACTICAL-1"]["met"]) == (None, True)
    assert unlisted["COMPLIANCE-1"]["valid_until"] is None


def test_module_rules_must_name_their_module(scheme: Scheme, q3: Period) -> None:
    sessions = sessions_frame(STRONG_QUARTER)
    inputs = PromotionInputs(AS_OF, modules={"PRACTICAL-1": ModuleRule("MENTOR-1", 85)})
    streamers = streamers_frame([(1, "assistant", "beauty", None)])
    with pytest.raises(ScoringInputError) as caught:
        appraise(sessions, solo_hosts(sessions, 1), streamers, scheme, q3, inputs)
    assert caught.value.problems == [
        "promotion.modules.PRACTICAL-1: must be the ModuleRule of PRACTICAL-1"
    ]
