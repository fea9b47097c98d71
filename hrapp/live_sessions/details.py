"""A session's figures as the session page lists them: each by its label, its value in the form
people read (counts with separators, money in yuan, the exchange rate as a number, times as
durations, the import batches by their file names, linked).

The labels are the "session_field" kind of `hrapp.core.labels`; columns that mean nothing to a
reader (ids of rows, bookkeeping stamps) are not listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from hrapp.core import labels
from hrapp.extensions import db
from hrapp.intake.batch_model import ImportBatch
from hrapp.live_sessions.models import LiveSession

SESSION_FIELDS = labels.register(
    "session_field",
    {
        "platform_session_id": _l("Session id on the platform"),
        "views": _l("Views"),
        "peak_online": _l("Peak online"),
        "avg_online": _l("Average online"),
        "avg_watch_seconds": _l("Average watch time"),
        "comments": _l("Comments by viewers"),
        "new_followers": _l("New followers"),
        "unfollows": _l("Unfollows"),
        "orders": _l("Orders"),
        "buyers": _l("Buyers"),
        "items_sold": _l("Items sold"),
        "refund_orders": _l("Refund orders"),
        "buyer_paid_fen": _l("Paid by buyers"),
        "platform_net_fen": _l("Net per the platform"),
        "refunds_1h_fen": _l("Refunds within an hour"),
        "ad_spend_fen": _l("Ad spend"),
        "fx_rate": _l("Exchange rate"),
        "import_batch_id": _l("Imported from"),
        "last_batch_id": _l("Last updated from"),
    },
)
# What a session's GMV is when it is not the platform's own (NULL): the audit log shows it so.
GMV_BASES = labels.register("gmv_basis", {"buyer_paid": _l("GMV from buyer-paid amount")})
# How each listed field is shown; the order is the page's.
FIELD_KINDS = {
    "platform_session_id": "text",
    "views": "count",
    "peak_online": "count",
    "avg_online": "count",
    "avg_watch_seconds": "duration",
    "comments": "count",
    "new_followers": "count",
    "unfollows": "count",
    "orders": "count",
    "buyers": "count",
    "items_sold": "count",
    "refund_orders": "count",
    "buyer_paid_fen": "money",
    "platform_net_fen": "money",
    "refunds_1h_fen": "money",
    "ad_spend_fen": "money",
    "fx_rate": "rate",
    "import_batch_id": "batch",
    "last_batch_id": "batch",
}


@dataclass(frozen=True)
class Detail:
    """One line of the session's figures; `value` is None when the export did not say."""

    field: str
    kind: str  # text | count | duration | money | rate | batch
    value: Any
    batch_name: str = ""  # for a batch: its file name

    @property
    def label(self) -> str:
        return labels.label("session_field", self.field)

    @property
    def places(self) -> int:
        """Decimal places a rate is shown with: all it has (7.1234 stays 7.1234)."""
        if not isinstance(self.value, Decimal):
            return 0
        exponent = self.value.normalize().as_tuple().exponent
        return max(0, -exponent) if isinstance(exponent, int) else 0


def session_details(session: LiveSession) -> list[Detail]:
    """The session's other figures, in the page's order."""
    batch_ids = [session.import_batch_id, session.last_batch_id]
    names = _batch_names([i for i in batch_ids if i is not None])
    details = []
    for field, kind in FIELD_KINDS.items():
        value = getattr(session, field)
        if kind == "rate":
            value = _rate(value)
        elif kind == "duration" and value is not None:
            value = round(value)
        details.append(Detail(field, kind, value, names.get(value, "") if kind == "batch" else ""))
    return details


def _rate(text: str | None) -> Decimal | None:
    """The stored exact rate as a number (the page formats it in the reader's locale)."""
    try:
        return None if text is None else Decimal(text)
    except InvalidOperation:
        return None


def _batch_names(batch_ids: list[int]) -> dict[int, str]:
    if not batch_ids:
        return {}
    rows = db.session.execute(
        select(ImportBatch.id, ImportBatch.filename).where(ImportBatch.id.in_(batch_ids))
    )
    return {batch_id: filename for batch_id, filename in rows}
