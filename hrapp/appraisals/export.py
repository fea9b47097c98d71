"""A cycle's appraisals as a CSV file for payroll.

UTF-8 with a byte order mark (so Excel on Chinese Windows reads it as UTF-8), one row per
appraisal ordered by employee number, money as yuan with two decimals and no thousands
separators, hours, scores and watch times with two decimals, an unknown value as an empty
cell, grade `not graded` when the quarter was not graded, promotion_eligible `yes` or `no`, the
multiplier as its exact decimal. A cell that a spreadsheet would run as a formula (one
starting with = + - @, a tab or a carriage return) gets a leading apostrophe; negative numbers
stay numbers. The export is audited: pay data leaving the system is recorded.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from hrapp.appraisals.models import Appraisal, AppraisalCycle
from hrapp.core import audit
from hrapp.core.money import yuan_text
from hrapp.extensions import db
from hrapp.streamers.models import Streamer

COLUMNS = (
    "employee_no",
    "name",
    "level",
    "cycle",
    "sessions",
    "on_air_hours",
    "gmv",
    "refunds",
    "net_gmv",
    "avg_watch_seconds",
    "new_followers",
    "net_followers",
    "score",
    "grade",
    "tier_commission",
    "multiplier",
    "adjustment",
    "payable",
    "promotion_eligible",
)
FORMATS = ("csv",)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^-\d+(\.\d+)?$")
SECONDS_PER_HOUR = 3600
NOT_GRADED = "not graded"
HUNDREDTH = Decimal("0.01")


def safe_cell(text: str) -> str:
    """`text`, with a leading apostrophe when a spreadsheet would read it as a formula."""
    if text.startswith(FORMULA_STARTS) and not NUMBER.match(text):
        return "'" + text
    return text


def hours_text(seconds: int | None) -> str:
    if seconds is None:
        return ""
    hours = Decimal(seconds) / SECONDS_PER_HOUR
    return str(hours.quantize(HUNDREDTH, rounding=ROUND_HALF_UP))


def _decimal_text(value: float | None) -> str:
    if value is None:
        return ""
    return str(Decimal(repr(value)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP))


def _count_text(value: int | None) -> str:
    return "" if value is None else str(value)


def _cells(appraisal: Appraisal, streamer: Streamer, code: str) -> list[str]:
    return [
        streamer.employee_no,
        streamer.legal_name,
        appraisal.level,
        code,
        str(appraisal.sessions),
        hours_text(appraisal.on_air_seconds),
        yuan_text(appraisal.gmv_fen),
        yuan_text(appraisal.refunds_fen),
        yuan_text(appraisal.net_gmv_fen),
        _decimal_text(appraisal.avg_watch_seconds),
        _count_text(appraisal.new_followers),
        _count_text(appraisal.net_followers),
        _decimal_text(appraisal.score),
        NOT_GRADED if appraisal.not_graded else (appraisal.grade or ""),
        yuan_text(appraisal.tier_commission_fen),
        appraisal.multiplier or "",
        yuan_text(appraisal.adjustment_fen),
        yuan_text(appraisal.payable_fen),
        "yes" if appraisal.promotion_eligible else "no",
    ]


def export_rows(cycle: AppraisalCycle) -> Iterator[list[str]]:
    """The header, then one row of text cells per appraisal (not yet neutralised)."""
    yield list(COLUMNS)
    rows = db.session.execute(
        select(Appraisal, Streamer)
        .join(Streamer, Streamer.id == Appraisal.streamer_id)
        .where(Appraisal.cycle_id == cycle.id)
        .order_by(Streamer.employee_no)
        .execution_options(yield_per=1000)
    )
    for appraisal, streamer in rows:
        yield _cells(appraisal, streamer, cycle.code)


def export_csv(cycle: AppraisalCycle) -> bytes:
    """The CSV file's bytes; the export is recorded in the audit log (flushed)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    count = -1  # the header is not an appraisal
    for cells in export_rows(cycle):
        writer.writerow([safe_cell(cell) for cell in cells])
        count += 1
    audit.record(
        "cycle.export",
        "appraisal_cycle",
        cycle.id,
        summary=_("Cycle %(code)s exported as CSV (%(n)d appraisals).", code=cycle.code, n=count),
    )
    db.session.flush()
    return buffer.getvalue().encode("utf-8-sig")


def export_filename(cycle: AppraisalCycle) -> str:
    return f"appraisals-{cycle.code}.csv"
