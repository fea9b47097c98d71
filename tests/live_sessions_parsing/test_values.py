"""Cell readers on their own: durations, amounts, hosts, and the exactness of the fast path."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hrapp.core.messages import message
from hrapp.intake import limits
from hrapp.live_sessions.parsing import parse_export
from hrapp.live_sessions.parsing.csv_source import CELL_BYTES
from hrapp.live_sessions.parsing.durations import parse_duration, read_durations
from hrapp.live_sessions.parsing.hosts import parse_hosts
from hrapp.live_sessions.parsing.numbers import (
    CellError,
    _scaled_cell,
    parse_amount,
    read_money,
    read_scaled,
)
from hrapp.live_sessions.parsing.times import _fixed_layout, read_instants

from .builders import csv_bytes, edited, september_rows


@pytest.mark.parametrize(
    ("text", "unit", "seconds"),
    [
        ("1分5秒", 1, 65),
        ("2小时6分33秒", 1, 7593),
        ("1小时5分", 1, 3900),
        ("01:05:03", 1, 3903),
        ("1h 5min", 1, 3900),
        ("2H5M", 1, 7500),
        ("45s", 1, 45),
        ("1.5 min", 1, 90),
        ("106", 60, 6360),
        ("1.01", 60, Decimal("60.6")),
        ("45.5", 1, Decimal("45.5")),
        ("--", 60, None),
    ],
)
def test_durations(text, unit, seconds):
    assert parse_duration(text, unit) == seconds


@pytest.mark.parametrize("text", ["5分1小时", "1:05", "1分1分", "abc", "1 hour and 5", "5 days"])
def test_not_durations(text):
    with pytest.raises(CellError, match="Not a duration"):
        parse_duration(text, 60)


def test_fast_and_slow_durations_agree_in_milliseconds():
    parsed = read_durations(np.array(["1.01", "1分0.6秒", "0.5", ""], dtype=object), 60)

    assert parsed.values[:3].tolist() == [60600, 60600, 30000]
    assert parsed.missing.tolist() == [False, False, False, True]


@pytest.mark.parametrize(
    ("text", "value", "symbol"),
    [
        ("¥236,552.00", Decimal("236552.00"), "¥"),
        ("￥1,234", Decimal(1234), "¥"),
        ("$12.5", Decimal("12.5"), "$"),
        ("-¥3", Decimal(-3), "¥"),
        ("1.2万", Decimal(12000), None),
        ("3亿", Decimal(300000000), None),
        ("2.5w", Decimal(25000), None),
        ("1.5K", Decimal(1500), None),
        ("１２", Decimal(12), None),
        ("12元", Decimal(12), "¥"),
    ],
)
def test_amount_notations(text, value, symbol):
    amount = parse_amount(text)

    assert amount is not None and (amount.value, amount.symbol) == (value, symbol)


@pytest.mark.parametrize("text", ["12,34", "1,2345", "1.2.3", "12-", "--5", "¥", "1e5", "one"])
def test_not_amounts(text):
    with pytest.raises(CellError):
        parse_amount(text)


@pytest.mark.parametrize(
    ("text", "hosts"),
    [
        ("E1001", "E1001:10000"),
        ("E1001:60;E1002:40", "E1001:6000;E1002:4000"),
        ("E1001：60%；E1002：40%", "E1001:6000;E1002:4000"),
        ("E1;E2;E3", "E1:3334;E2:3333;E3:3333"),
        ("E1:33.33;E2:33.33;E3:33.34", "E1:3333;E2:3333;E3:3334"),
        ("E1, E2", "E1:5000;E2:5000"),
        ("", None),
    ],
)
def test_hosts(text, hosts):
    assert parse_hosts(text) == hosts


def money_cell(text):
    amount = parse_amount(text)
    return None if amount is None else amount.value


_plain_numbers = st.decimals(
    min_value=-(10**15), max_value=10**15, places=3, allow_nan=False, allow_infinity=False
).map(str)
_odd_texts = st.sampled_from(
    ["", "-", "—", " 12 ", "1,234.5", "¥9", "1.2万", "007", "-0", ".5", "5.", "1.2.3", "--1"]
)
_digits_and_dots = st.text(alphabet="0123456789.-", min_size=0, max_size=24)


def as_str_column(texts):
    return np.array(texts, dtype=object)


def as_bytes_column(texts):
    """As the CSV reader hands numeric columns over: fixed-width UTF-8 bytes."""
    return np.array([t.encode("utf-8") for t in texts], dtype=f"S{CELL_BYTES}")


@pytest.mark.parametrize("column", [as_str_column, as_bytes_column])
@settings(max_examples=300, deadline=None)
@given(texts=st.lists(st.one_of(_plain_numbers, _odd_texts, _digits_and_dots), max_size=40))
def test_fast_path_matches_decimal_cell_by_cell(column, texts):
    """Whatever the vectorized reader accepts, from text or bytes, it reads exactly as Decimal
    does; what it leaves to Decimal gets the same reasons."""
    too_precise = message("too precise")
    parsed = read_scaled(column(texts), 2, money_cell, too_precise)

    for pos, text in enumerate(texts):
        expected = _scaled_cell(text, Decimal(100), money_cell, too_precise)
        if isinstance(expected, CellError):
            assert parsed.missing[pos] and parsed.errors[pos] == expected.reason
        elif expected is None:
            assert parsed.missing[pos] and pos not in parsed.errors
        else:
            assert not parsed.missing[pos] and parsed.values[pos] == expected


def test_largest_amounts_stay_exact_or_are_refused():
    texts = np.array(["9999999999999999.99", "99999999999999999.99"], dtype=object)

    parsed = read_money(texts, 2, "CNY", signed=False)

    assert parsed.values[0] == 999999999999999999
    assert parsed.errors == {1: message("Number too large.")}


def test_problem_report_is_capped_but_every_bad_row_is_rejected(monkeypatch):
    monkeypatch.setattr(limits, "MAX_PROBLEMS", 3)
    rows = edited(september_rows(6), "直播间成交金额", {n: "bad" for n in range(2, 8)})

    result = parse_export(csv_bytes(rows), "bad.csv")

    assert len(result.problems) == 3 and result.omitted_problems == 3
    assert result.rejected_rows == set(range(2, 8))
    assert result.rows.empty


def test_numeric_cells_wider_than_their_bytes_are_read_whole():
    """Such a cell sends the file back to be read as text: nothing is cut or misread."""
    padded = " " * CELL_BYTES + "1,234"
    garbage = "见备注：" + "x" * CELL_BYTES
    rows = edited(september_rows(3), "直播间观看人数", {2: padded})
    rows = edited(rows, "直播间成交金额", {3: garbage})

    result = parse_export(csv_bytes(rows), "wide.csv")

    assert [(p.row, p.column, p.value, p.text) for p in result.problems] == [
        (3, "直播间成交金额", garbage, "Not a number.")
    ]
    assert result.rows["source_row"].tolist() == [2, 4]
    assert result.rows["viewers"].tolist()[0] == 1234
    expected = parse_export(csv_bytes(edited(september_rows(3), "直播间观看人数", {2: "1234"})), "")
    assert result.rows.iloc[0].equals(expected.rows.iloc[0])


_TIME_TEXTS = [
    "2026/09/07 08:55:37",
    "2026-09-07 08:55:37",
    "2024/02/29 12:00:00",
    "2026/9/7 8:55:37",
    "2026/02/30 10:00:00",
    "2026/13/01 10:00:00",
    "2026/00/10 10:00:00",
    "1999/01/01 10:00:00",
    "2101/01/01 10:00:00",
    "2026/09/07 24:00:00",
    "2026/09/07 23:59:60",
    "2026/09-07 08:55:37",
    " 2026/09/07 08:55:37 ",
    "２０２６/09/07 08:55:37",
    "2026/09/07 08:55",
    "2026年09月07日 08:55:37",
    "2026-09-07T08:55:37+08:00",
    "",
    "-",
    "暂无",
    "garbage",
]


def assert_same_instants(texts):
    from_text = read_instants(as_str_column(texts), "Asia/Shanghai")
    from_bytes = read_instants(as_bytes_column(texts), "Asia/Shanghai")

    np.testing.assert_array_equal(from_bytes.values, from_text.values)
    np.testing.assert_array_equal(from_bytes.missing, from_text.missing)
    assert from_bytes.errors == from_text.errors


def test_times_read_from_bytes_as_from_text():
    assert_same_instants(_TIME_TEXTS)
    # The vectorised layout reads the three plain times; the text path everything else.
    _, fast = _fixed_layout(as_bytes_column(_TIME_TEXTS))
    assert fast.tolist() == [True] * 3 + [False] * (len(_TIME_TEXTS) - 3)
    parsed = read_instants(as_bytes_column(_TIME_TEXTS[:3]), "Asia/Shanghai")
    assert parsed.values.tolist() == [
        np.datetime64("2026-09-07T00:55:37", "ns").astype(int),
        np.datetime64("2026-09-07T00:55:37", "ns").astype(int),
        np.datetime64("2024-02-29T04:00:00", "ns").astype(int),
    ]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="0123456789/-: ", min_size=17, max_size=21), max_size=30))
def test_any_near_layout_time_reads_alike_from_bytes_and_text(texts):
    assert_same_instants(texts)
