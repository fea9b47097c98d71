"""A cycle's appraisals for payroll: a CSV file (a machine format) or an XLSX workbook (for people).

CSV: UTF-8 with a byte order mark (so Excel on Chinese Windows reads it as UTF-8), one row per
appraisal ordered by employee number, money as yuan with two decimals and no thousands
separators, hours, scores and watch times with two decimals, an unknown value as an empty
cell, grade `not graded` when the quarter was not graded, promotion_eligible `yes` or `no`, the
multiplier as its exact decimal. A cell that a spreadsheet would run as a formula (one
starting with = + - @, a tab or a carriage return) gets a leading apostrophe; negative numbers
stay numbers. The columns after `promotion_eligible` (team, not_graded, data_incomplete,
status, then streamer_response: none, acknowledged, disputed or resolved) were added later, at
the end, so that payroll scripts reading the first nineteen by position keep working. The CSV
is the same whatever the reader's language.

XLSX: the same rows, with a header row in the chosen language (Chinese by default), levels,
yes/no and statuses as words of that language, money as numbers in yuan with a two-decimal
format, the header frozen and filters on. Text a spreadsheet would run as a formula is written
as a string cell, never as a formula; negative amounts are numbers. A cycle that is not
finalized is a draft, and its sheet title (and the download's file name) says so.

The export is audited: pay data leaving the system is recorded.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import quote

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from hrapp.appraisals.models import Appraisal, AppraisalCycle
from hrapp.core import audit, labels
from hrapp.core.labels import label
from hrapp.core.messages import message
from hrapp.core.money import yuan_text
from hrapp.extensions import db
from hrapp.portal.models import NO_RESPONSE, AppraisalResponse
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
    "team",
    "not_graded",
    "data_incomplete",
    "status",
    "streamer_response",
)
FORMATS = ("csv", "xlsx")
LANGUAGES = ("zh", "en")
LOCALES = {"zh": "zh_CN", "en": "en"}
# The word a draft's sheet title and file name carry, in the export's language (not the
# reader's: an English export downloaded from a Chinese page says "draft").
DRAFT_WORDS = {"zh": "草稿", "en": "draft"}
MIME_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
HEADER_LABELS = {
    "employee_no": _l("Employee number"),
    "name": _l("Name"),
    "level": _l("Level"),
    "cycle": _l("Cycle"),
    "sessions": _l("Sessions"),
    "on_air_hours": _l("On-air hours"),
    "gmv": _l("GMV"),
    "refunds": _l("Refunds"),
    "net_gmv": _l("Net GMV"),
    "avg_watch_seconds": _l("Average watch time (s)"),
    "new_followers": _l("New followers"),
    "net_followers": _l("Net new followers"),
    "score": _l("Score"),
    "grade": _l("Grade"),
    "tier_commission": _l("Tier commission"),
    "multiplier": _l("Multiplier"),
    "adjustment": _l("Adjustment"),
    "payable": _l("Payable"),
    "promotion_eligible": _l("Eligible for promotion"),
    "team": _l("Team"),
    "not_graded": _l("Not graded"),
    "data_incomplete": _l("Data incomplete"),
    "status": _l("Status"),
    "streamer_response": _l("Streamer's response"),
}
assert set(HEADER_LABELS) == set(COLUMNS), "every column needs a header label"
STATUS_LABELS = labels.register(
    "appraisal_status", {"draft": _l("Draft"), "finalized": _l("Finalized")}
)
MONEY_COLUMNS = ("gmv", "refunds", "net_gmv", "tier_commission", "adjustment", "payable")
DECIMAL_COLUMNS = ("on_air_hours", "avg_watch_seconds", "score")
COUNT_COLUMNS = ("sessions", "new_followers", "net_followers")
YES_NO_COLUMNS = ("promotion_eligible", "not_graded", "data_incomplete")
YUAN_FORMAT = '"¥"#,##0.00'
TWO_DECIMALS_FORMAT = "#,##0.00"
COUNT_FORMAT = "#,##0"
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


def _cells(
    appraisal: Appraisal, streamer: Streamer, code: str, response: str | None = None
) -> list[str]:
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
        _yes_no(appraisal.promotion_eligible),
        appraisal.team or "",
        _yes_no(appraisal.not_graded),
        _yes_no(appraisal.data_incomplete),
        appraisal.status,
        response or NO_RESPONSE,
    ]


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def export_rows(cycle: AppraisalCycle) -> Iterator[list[str]]:
    """The header, then one row of text cells per appraisal (not yet neutralised)."""
    yield list(COLUMNS)
    rows = db.session.execute(
        select(Appraisal, Streamer, AppraisalResponse.status)
        .join(Streamer, Streamer.id == Appraisal.streamer_id)
        .outerjoin(AppraisalResponse, AppraisalResponse.appraisal_id == Appraisal.id)
        .where(Appraisal.cycle_id == cycle.id)
        .order_by(Streamer.employee_no)
        .execution_options(yield_per=1000)
    )
    for appraisal, streamer, response in rows:
        yield _cells(appraisal, streamer, cycle.code, response)


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
        summary=message(
            "Cycle %(code)s exported as CSV (%(n)d appraisals).", code=cycle.code, n=count
        ),
    )
    db.session.flush()
    return buffer.getvalue().encode("utf-8-sig")


def is_draft(cycle: AppraisalCycle) -> bool:
    return cycle.status != "finalized"


def sheet_title(cycle: AppraisalCycle, lang: str = "zh") -> str:
    """`2026Q3`, or `2026Q3 草稿` / `2026Q3 draft` while the cycle is not finalized."""
    return f"{cycle.code} {DRAFT_WORDS[lang]}" if is_draft(cycle) else cycle.code


def header(lang: str = "zh") -> list[str]:
    """The XLSX header row in the export's language."""
    with force_locale(LOCALES[lang]):
        return [str(HEADER_LABELS[column]) for column in COLUMNS]


def _xlsx_value(column: str, text: str) -> Any:
    """A CSV cell's text as the value of an XLSX cell: numbers as exact numbers, codes as words
    of the current language, unknown as an empty cell."""
    if text == "":
        return None
    if column in MONEY_COLUMNS or column in DECIMAL_COLUMNS or column == "multiplier":
        return Decimal(text)
    if column in COUNT_COLUMNS:
        return int(text)
    if column in YES_NO_COLUMNS:
        return _("Yes") if text == "yes" else _("No")
    if column == "level":
        return label("level", text)
    if column == "status":
        return label("appraisal_status", text)
    if column == "streamer_response":
        return label("streamer_response", text)
    if column == "grade" and text == NOT_GRADED:
        return _("Not graded")
    return text


def _number_format(column: str) -> str | None:
    if column in MONEY_COLUMNS:
        return YUAN_FORMAT
    if column in DECIMAL_COLUMNS:
        return TWO_DECIMALS_FORMAT
    if column in COUNT_COLUMNS:
        return COUNT_FORMAT
    return None


def _cell(sheet: Any, column: str, text: str) -> Cell:
    cell = Cell(sheet, value=_xlsx_value(column, text))
    if cell.data_type == "f":
        # openpyxl reads any text starting with "=" as a formula; payroll must see the text.
        cell.data_type = "s"
    if (number_format := _number_format(column)) is not None:
        cell.number_format = number_format
    return cell


def export_xlsx(cycle: AppraisalCycle, lang: str = "zh") -> bytes:
    """The XLSX workbook's bytes (one sheet); audited like the CSV (flushed)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown export language {lang!r}")
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = sheet_title(cycle, lang)
    rows = export_rows(cycle)
    next(rows)  # the CSV's machine header: the sheet has its own
    count = 0
    with force_locale(LOCALES[lang]):
        sheet.append(header(lang))
        for cells in rows:
            sheet.append(
                [_cell(sheet, column, text) for column, text in zip(COLUMNS, cells, strict=True)]
            )
            count += 1
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{count + 1}"
    for index, column in enumerate(COLUMNS, start=1):
        width = 22 if column in ("name", *MONEY_COLUMNS) else 14
        sheet.column_dimensions[get_column_letter(index)].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    audit.record(
        "cycle.export",
        "appraisal_cycle",
        cycle.id,
        summary=message(
            "Cycle %(code)s exported as XLSX (%(n)d appraisals).", code=cycle.code, n=count
        ),
    )
    db.session.flush()
    return buffer.getvalue()


def export(cycle: AppraisalCycle, file_format: str, lang: str = "zh") -> bytes:
    """The export in `file_format` (csv or xlsx); `lang` matters to the XLSX only."""
    if file_format == "xlsx":
        return export_xlsx(cycle, lang)
    if file_format == "csv":
        return export_csv(cycle)
    raise ValueError(f"unknown export format {file_format!r}")


def export_filename(cycle: AppraisalCycle, file_format: str = "csv", lang: str = "zh") -> str:
    """The download's name: `2026Q3.xlsx`, or `2026Q3_草稿.xlsx` while not finalized."""
    draft = f"_{DRAFT_WORDS[lang]}" if is_draft(cycle) else ""
    return f"{cycle.code}{draft}.{file_format}"


def content_disposition(filename: str) -> str:
    """An attachment header with an ASCII fallback name and the real (UTF-8) name (RFC 6266)."""
    fallback = filename.replace(DRAFT_WORDS["zh"], DRAFT_WORDS["en"])
    fallback = fallback.encode("ascii", "replace").decode("ascii").replace("?", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
