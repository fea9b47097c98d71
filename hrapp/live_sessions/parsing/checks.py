"""Checks across fields of a row and across rows of a file.

Severity, following the domain guide: a session that ends before it starts is impossible and
its on-air time unusable, so that is an error. The other relations (buyers ≤ viewers,
orders ≥ buyers, peak ≥ average online, views ≥ viewers, buyer-paid and refunds ≤ GMV) are
warnings: platforms count each figure with its own rules and at its own time (refunds grow
after the session, a buyer may order from a product card without counting as a viewer), so a
breach calls for a look, not a rejection.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hrapp.core.messages import Message, message

from .model import Severity
from .numbers import Parsed
from .tables import cell_text


@dataclass(frozen=True)
class RowCheck:
    position: int
    field: str  # whose cell the finding is reported on
    reason: Message
    severity: Severity


# (field that must not exceed, field it is compared with, reason without its two values)
_AT_MOST = (
    ("buyers", "viewers", message("More buyers (%(a)s) than viewers (%(b)s).")),
    ("buyers", "orders", message("More buyers (%(a)s) than orders (%(b)s).")),
    ("avg_online", "peak_online", message("Average online (%(a)s) is above peak online (%(b)s).")),
    ("viewers", "views", message("More viewers (%(a)s) than views (%(b)s).")),
    ("buyer_paid_minor", "gmv_minor", message("Buyer-paid amount (%(a)s) is above GMV (%(b)s).")),
    ("refunds_minor", "gmv_minor", message("Refunds (%(a)s) are above GMV (%(b)s).")),
)
BACKWARDS = message("The session ends before it starts.")


def row_checks(
    parsed: dict[str, Parsed], texts: dict[str, np.ndarray], end_field: str
) -> list[RowCheck]:
    """Findings per row; ``texts`` holds each field's cell texts for the messages."""
    found: list[RowCheck] = []
    start, end = parsed.get("started_at"), parsed.get("ended_at")
    if start is not None and end is not None:
        backwards = ~start.missing & ~end.missing & (end.values < start.values)
        found += [
            RowCheck(int(pos), end_field, BACKWARDS, "error") for pos in np.flatnonzero(backwards)
        ]
    for small, large, reason in _AT_MOST:
        if small in parsed and large in parsed:
            a, b = parsed[small], parsed[large]
            above = ~a.missing & ~b.missing & (a.values > b.values)
            found += [
                RowCheck(
                    int(pos),
                    small,
                    message(
                        reason["id"],
                        a=cell_text(texts[small], pos).strip(),
                        b=cell_text(texts[large], pos).strip(),
                    ),
                    "warning",
                )
                for pos in np.flatnonzero(above)
            ]
    return found


@dataclass(frozen=True)
class Duplicate:
    row: int
    others: list[int]  # the other rows holding the same session
    key: Message  # what makes them the same, in words
    field: str  # whose cell the finding is reported on
    value: str  # the key as shown to HR


def duplicates(frame: pd.DataFrame, tz: str) -> list[Duplicate]:
    """Rows describing the same session: same platform session id, or, where the export has
    none, same platform, account and start time (the natural key)."""
    has_id = frame["platform_session_id"].notna()
    by_id = _same(
        frame[has_id],
        ["platform", "platform_session_id"],
        message("platform session id"),
        "platform_session_id",
        lambda rows: rows["platform_session_id"],
    )
    keyed = frame[~has_id & frame["account_id"].notna() & frame["started_at"].notna()]
    by_start = _same(
        keyed,
        ["platform", "account_id", "started_at"],
        message("account and start time"),
        "started_at",
        lambda rows: (
            rows["account_id"]
            + " "
            + rows["started_at"].dt.tz_convert(tz).dt.strftime("%Y-%m-%d %H:%M:%S")
        ),
    )
    return by_id + by_start


def _same(
    frame: pd.DataFrame,
    key: list[str],
    label: Message,
    field: str,
    describe: Callable[[pd.DataFrame], pd.Series],
) -> list[Duplicate]:
    repeated = frame[frame.duplicated(key, keep=False)]
    if repeated.empty:
        return []
    grouped = repeated.groupby(key, sort=False)
    members = grouped["source_row"].agg(list).to_list()
    rows = repeated["source_row"].to_numpy()
    values = describe(repeated).to_numpy(dtype=object)
    return [
        Duplicate(int(row), [r for r in members[group] if r != row], label, field, str(value))
        for row, group, value in zip(rows, grouped.ngroup().to_numpy(), values, strict=True)
    ]
