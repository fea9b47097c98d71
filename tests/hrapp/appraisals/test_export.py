"""Point 8, export: `hrapp cycle export 2026Q3 --format csv --out FILE` writes UTF-8 with BOM,
the agreed columns, yuan with two decimals, hours with two decimals, and neutralises cells a
spreadsheet would run as formulas (negative numbers stay numbers)."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from hrapp.appraisals import services
from hrapp.appraisals.export import safe_cell
from hrapp.appraisals.models import Appraisal, AppraisalAdjustment
from hrapp.appraisals.runner import run_cycle
from hrapp.core.audit import AuditEntry
from hrapp.core.messages import message
from hrapp.extensions import db
from tests.factories import make_streamer
from tests.hrapp.appraisals.helpers import worked_example_quarter

HEADER = (
    "employee_no,name,level,cycle,sessions,on_air_hours,gmv,refunds,net_gmv,avg_watch_seconds,"
    "new_followers,net_followers,score,grade,tier_commission,multiplier,adjustment,payable,"
    "promotion_eligible,team,not_graded,data_incomplete,status,streamer_response"
)


def _quarter_with_a_fine() -> None:
    """The worked-example senior, and an idle assistant fined ¥50 (payable −¥50.00)."""
    cycle = services.create_cycle("2026Q3")
    senior = make_streamer(employee_no="E1001", legal_name="张三", level="senior")
    idle = make_streamer(employee_no="E1002", legal_name="李四")
    worked_example_quarter(senior)
    run_cycle(cycle)
    appraisal = db.session.scalars(select(Appraisal).where(Appraisal.streamer_id == idle.id)).one()
    appraisal.adjustment_fen = -5_000
    db.session.add(AppraisalAdjustment(appraisal_id=appraisal.id, amount_fen=-5_000, reason="x"))
    run_cycle(cycle)  # payable = commission + adjustments
    db.session.commit()


def test_the_csv_bytes_of_a_small_cycle(cli, tmp_path) -> None:
    _quarter_with_a_fine()
    out = tmp_path / "q3.csv"

    result = cli("cycle", "export", "2026Q3", "--format", "csv", "--out", str(out))

    assert result.exit_code == 0, result.output
    # E1001: 250 h, ¥1,200,000 net GMV, score 90, A, ¥11,500 × 1.1 = ¥12,650.
    # E1002: no sessions — not graded (1.0) and under the hours gate (0.5): multiplier 0.50,
    # commission 0, fined ¥50: payable −50.00, which stays a number.
    expected = (
        "\ufeff"
        + HEADER
        + "\r\n"
        + "E1001,张三,senior,2026Q3,5,250.00,1200000.00,0.00,1200000.00,90.00,15000,15000,"
        "90.00,A,11500.00,1.1,0.00,12650.00,no,一组,no,no,draft,none\r\n"
        + "E1002,李四,assistant,2026Q3,0,0.00,0.00,0.00,0.00,,0,0,,not graded,0.00,0.50,"
        "-50.00,-50.00,no,一组,yes,no,draft,none\r\n"
    )
    assert out.read_bytes() == expected.encode("utf-8")
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "cycle.export")).one()
    assert entry.summary == message(
        "Cycle %(code)s exported as CSV (%(n)d appraisals).", code="2026Q3", n=2
    )


@pytest.mark.parametrize(
    "name", ['=HYPERLINK("http://evil.example","click")', "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx"]
)
def test_formula_cells_are_neutralised(cli, tmp_path, name) -> None:
    cycle = services.create_cycle("2026Q3")
    make_streamer(employee_no="E1003", legal_name=name)
    run_cycle(cycle)
    db.session.commit()
    out = tmp_path / "q3.csv"

    cli("cycle", "export", "2026Q3", "--out", str(out))

    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"), newline="")))
    assert rows[1][1] == "'" + name


@pytest.mark.parametrize(("cell", "kept"), [("-50.00", True), ("-3", True), ("-", False)])
def test_negative_numbers_stay_numbers(cell, kept) -> None:
    assert (safe_cell(cell) == cell) is kept


def test_an_unknown_cycle_cannot_be_exported(cli, tmp_path) -> None:
    result = cli("cycle", "export", "2031Q1", "--out", str(tmp_path / "x.csv"))

    assert result.exit_code == 1
    assert "There is no cycle 2031Q1." in result.stderr
    assert not (tmp_path / "x.csv").exists()
