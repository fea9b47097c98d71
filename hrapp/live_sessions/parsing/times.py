"""Date-times from export text → UTC: naive local times are read in the organisation's zone.

A column is parsed with one explicit format at a time (vectorized ``pd.to_datetime``), the
format that fits its first filled cells first; the few cells left over try the other formats.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from hrapp.core.messages import Message, message

from .numbers import NULL_MARKERS, Parsed, clean_text, null_mask
from .tables import as_texts, cell_text, is_bytes

NAIVE_FORMATS = (
    "%Y/%m/%d %H:%M:%S",  # Douyin
    "%Y-%m-%d %H:%M:%S",  # Taobao, template, Excel dates
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d/ %H:%M",  # TikTok "2026/09/03/ 19:30"
    "%Y/%m/%d/ %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y.%m.%d %H:%M:%S",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
)
_WITH_OFFSET = re.compile(r".*\d[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})")
_SAMPLE = 5
# A session outside these years is a typo or a misread serial number, not history.
_FIRST_YEAR, _LAST_YEAR = 2000, 2100
_EARLIEST, _AFTER_LATEST = pd.Timestamp(_FIRST_YEAR, 1, 1), pd.Timestamp(_LAST_YEAR + 1, 1, 1)

UNREADABLE = message("Not a date and time (expected e.g. 2026/09/07 08:55:37).")
OUT_OF_RANGE = message(
    "The year is outside %(first)d–%(last)d.", first=_FIRST_YEAR, last=_LAST_YEAR
)

_TIME = r"\d{1,2}:\d{2}(?::\d{2})?"
_DATE = r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"
_RANGE = re.compile(
    rf"(?P<start>{_DATE}\s+{_TIME})\s*(?:-|~|至|到|—|–)\s*(?P<end_date>{_DATE}\s+)?(?P<end_time>{_TIME})"
)


def _naive(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Local wall-clock times (NaT where unreadable), trying formats in order of fit.

    Also returns which cells were dates outside the accepted years (left NaT).
    """
    series = pd.Series(texts, dtype=object, copy=False)
    values = np.full(len(texts), np.datetime64("NaT"), dtype="datetime64[ns]")
    out_of_range = np.zeros(len(texts), dtype=bool)
    todo = ~null_mask(texts)
    for fmt in _format_order(series[todo]):
        if not todo.any():
            break
        where = np.flatnonzero(todo)
        parsed = pd.to_datetime(series.iloc[where], format=fmt, errors="coerce")
        outside = ((parsed < _EARLIEST) | (parsed >= _AFTER_LATEST)).to_numpy()
        values[where] = parsed.where(~outside).to_numpy(dtype="datetime64[ns]")
        out_of_range[where] = outside
        todo[where] = np.isnat(values[where]) & ~outside
    return values, out_of_range


def _format_order(texts: pd.Series) -> list[str]:
    sample = texts.head(_SAMPLE)
    for fmt in NAIVE_FORMATS:
        if pd.to_datetime(sample, format=fmt, errors="coerce").notna().all():
            return [fmt, *(f for f in NAIVE_FORMATS if f != fmt)]
    return list(NAIVE_FORMATS)


def read_instants(texts: np.ndarray, tz: str) -> Parsed:
    """Date-time texts → UTC instants (numpy datetime64[ns] holding UTC wall time)."""
    local, out_of_range, is_null = _local_times(texts)
    utc = pd.Series(local).dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    values = utc.dt.tz_convert("UTC").to_numpy(dtype="datetime64[ns]")
    errors: dict[int, Message] = {}
    for pos in np.flatnonzero(out_of_range):
        errors[int(pos)] = OUT_OF_RANGE
    for pos in np.flatnonzero(np.isnat(local) & ~is_null & ~out_of_range):
        aware = _with_offset(clean_text(cell_text(texts, pos)))
        if aware is None:
            errors[int(pos)] = UNREADABLE
        else:
            values[pos] = aware
    clock_change = message(
        "This local time is skipped or repeated in %(zone)s (clock change).", zone=tz
    )
    for pos in np.flatnonzero(np.isnat(values) & ~np.isnat(local)):
        errors[int(pos)] = clock_change
    missing = np.isnat(values)
    missing[list(errors)] = True
    return Parsed(values, missing, errors)


def _local_times(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Local wall-clock times (NaT where not read), which were out of range, which NULL."""
    if is_bytes(texts):
        local, read = _fixed_layout(texts)
        rest = np.flatnonzero(~read)
        out_of_range = np.zeros(len(texts), dtype=bool)
        is_null = np.zeros(len(texts), dtype=bool)
        if len(rest):
            local[rest], out_of_range[rest], is_null[rest] = _local_times(as_texts(texts[rest]))
        return local, out_of_range, is_null
    is_null = null_mask(texts)
    local, out_of_range = _naive(texts)
    leftover = np.flatnonzero(np.isnat(local) & ~out_of_range & ~is_null)
    if len(leftover):
        # Padded, full-width or offset-carrying cells: rare, so cleaned one by one.
        cleaned = np.array([clean_text(t) for t in texts[leftover]], dtype=object)
        is_null[leftover] = null_mask(cleaned)
        local[leftover], out_of_range[leftover] = _naive(cleaned)
    return local, out_of_range, is_null


# `YYYY/MM/DD HH:MM:SS` or `YYYY-MM-DD HH:MM:SS`: where each number sits, and the fixed marks.
_FIELDS = {"year": (0, 4), "month": (5, 7), "day": (8, 10), "hour": (11, 13), "minute": (14, 16)}
_FIELDS["second"] = (17, 19)
_MARKS = {10: " ", 13: ":", 16: ":"}
_LAYOUT_BYTES = 19


def _fixed_layout(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The usual export layout read straight from UTF-8 bytes, all cells at once.

    Only cells that are exactly that layout with a valid date and time in the accepted years
    are read (the second array marks them); `pd.to_datetime` with the same format reads them
    to the same instants. Everything else is left for the text path, which words the errors.
    """
    size = len(texts)
    local = np.full(size, np.datetime64("NaT"), dtype="datetime64[ns]")
    if texts.dtype.itemsize <= _LAYOUT_BYTES:
        return local, np.zeros(size, dtype=bool)
    # A character position of every cell in a row of its own: contiguous passes.
    codes = np.ascontiguousarray(
        texts.view(np.uint8).reshape(size, texts.dtype.itemsize)[:, : _LAYOUT_BYTES + 1].T
    )
    ok = codes[_LAYOUT_BYTES] == 0
    ok &= (codes[4] == codes[7]) & ((codes[4] == ord("/")) | (codes[4] == ord("-")))
    for position, mark in _MARKS.items():
        ok &= codes[position] == ord(mark)
    part = {}
    for name, (start, end) in _FIELDS.items():
        number = np.zeros(size, dtype=np.int64)
        for position in range(start, end):
            digit = codes[position] - ord("0")  # unsigned: wraps around below "0"
            ok &= digit < 10
            number = number * 10 + digit
        part[name] = number
    ok &= (part["year"] >= _FIRST_YEAR) & (part["year"] <= _LAST_YEAR)
    ok &= (part["month"] >= 1) & (part["month"] <= 12) & (part["day"] >= 1)
    ok &= (part["hour"] < 24) & (part["minute"] < 60) & (part["second"] < 60)
    month = ((np.where(ok, part["year"], 1970) - 1970) * 12 + part["month"] - 1).astype("M8[M]")
    day = month.astype("M8[D]") + (part["day"] - 1).astype("m8[D]")
    ok &= day.astype("M8[M]") == month  # the 31st of a 30-day month is no date
    seconds = part["hour"] * 3600 + part["minute"] * 60 + part["second"]
    stamp = day.astype("M8[ns]") + seconds.astype("m8[s]")
    local[ok] = stamp[ok]
    return local, ok


def _with_offset(text: str) -> np.datetime64 | None:
    """An ISO 8601 time with its own offset (template files), as a UTC wall time."""
    if not _WITH_OFFSET.fullmatch(text):
        return None
    stamp = pd.to_datetime(pd.Series([text]), format="ISO8601", utc=True, errors="coerce")
    value = stamp.to_numpy(dtype="datetime64[ns]")[0]
    if np.isnat(value) or not _EARLIEST.to_datetime64() <= value < _AFTER_LATEST.to_datetime64():
        return None
    return value


RANGE_REASON = message("Not a time range (expected e.g. 2026/09/07 08:55:37-2026/09/07 11:02:10).")


def split_ranges(
    texts: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[int, Message]]:
    """``2026/09/07 08:55:37-2026/09/07 11:02:10`` or ``2026-09-07 08:55-11:02`` → two texts.

    Returns (start texts, end texts, end_is_time_only, errors); an end given as a time only
    takes the start's date (`next_day_fix` moves it past midnight when needed). Cells that are
    NULL or malformed give empty texts.
    """
    cleaned = pd.Series(texts, dtype=object, copy=False).map(clean_text)
    nulls = cleaned.isin(NULL_MARKERS).to_numpy()
    # As strings: when no cell matches, extract gives float NaN columns, which .str refuses.
    parts = cleaned.str.extract(_RANGE).astype("string")
    bad = parts["start"].isna().to_numpy() & ~nulls
    errors = {int(pos): RANGE_REASON for pos in np.flatnonzero(bad)}
    start_date = parts["start"].str.split(n=1).str[0]
    ends = parts["end_date"].fillna(start_date + " ") + parts["end_time"]
    time_only = (parts["end_date"].isna() & parts["start"].notna()).to_numpy()
    starts = parts["start"].fillna("").to_numpy(dtype=object)
    return starts, ends.fillna("").to_numpy(dtype=object), time_only, errors


def next_day_fix(started: Parsed, ended: Parsed, time_only: np.ndarray) -> None:
    """A time-only end before its start means the session ran past midnight."""
    earlier = ~started.missing & ~ended.missing & time_only & (ended.values < started.values)
    ended.values[earlier] = ended.values[earlier] + np.timedelta64(1, "D")
