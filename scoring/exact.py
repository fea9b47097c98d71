"""Exact integer arithmetic on whole columns.

Money and counts are integers, and their products with rates or their sums over quarters must be
exact whatever their size. Columns are int64 whenever every intermediate result provably stays
below 2**63 — the usual case, and fast — and Python integers (object arrays) otherwise, so
the answer never depends on the size of the numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

_INT64_LIMIT = 2**63


def largest(values: np.ndarray | int) -> int:
    """The largest magnitude among `values` (0 for none)."""
    return int(np.max(np.abs(values), initial=0))


def exact_kind(*bounds: int) -> np.dtype[Any]:
    """int64 when every bound is below 2**63, else Python integers (object)."""
    return np.dtype(np.int64) if max(bounds) < _INT64_LIMIT else np.dtype(object)


def half_up_times(
    amounts: np.ndarray, numerators: np.ndarray | int, denominators: np.ndarray | int
) -> np.ndarray:
    """`half_up(amount × numerator, denominator)` elementwise (amounts and numerators >= 0,
    denominators > 0), exact: int64 when every operand and the largest intermediates,
    2 × amount × numerator + denominator and 2 × denominator, fit, otherwise Python integers."""
    amount_bound, numerator_bound = largest(amounts), largest(numerators)
    denominator_bound = largest(denominators)
    kind = exact_kind(
        2 * amount_bound * numerator_bound + denominator_bound,
        2 * denominator_bound,
        amount_bound,
        numerator_bound,
    )
    amount: np.ndarray = np.asarray(amounts).astype(kind)
    numerator: np.ndarray = np.asarray(numerators).astype(kind)
    denominator: np.ndarray = np.asarray(denominators).astype(kind)
    result: np.ndarray = (2 * amount * numerator + denominator) // (2 * denominator)
    return result


def exact_sum(columns: Sequence[np.ndarray]) -> np.ndarray:
    """The elementwise sum of equally long integer columns, exact."""
    kind = exact_kind(sum(largest(column) for column in columns))
    total: np.ndarray = np.zeros(len(columns[0]), dtype=kind)
    for column in columns:
        total = total + column.astype(kind)
    return total


def times(values: np.ndarray, factor: int) -> np.ndarray:
    """values × factor elementwise, exact."""
    kind = exact_kind(largest(values) * abs(factor), largest(values), abs(factor))
    result: np.ndarray = values.astype(kind) * factor
    return result
