"""Time spans from export text: ``106`` (minutes or seconds, per header), ``1分5秒``,
``2小时6分33秒``, ``1h 5min``, ``01:05:03``."""

from __future__ import annotations

import re
from decimal import Decimal

import numpy as np

from hrapp.core.messages import message

from .numbers import NULL_MARKERS, CellError, Parsed, clean_text, plain_number, read_scaled

MILLIS = 3  # durations are read exactly to the millisecond
_UNIT_SECONDS = {"h": 3600, "m": 60, "s": 1}
_UNIT_NAMES = {
    "h": ("小时", "时", "hours", "hour", "hrs", "hr", "h"),
    "m": ("分钟", "分", "minutes", "minute", "mins", "min", "m"),
    "s": ("秒钟", "秒", "seconds", "second", "secs", "sec", "s"),
}
_PART = re.compile(
    r"(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>"
    + "|".join(name for names in _UNIT_NAMES.values() for name in names)
    + r")"
)
_UNIT_OF = {name: unit for unit, names in _UNIT_NAMES.items() for name in names}
_CLOCK = re.compile(r"(?P<h>\d+):(?P<m>[0-5]\d):(?P<s>[0-5]\d(?:\.\d+)?)")


_NOT_A_DURATION = message("Not a duration (expected e.g. 1小时5分3秒, 1h 5min or 01:05:03).")


def parse_duration(text: str, unit_seconds: int) -> Decimal | None:
    """Seconds in ``text``; a bare number counts ``unit_seconds`` each. None for NULL."""
    cleaned = clean_text(text).casefold()
    if cleaned in NULL_MARKERS:
        return None
    clock = _CLOCK.fullmatch(cleaned)
    if clock:
        return int(clock["h"]) * 3600 + int(clock["m"]) * 60 + Decimal(clock["s"])
    if any(ch.isalpha() for ch in cleaned):
        return _parse_units(cleaned)
    try:
        value = plain_number(cleaned)
    except CellError:
        raise CellError(_NOT_A_DURATION) from None
    return None if value is None else value * unit_seconds


def _parse_units(text: str) -> Decimal:
    """``1小时5分3秒`` / ``1h 5min``: units in falling order, each at most once."""
    total = Decimal(0)
    rank = -1
    position = 0
    for match in _PART.finditer(text):
        unit = _UNIT_OF[match["unit"]]
        if text[position : match.start()].strip() or "hms".index(unit) <= rank:
            raise CellError(_NOT_A_DURATION)
        total += Decimal(match["number"]) * _UNIT_SECONDS[unit]
        rank = "hms".index(unit)
        position = match.end()
    if rank < 0 or text[position:].strip():
        raise CellError(_NOT_A_DURATION)
    return total


def read_durations(texts: np.ndarray, unit_seconds: int) -> Parsed:
    """Durations → exact integer milliseconds; negative spans are errors."""

    def cell(text: str) -> Decimal | None:
        return parse_duration(text, unit_seconds)

    parsed = read_scaled(
        texts, MILLIS, cell, message("More precise than a millisecond."), fast_factor=unit_seconds
    )
    negative = message("A duration cannot be negative.")
    for pos in np.flatnonzero(~parsed.missing & (parsed.values < 0)):
        parsed.errors[int(pos)] = negative
        parsed.missing[pos] = True
    return parsed
