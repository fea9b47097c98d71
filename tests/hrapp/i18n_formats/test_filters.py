"""Issue 10, point 3: dates, times, numbers and money as each language writes them.

Chinese: 2026年12月7日 16:27. English: 7 Dec 2026 16:27 (day month year, 24-hour clock, not the
US "12/7/26, 4:27 AM"). Money is yuan with ¥ in both languages (not Babel's English "CN¥")."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from flask_babel import force_locale

from hrapp.core.money import yuan_display
from hrapp.web import localdate_filter, localtime_filter, money_filter, number_filter

# 08:27 UTC is 16:27 in Shanghai, the organisation's zone.
INSTANT = dt.datetime(2026, 12, 7, 8, 27, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("zh_CN", "2026年12月7日 16:27"), ("en", "7 Dec 2026 16:27")],
)
def test_an_instant_is_day_and_24_hour_time_in_the_org_zone(
    app: Flask, locale: str, expected: str
) -> None:
    with app.test_request_context(), force_locale(locale):
        assert localtime_filter(INSTANT) == expected


@pytest.mark.parametrize(
    ("locale", "expected", "full"),
    [
        ("zh_CN", "2026年12月7日", "2026年12月7日 星期一"),
        ("en", "7 Dec 2026", "Monday 7 December 2026"),
    ],
)
def test_a_date_is_day_month_year(app: Flask, locale: str, expected: str, full: str) -> None:
    with app.test_request_context(), force_locale(locale):
        assert localdate_filter(dt.date(2026, 12, 7)) == expected
        assert localdate_filter("2026-12-07") == expected
        assert localdate_filter(dt.date(2026, 12, 7), "full") == full


def test_an_explicit_pattern_is_used_as_given(app: Flask) -> None:
    with app.test_request_context(), force_locale("en"):
        assert localtime_filter(INSTANT, "yyyy-MM-dd HH:mm:ss") == "2026-12-07 16:27:00"


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
@pytest.mark.parametrize(
    ("fen", "expected"),
    [
        (383_715, "¥3,837.15"),
        (-383_715, "-¥3,837.15"),
        (150_000_000, "¥1,500,000.00"),
        (0, "¥0.00"),
        (-5, "-¥0.05"),
    ],
)
def test_money_is_yuan_with_the_yen_sign_in_both_languages(
    app: Flask, locale: str, fen: int, expected: str
) -> None:
    with app.test_request_context(), force_locale(locale):
        assert money_filter(fen) == expected
        assert yuan_display(fen) == expected  # sentences built in Python say the same
        assert money_filter(None) == yuan_display(None) == "—"


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_numbers_have_thousands_separators_and_the_digits_asked_for(
    app: Flask, locale: str
) -> None:
    with app.test_request_context(), force_locale(locale):
        assert number_filter(1_234_567.891, 2) == "1,234,567.89"
        assert number_filter(1234) == "1,234"
