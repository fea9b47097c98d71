"""Point 8, payroll export: the CSV keeps its English header, codes and order and gains team,
not_graded, data_incomplete, status and streamer_response at the end; the XLSX has a header in
the chosen language, money as yuan numbers, a frozen header, filters, formulas written as
text, and a draft's sheet title and file name say so. `--out` writes exactly the file named."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from urllib.parse import quote

import openpyxl
import pytest
from flask_babel import force_locale
from sqlalchemy import select

from hrapp.appraisals import services
from hrapp.appraisals.export import YUAN_FORMAT, export_csv, export_xlsx
from hrapp.appraisals.models import Appraisal, AppraisalAdjustment, AppraisalCycle
from hrapp.appraisals.runner import run_cycle
from hrapp.core.audit import AuditEntry
from hrapp.core.messages import message
from hrapp.extensions import db
from tests.factories import make_streamer
from tests.hrapp.appraisals.helpers import worked_example_quarter

OLD_HEADER = [
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
]
NEW_COLUMNS = ["team", "not_graded", "data_incomplete", "status", "streamer_response"]
ENGLISH_HEADER = [
    "Employee number",
    "Name",
    "Level",
    "Cycle",
    "Sessions",
    "On-air hours",
    "GMV",
    "Refunds",
    "Net GMV",
    "Average watch time (s)",
    "New followers",
    "Net new followers",
    "Score",
    "Grade",
    "Tier commission",
    "Multiplier",
    "Adjustment",
    "Payable",
    "Eligible for promotion",
    "Team",
    "Not graded",
    "Data incomplete",
    "Status",
    "Streamer's response",
]


def _quarter(idle_name: str = "李四") -> AppraisalCycle:
    """The worked-example senior (payable ¥12,650.00) and an idle assistant fined ¥50 (payable
    −¥50.00). The adjustment column is Appraisal.adjustment_fen, the sum of every line the run
    keeps (HR's and the settlement lines)."""
    cycle = services.create_cycle("2026Q3")
    senior = make_streamer(employee_no="E1001", legal_name="张三", level="senior", team="一组")
    idle = make_streamer(employee_no="E1002", legal_name=idle_name, team="二组")
    worked_example_quarter(senior)
    run_cycle(cycle)
    appraisal = db.session.scalars(select(Appraisal).where(Appraisal.streamer_id == idle.id)).one()
    appraisal.adjustment_fen = -5_000
    db.session.add(
        AppraisalAdjustment(appraisal_id=appraisal.id, kind="pay", amount_fen=-5_000, reason="fine")
    )
    run_cycle(cycle)  # payable = commission + adjustments
    db.session.commit()
    return cycle


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _sheet(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


def _column(name: str) -> int:
    return [*OLD_HEADER, *NEW_COLUMNS].index(name) + 1


# --- CSV ---------------------------------------------------------------------------------------


def test_the_csv_keeps_its_header_and_codes_and_adds_five_columns_at_the_end(app) -> None:
    cycle = _quarter()

    rows = _csv_rows(export_csv(cycle))

    assert rows[0] == OLD_HEADER + NEW_COLUMNS
    senior, idle = rows[1], rows[2]
    assert senior[:19] == [
        "E1001", "张三", "senior", "2026Q3", "5", "250.00", "1200000.00", "0.00", "1200000.00",
        "90.00", "15000", "15000", "90.00", "A", "11500.00", "1.1", "0.00", "12650.00", "no",
    ]  # fmt: skip
    assert senior[19:] == ["一组", "no", "no", "draft", "none"]
    # The adjustment line is in the adjustment column, and a negative payable stays a number.
    assert idle[2] == "assistant"
    assert idle[13] == "not graded"
    assert (idle[16], idle[17]) == ("-50.00", "-50.00")
    assert idle[19:21] == ["二组", "yes"]
    assert idle[22] == "draft"


def test_the_csv_is_the_same_in_english_and_chinese(app) -> None:
    cycle = _quarter()
    with force_locale("en"):
        english = export_csv(cycle)
    with force_locale("zh_CN"):
        chinese = export_csv(cycle)
    assert english == chinese


def test_a_finalized_cycle_exports_the_status_finalized(app) -> None:
    cycle = _quarter()
    cycle.status = "finalized"
    for appraisal in db.session.scalars(select(Appraisal)):
        appraisal.status = "finalized"
    db.session.commit()

    rows = _csv_rows(export_csv(cycle))

    assert {row[_column("status") - 1] for row in rows[1:]} == {"finalized"}


# --- XLSX --------------------------------------------------------------------------------------


def test_the_xlsx_money_is_numbers_in_yuan_with_a_header_frozen_and_filtered(app) -> None:
    cycle = _quarter()

    sheet = _sheet(export_xlsx(cycle, "en"))

    assert [cell.value for cell in sheet[1]] == ENGLISH_HEADER
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:X3"
    payable = sheet.cell(row=2, column=_column("payable"))
    assert payable.data_type == "n"
    assert Decimal(str(payable.value)) == Decimal("12650.00")
    assert payable.number_format == YUAN_FORMAT
    # Negative amounts stay numbers.
    for name in ("adjustment", "payable"):
        cell = sheet.cell(row=3, column=_column(name))
        assert (cell.data_type, cell.value) == ("n", -50)
        assert cell.number_format == YUAN_FORMAT
    assert sheet.cell(row=2, column=_column("sessions")).value == 5
    assert sheet.cell(row=2, column=_column("score")).number_format == "#,##0.00"
    # Codes become words of the export's language; an unknown value is an empty cell.
    assert sheet.cell(row=2, column=_column("level")).value == "Senior streamer"
    assert sheet.cell(row=3, column=_column("grade")).value == "Not graded"
    assert sheet.cell(row=3, column=_column("score")).value is None
    assert sheet.cell(row=3, column=_column("not_graded")).value == "Yes"
    assert sheet.cell(row=2, column=_column("status")).value == "Draft"
    assert sheet.cell(row=2, column=_column("streamer_response")).value == "No response yet"


def test_the_xlsx_header_is_chinese_by_default(app) -> None:
    cycle = _quarter()

    sheet = _sheet(export_xlsx(cycle))

    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["工号", "姓名", "级别"]
    assert header[_column("payable") - 1] == "应发金额"
    assert header[_column("team") - 1] == "团队"
    assert sheet.cell(row=2, column=_column("level")).value == "资深主播"
    assert sheet.cell(row=3, column=_column("not_graded")).value == "是"


@pytest.mark.parametrize("name", ["=1+1", '=HYPERLINK("http://evil.example","x")', "@SUM(A1)"])
def test_formula_text_is_a_string_cell_in_the_xlsx_and_quoted_in_the_csv(app, name) -> None:
    cycle = _quarter(idle_name=name)

    assert _csv_rows(export_csv(cycle))[2][1] == "'" + name
    cell = _sheet(export_xlsx(cycle, "en")).cell(row=3, column=_column("name"))

    assert cell.data_type == "s"
    assert cell.value == name


def test_a_draft_sheet_title_says_draft_and_a_finalized_one_does_not(app) -> None:
    cycle = _quarter()

    assert _sheet(export_xlsx(cycle)).title == "2026Q3 草稿"
    assert _sheet(export_xlsx(cycle, "en")).title == "2026Q3 draft"
    cycle.status = "finalized"
    db.session.commit()
    assert _sheet(export_xlsx(cycle)).title == "2026Q3"


def test_the_xlsx_export_is_audited(app) -> None:
    cycle = _quarter()

    export_xlsx(cycle, "en")

    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "cycle.export")).one()
    assert entry.entity_id == str(cycle.id)
    assert entry.summary == message(
        "Cycle %(code)s exported as XLSX (%(n)d appraisals).", code="2026Q3", n=2
    )


# --- the command -------------------------------------------------------------------------------


def test_the_command_writes_exactly_the_file_named(app, cli, tmp_path) -> None:
    _quarter()
    out = tmp_path / "payroll-q3.data"

    result = cli("cycle", "export", "2026Q3", "--format", "xlsx", "--out", str(out))

    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == ["payroll-q3.data"]
    sheet = _sheet(out.read_bytes())
    assert sheet.title == "2026Q3 草稿"
    assert sheet.cell(row=1, column=1).value == "工号"


def test_the_command_lang_en_changes_the_xlsx_header_only(app, cli, tmp_path) -> None:
    _quarter()
    xlsx, csv_en, csv_zh = tmp_path / "q3.xlsx", tmp_path / "en.csv", tmp_path / "zh.csv"

    cli("cycle", "export", "2026Q3", "--format", "xlsx", "--lang", "en", "--out", str(xlsx))
    cli("cycle", "export", "2026Q3", "--format", "csv", "--lang", "en", "--out", str(csv_en))
    cli("cycle", "export", "2026Q3", "--format", "csv", "--out", str(csv_zh))

    assert [cell.value for cell in _sheet(xlsx.read_bytes())[1]] == ENGLISH_HEADER
    assert csv_en.read_bytes() == csv_zh.read_bytes()
    assert _csv_rows(csv_en.read_bytes())[0] == OLD_HEADER + NEW_COLUMNS


def test_the_command_refuses_an_unknown_language(app, cli, tmp_path) -> None:
    _quarter()
    out = tmp_path / "q3.xlsx"

    result = cli("cycle", "export", "2026Q3", "--format", "xlsx", "--lang", "fr", "--out", str(out))

    assert result.exit_code == 2
    assert not out.exists()


# --- the page ----------------------------------------------------------------------------------


def test_the_page_downloads_a_draft_xlsx_named_as_a_draft(app, hr_client) -> None:
    _quarter()

    response = hr_client.post(
        "/appraisals/cycles/2026Q3/export", data={"format": "xlsx", "lang": "zh"}
    )

    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    disposition = response.headers["Content-Disposition"]
    assert disposition == (
        "attachment; filename=\"2026Q3_draft.xlsx\"; filename*=UTF-8''" + quote("2026Q3_草稿.xlsx")
    )
    assert _sheet(response.data).title == "2026Q3 草稿"


def test_the_page_downloads_a_finalized_csv_without_the_draft_mark(app, hr_client) -> None:
    cycle = _quarter()
    cycle.status = "finalized"
    db.session.commit()

    response = hr_client.post(
        "/appraisals/cycles/2026Q3/export", data={"format": "csv", "lang": "en"}
    )

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert 'filename="2026Q3.csv"' in response.headers["Content-Disposition"]
    assert _csv_rows(response.data)[0] == OLD_HEADER + NEW_COLUMNS


def test_the_page_refuses_an_unknown_format(app, hr_client) -> None:
    _quarter()

    response = hr_client.post("/appraisals/cycles/2026Q3/export", data={"format": "pdf"})

    assert response.status_code == 400
    assert not db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "cycle.export")
    ).all()
