"""Column-wise computations give exactly what the per-streamer rules they stand in for give.

`appraise` computes commission for every streamer at once (`Tariff.statements`), matches and
numbers ids with direct tables (`scoring.keys`), and takes a ratio's parts from column totals
less the sessions it leaves out (`scoring.aggregate.Rows.part`). Each is compared here with the
scalar or pandas computation it replaces, on random inputs, bit for bit.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
from hypothesis import example, given, settings
from hypothesis import strategies as st

from scoring.aggregate import Kept, Rows
from scoring.commission import Tariff, half_up
from scoring.exact import exact_sum, half_up_times, times
from scoring.keys import duplicated, factorize_sorted, positions
from scoring.promotion import months_between, months_column
from scoring.scheme import CommissionRules, Level, Tier

INT64_MAX = 2**63 - 1
LEVELS = (
    Level("assistant", "助理主播", "Assistant", 240),
    Level("senior", "资深主播", "Senior", 0),
    Level("mentor", "培训导师", "Mentor", 10**17),  # beyond any int64 number of seconds
)
GRADE_KEYS = ("S", "A", "B")

# Rates and factors with up to 20 decimal places: integer ratios with large denominators.
fractions = st.builds(
    lambda digits, places: Decimal(digits).scaleb(-places),
    st.integers(0, 10**12),
    st.integers(0, 20),
)


@st.composite
def commission_rules(draw: st.DrawFn) -> CommissionRules:
    bounds = sorted(draw(st.sets(st.integers(1, 10**20), max_size=4)))
    tiers = tuple(Tier(low, min(draw(fractions), Decimal(1))) for low in [0, *bounds])
    multipliers = {key: min(draw(fractions), Decimal(10)) for key in (*GRADE_KEYS, "not_graded")}
    gate = min(draw(fractions), Decimal(1))
    cap = draw(st.none() | st.integers(0, 10**9) | st.integers(0, 10**20))
    mode = draw(st.sampled_from(["marginal", "whole"]))
    return CommissionRules(mode, tiers, multipliers, gate, cap)


streamer_rows = st.lists(
    st.tuples(
        st.integers(-(10**12), 10**12) | st.integers(-INT64_MAX, INT64_MAX),  # net GMV
        st.booleans() | st.just(True),  # known
        st.sampled_from([*GRADE_KEYS, None]),
        st.integers(0, 10**7) | st.integers(0, INT64_MAX),  # on-air seconds
        st.sampled_from(LEVELS),
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(commission_rules(), streamer_rows)
def test_statements_equal_statement_per_streamer(
    rules: CommissionRules, rows: list[tuple[int, bool, str | None, int, Level]]
) -> None:
    tariff = Tariff(rules)
    bases, known, grades, seconds, levels = zip(*rows, strict=True)
    statements = tariff.statements(
        np.array(bases, dtype=np.int64),
        np.array(known, dtype=bool),
        np.array(grades, dtype=object),
        np.array(seconds, dtype=np.int64),
        np.array([level.key for level in levels], dtype=object),
        LEVELS,
    )
    expected = [
        tariff.statement(base, grade, on_air, level) if is_known else None
        for base, is_known, grade, on_air, level in rows
    ]
    built = [statements.statement(row) for row in range(len(rows))]
    assert built == expected
    for got, want in zip(built, expected, strict=True):  # Python ints, not numpy scalars
        if want is not None:
            assert got is not None
            assert [type(value) for value in got] == [type(value) for value in want]
            assert all(type(a) is type(b) for a, b in zip(got.lines, want.lines, strict=True))
    try:
        columns = statements.table_columns()
    except OverflowError:  # a commission beyond int64: the table cannot hold it, as before
        assert any(s is not None and s.commission_fen > INT64_MAX for s in expected)
        return
    for row, want in enumerate(expected):
        if want is None:
            assert columns["commission_fen"][row] is pd.NA
            assert columns["tier_commission_fen"][row] is pd.NA
            assert columns["multiplier"][row] is None
        else:
            assert columns["commission_fen"][row] == want.commission_fen
            assert columns["tier_commission_fen"][row] == want.tier_commission_fen
            assert columns["multiplier"][row] == str(want.multiplier)


@given(
    st.lists(
        st.tuples(
            st.integers(0, 10**13) | st.integers(0, 10**30),
            st.integers(0, 10**6) | st.integers(0, 10**25),
            st.integers(1, 10**6) | st.integers(1, 10**25),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_half_up_times_is_half_up_at_any_size(triples: list[tuple[int, int, int]]) -> None:
    amounts, numerators, denominators = (
        np.array(column, dtype=object) for column in zip(*triples, strict=True)
    )
    small = all(value < 2**62 for triple in triples for value in triple)
    if small:  # int64 columns take the int64 path when they fit, the object path otherwise
        amounts = amounts.astype(np.int64)
    result = half_up_times(amounts, numerators, denominators)
    assert result.tolist() == [half_up(a * n, d) for a, n, d in triples]


@given(
    st.lists(
        st.lists(st.integers(0, 2**62) | st.integers(0, 10**30), min_size=3, max_size=3),
        min_size=1,
        max_size=5,
    ),
    st.integers(0, 10**6) | st.integers(0, 10**30),
)
def test_sums_and_products_of_columns_are_exact(columns: list[list[int]], factor: int) -> None:
    arrays = [
        np.array(column, dtype=np.int64 if max(column) < 2**62 else object) for column in columns
    ]
    total = exact_sum(arrays)
    assert total.tolist() == [sum(values) for values in zip(*columns, strict=True)]
    assert times(total, factor).tolist() == [value * factor for value in total.tolist()]


@given(
    st.lists(st.none() | st.datetimes(dt.datetime(1900, 1, 1), dt.datetime(2100, 12, 31))),
    st.dates(dt.date(1950, 1, 1), dt.date(2100, 12, 31)),
)
# Month ends: the day is clamped to a shorter month before it is compared.
@example([dt.datetime(2026, 1, 31), dt.datetime(2026, 1, 28)], dt.date(2026, 2, 28))
@example([dt.datetime(2024, 1, 30, 23, 59)], dt.date(2024, 2, 29))
@example([dt.datetime(2026, 3, 31), None], dt.date(2026, 9, 30))
def test_months_column_is_months_between(days: list[dt.datetime | None], as_of: dt.date) -> None:
    months, known = months_column(pd.Series(pd.to_datetime(days), dtype="datetime64[ns]"), as_of)
    assert known.tolist() == [day is not None for day in days]
    assert [m for m, day in zip(months.tolist(), days, strict=True) if day is not None] == [
        months_between(day.date(), as_of) for day in days if day is not None
    ]


id_lists = st.lists(st.integers(-(10**6), 10**6), max_size=60) | st.lists(
    st.integers(-(2**62), 2**62), max_size=60
)


@given(id_lists, id_lists)
def test_positions_is_get_indexer(keys: list[int], wanted: list[int]) -> None:
    unique = np.array(sorted(set(keys), key=keys.index), dtype=np.int64)
    lookups = np.array([*wanted, *keys, -(2**63), 2**63 - 1], dtype=np.int64)
    expected = pd.Index(unique).get_indexer(lookups)
    assert positions(unique, lookups).tolist() == expected.tolist()


@given(id_lists)
def test_factorize_sorted_and_duplicated_are_pandas(values: list[int]) -> None:
    array = np.array(values, dtype=np.int64)
    codes, uniques = factorize_sorted(array)
    expected_codes, expected_uniques = pd.factorize(array, sort=True)
    assert codes.tolist() == expected_codes.tolist()
    assert uniques.tolist() == list(expected_uniques)
    series = pd.Series(array)
    assert duplicated(series).tolist() == series.duplicated(keep=False).tolist()


@st.composite
def quarter_rows(draw: st.DrawFn) -> tuple[Rows, dict[str, np.ndarray], Kept]:
    """Sessions with random values (some beyond what float64 adds exactly), (session, host)
    rows with random shares and streamers, random test streams and unknown parts."""
    sessions = draw(st.integers(1, 40))
    count = draw(st.integers(1, 80))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    high = draw(st.sampled_from([10**4, 10**9, 10**13]))
    values = {name: rng.integers(0, high, sessions) for name in ("num", "den")}
    known = {name: rng.random(sessions) < draw(st.sampled_from([1.0, 0.8])) for name in values}
    test = rng.random(sessions) < draw(st.sampled_from([0.0, 0.1, 0.9]))
    groups = draw(st.integers(1, 10))
    codes = np.concatenate([np.arange(groups), rng.integers(0, groups, count)])
    session = rng.integers(0, sessions, len(codes))
    share = rng.integers(1, 10_001, len(codes))
    rows = Rows(session, share, codes, groups)
    return rows, values, Kept(rows, test, known)


@settings(max_examples=200, deadline=None)
@given(quarter_rows(), st.booleans())
def test_ratio_parts_equal_the_row_by_row_float_sums(
    quarter: tuple[Rows, dict[str, np.ndarray], Kept], weighted: bool
) -> None:
    rows, values, kept = quarter
    sources = ("num", "den")
    for column in values.values():
        part = rows.part(rows.total(column, weighted=weighted), kept, sources)
        reference = rows.float_sum(column, kept.sessions(sources), weighted=weighted)
        assert part.tobytes() == reference.tobytes()  # the same float64 bits
