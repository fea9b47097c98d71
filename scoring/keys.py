"""Integer keys (session and streamer ids) matched, counted and numbered fast.

Database ids of one quarter are close together, so a table addressed directly by `id - lowest`
answers in a few vectorised passes what hashing answers in many times that; ids spread too far
apart for such a table fall back to pandas' hashing. Both paths give the same results.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# A direct table is used while it is at most this many times longer than the keys (plus a
# little): memory stays linear in the data and the table stays cheaper than a hash.
_SPAN_PER_KEY = 4
_SPAN_SLACK = 1024


def _span(*arrays: np.ndarray) -> tuple[int, int] | None:
    """(lowest, table length) covering every value, or None when a table would be too sparse."""
    present = [a for a in arrays if len(a)]
    if not present or not all(a.dtype == np.int64 for a in present):
        return None
    low = min(int(a.min()) for a in present)
    high = max(int(a.max()) for a in present)
    length = high - low + 1
    if length > _SPAN_PER_KEY * max(len(a) for a in present) + _SPAN_SLACK:
        return None
    return low, length


def positions(keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """For each of `wanted`, its index in the unique `keys`, or -1 when absent
    (`pandas.Index.get_indexer`)."""
    if not len(keys):
        return np.full(len(wanted), -1, dtype=np.intp)
    span = _span(keys)
    if span is None:
        return np.asarray(pd.Index(keys).get_indexer(wanted), dtype=np.intp)
    low, length = span
    table = np.full(length, -1, dtype=np.intp)
    table[keys - low] = np.arange(len(keys), dtype=np.intp)
    # Ids outside the table are left out before any offset is computed.
    inside = (wanted >= low) & (wanted <= low + length - 1)
    found = np.full(len(wanted), -1, dtype=np.intp)
    found[inside] = table[wanted[inside] - low]
    return found


def factorize_sorted(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(codes, sorted unique values) with `values == uniques[codes]`
    (`pandas.factorize(values, sort=True)` for int64 values)."""
    span = _span(values)
    if span is None:
        codes, uniques = pd.factorize(values, sort=True)
        return np.asarray(codes, dtype=np.intp), np.asarray(uniques, dtype=np.int64)
    low, length = span
    present = np.zeros(length, dtype=bool)
    present[values - low] = True
    rank = np.cumsum(present, dtype=np.intp) - 1
    return rank[values - low], np.flatnonzero(present).astype(np.int64) + low


def duplicated(series: pd.Series) -> np.ndarray:
    """True for every row whose value occurs more than once (`duplicated(keep=False)`)."""
    values = series.to_numpy()
    span = _span(values) if isinstance(values, np.ndarray) else None
    if span is None:
        return np.asarray(series.duplicated(keep=False).to_numpy(), dtype=bool)
    low, length = span
    offset = values - low
    counts = np.bincount(offset, minlength=length)
    return np.asarray(counts[offset] > 1, dtype=bool)
