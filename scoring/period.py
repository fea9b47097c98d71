"""The appraisal period: calendar dates in the organisation's time zone, and their UTC bounds."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from scoring.errors import ScoringInputError


@dataclass(frozen=True)
class Period:
    """Dates `start`..`end` (both inclusive) in the IANA time zone `tz`.

    A session belongs to the period when its *start* instant, seen in `tz`, falls on one of
    those dates. Construction raises `ScoringInputError` listing every problem.
    """

    start: dt.date
    end: dt.date
    tz: str = "Asia/Shanghai"

    def __post_init__(self) -> None:
        problems = []
        for name in ("start", "end"):
            value = getattr(self, name)
            # datetime is a date subclass; a time part would silently shift the bounds.
            if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
                problems.append(f"period.{name}: must be a date, got {value!r}")
        if not problems and self.start > self.end:
            problems.append(f"period: start {self.start} is after end {self.end}")
        try:
            ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            problems.append(f"period.tz: unknown time zone {self.tz!r}")
        if problems:
            raise ScoringInputError(problems)

    @classmethod
    def quarter(cls, year: int, quarter: int, tz: str = "Asia/Shanghai") -> Period:
        """The calendar quarter `quarter` (1-4) of `year` in time zone `tz`."""
        if quarter not in (1, 2, 3, 4):
            raise ScoringInputError([f"period.quarter: must be 1-4, got {quarter!r}"])
        first = dt.date(year, 3 * quarter - 2, 1)
        after = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
        return cls(first, after - dt.timedelta(days=1), tz)

    @property
    def code(self) -> str:
        """Cycle code of the quarter containing `start`, e.g. `2026Q3`."""
        return quarter_code(self.start)

    def utc_bounds(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """Half-open UTC instants [first local midnight, midnight after `end`)."""
        zone = ZoneInfo(self.tz)
        after = self.end + dt.timedelta(days=1)
        return (
            pd.Timestamp(dt.datetime.combine(self.start, dt.time(), zone)).tz_convert("UTC"),
            pd.Timestamp(dt.datetime.combine(after, dt.time(), zone)).tz_convert("UTC"),
        )


def quarter_code(day: dt.date) -> str:
    """`YYYYQn` of the quarter containing `day`."""
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


@functools.cache
def previous_quarter_codes(code: str, count: int) -> tuple[str, ...]:
    """`code` and the `count - 1` quarters before it, newest first: `2026Q1, 2025Q4, ...`."""
    year, quarter = int(code[:4]), int(code[5])
    codes = []
    for _ in range(count):
        codes.append(f"{year}Q{quarter}")
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return tuple(codes)
