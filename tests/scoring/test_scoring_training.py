"""Whether a module is passed and still valid: the rule the training pages and the promotion
checklist share (`scoring.training`)."""

from __future__ import annotations

import datetime as dt

import pytest

from scoring.training import (
    Attempt,
    ModuleRule,
    add_months,
    counts_as_pass,
    is_valid_on,
    standing,
)

D = dt.date
COMPLIANCE = ModuleRule("COMPLIANCE-1", pass_mark=80, validity_months=12)


def attempt(record_id: int, day: dt.date, score: float | None, passed: bool = True) -> Attempt:
    return Attempt(day, score, passed, record_id)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2025, 9, 15), 12, D(2026, 9, 15)),
        (D(2025, 8, 31), 6, D(2026, 2, 28)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2025, 11, 30), 3, D(2026, 2, 28)),
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
    ],
)
def test_add_months_clamps_to_the_month_end(day, months, expected) -> None:
    assert add_months(day, months) == expected


def test_no_attempt_is_missing() -> None:
    found = standing(COMPLIANCE, [], D(2026, 9, 15))
    assert (found.status, found.shown, found.attempts, found.best_score) == (
        "missing",
        None,
        0,
        None,
    )


def test_a_pass_is_valid_until_the_day_it_expires() -> None:
    passed = [attempt(1, D(2025, 9, 15), 90)]
    on_last_day = standing(COMPLIANCE, passed, D(2026, 9, 14))
    assert (on_last_day.status, on_last_day.expires_on) == ("passed", D(2026, 9, 15))
    assert on_last_day.valid_until == D(2026, 9, 14)
    assert standing(COMPLIANCE, passed, D(2026, 9, 15)).status == "expired"
    assert is_valid_on(COMPLIANCE, D(2025, 9, 15), D(2026, 9, 14))
    assert not is_valid_on(COMPLIANCE, D(2025, 9, 15), D(2026, 9, 15))


def test_a_failed_retake_after_a_lapsed_pass_shows_failed() -> None:
    attempts = [attempt(1, D(2024, 5, 1), 90), attempt(2, D(2026, 8, 1), 60, passed=False)]
    found = standing(COMPLIANCE, attempts, D(2026, 9, 15))
    assert (found.status, found.shown) == ("failed", attempts[1])
    assert found.latest_pass == attempts[0]  # what the promotion checklist shows beside it
    assert (found.attempts, found.best_score) == (2, 90)


def test_a_passed_retake_wins_over_an_earlier_failure() -> None:
    attempts = [attempt(1, D(2026, 3, 1), 60, passed=False), attempt(2, D(2026, 6, 1), 85)]
    assert standing(COMPLIANCE, attempts, D(2026, 9, 15)).status == "passed"


def test_attempts_after_the_as_of_date_do_not_count() -> None:
    attempts = [attempt(1, D(2026, 10, 1), 95)]
    assert standing(COMPLIANCE, attempts, D(2026, 9, 15)).status == "missing"


def test_a_raised_pass_mark_applies_to_older_passes() -> None:
    stricter = ModuleRule("COMPLIANCE-1", 85, 12)
    attempts = [attempt(1, D(2026, 6, 1), 82, passed=True)]
    found = standing(stricter, attempts, D(2026, 9, 15))
    assert (found.status, found.latest_pass, found.best_score) == ("failed", None, 82)


def test_the_same_day_s_later_record_is_the_later_attempt() -> None:
    attempts = [attempt(7, D(2026, 6, 1), 60, passed=False), attempt(3, D(2026, 6, 1), 90)]
    assert standing(COMPLIANCE, attempts, D(2026, 9, 15)).status == "passed"
    lapsed = standing(COMPLIANCE, attempts, D(2027, 6, 1))
    assert (lapsed.status, lapsed.shown) == ("failed", attempts[0])


@pytest.mark.parametrize(
    ("rule", "passed", "score", "counts"),
    [
        (ModuleRule("SCRIPT-1"), True, None, True),  # no pass mark: recorded as passed is enough
        (ModuleRule("SCRIPT-1"), False, 100.0, False),
        (COMPLIANCE, True, 80.0, True),
        (COMPLIANCE, True, 79.5, False),
        (COMPLIANCE, True, None, False),
        (COMPLIANCE, True, float("nan"), False),  # a frame's missing score
    ],
)
def test_what_counts_as_a_pass(rule, passed, score, counts) -> None:
    assert counts_as_pass(rule, passed, score) is counts
