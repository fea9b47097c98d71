"""Bad cells and rows: each reported on the right spreadsheet row and column, and rejected."""

from __future__ import annotations

import pandas as pd
import pytest

from hrapp.live_sessions.parsing import ImportFileError, Problem, parse_export

from .builders import csv_bytes, edited, september_rows, xlsx_bytes

GMV = "直播间成交金额"
VIEWERS = "直播间观看人数"
BUYERS = "直播间成交人数"
START, END = "直播开始时间", "直播结束时间"


def parse_rows(rows, container="csv"):
    data = xlsx_bytes(rows) if container == "xlsx" else csv_bytes(rows)
    return parse_export(data, f"export.{container}")


def only_problem(result):
    assert len(result.problems) == 1, result.problems
    return result.problems[0]


def read(problem: Problem) -> tuple[object, ...]:
    """A problem as HR reads it in English: the reason is a message, worded when shown."""
    return (problem.row, problem.column, problem.value, problem.text, problem.severity)


@pytest.mark.parametrize("container", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        (GMV, "12a.5", "Not a number."),
        (GMV, "12.345", "CNY amounts have at most 2 decimal places."),
        (GMV, "-5.00", "An amount cannot be negative."),
        (GMV, "$5.00", "The symbol $ does not match the currency CNY."),
        (GMV, "0.68%", "A percentage is not allowed here."),
        (GMV, "12,34", "Not a number."),  # not a thousands grouping: never guess
        (VIEWERS, "-5", "A count cannot be negative."),
        (VIEWERS, "1.5", "Not a whole number."),
        (VIEWERS, "¥5", "A currency symbol is not allowed here."),
        (START, "2026/13/45 10:00:00", "Not a date and time (expected e.g. 2026/09/07 08:55:37)."),
        (START, "1999/01/01 10:00:00", "The year is outside 2000–2100."),
        (START, "", "The start time is missing."),
        ("主播抖音号", "—", "The account id is missing."),
        (
            "直播时长(分钟)",
            "abc",
            "Not a duration (expected e.g. 1小时5分3秒, 1h 5min or 01:05:03).",
        ),
        ("人均观看时长(分钟)", "-1", "A duration cannot be negative."),
    ],
)
def test_bad_cell_is_reported_and_its_row_rejected(container, column, value, reason):
    rows = edited(september_rows(5), column, {4: value})

    result = parse_rows(rows, container)

    assert read(only_problem(result)) == (4, column, value, reason, "error")
    assert result.rejected_rows == {4}
    assert result.total_rows == 5
    assert result.rows["source_row"].tolist() == [2, 3, 5, 6]


def test_problems_on_several_rows_and_columns_are_all_reported():
    rows = edited(september_rows(5), GMV, {3: "x", 6: "y"})
    rows = edited(rows, VIEWERS, {3: "z"})

    result = parse_rows(rows)

    assert {(p.row, p.column) for p in result.problems} == {(3, VIEWERS), (3, GMV), (6, GMV)}
    assert result.rejected_rows == {3, 6}


def test_session_ending_before_it_starts_is_an_error():
    rows = edited(september_rows(3), END, {3: "2026/09/05 12:00:00"})  # starts 12:22:30

    problem = only_problem(parse_rows(rows))

    assert read(problem) == (
        3,
        END,
        "2026/09/05 12:00:00",
        "The session ends before it starts.",
        "error",
    )


def test_session_still_live_has_no_end_and_uses_the_exported_minutes():
    rows = edited(september_rows(3), END, {3: ""})

    result = parse_rows(rows)

    row = result.rows.set_index("source_row").loc[3]
    assert result.problems == []
    assert pd.isna(row["ended_at"]) and row["on_air_seconds"] == 287 * 60


@pytest.mark.parametrize(
    ("column", "value", "reported_on", "shown", "reason"),
    [
        (VIEWERS, "60", BUYERS, "62", "More buyers (62) than viewers (60)."),
        ("直播间成交订单数", "61", BUYERS, "62", "More buyers (62) than orders (61)."),
        (
            "平均在线人数",
            "200",
            "平均在线人数",
            "200",
            "Average online (200) is above peak online (116).",
        ),
        (
            "直播间退款金额",
            "9000.00",
            "直播间退款金额",
            "9000.00",
            "Refunds (9000.00) are above GMV (8772.35).",
        ),
        (
            "直播间用户支付金额",
            "8772.36",
            "直播间用户支付金额",
            "8772.36",
            "Buyer-paid amount (8772.36) is above GMV (8772.35).",
        ),
        ("直播间观看次数", "3000", VIEWERS, "3524", "More viewers (3524) than views (3000)."),
    ],
)
def test_implausible_figures_are_warnings_and_the_row_stays(
    column, value, reported_on, shown, reason
):
    rows = edited(september_rows(2), column, {2: value})

    result = parse_rows(rows)

    assert read(only_problem(result)) == (2, reported_on, shown, reason, "warning")
    assert result.rejected_rows == set()
    assert result.rows["source_row"].tolist() == [2, 3]


def test_duplicate_session_rejects_both_rows_naming_each_other():
    rows = september_rows(3)
    rows.append(list(rows[1]))  # row 5 repeats row 2

    result = parse_rows(rows)

    assert [(p.row, p.column, p.value, p.text) for p in result.problems] == [
        (
            2,
            START,
            "0439563 2026-09-03 19:13:13",
            "The same session (account and start time) as row 5.",
        ),
        (
            5,
            START,
            "0439563 2026-09-03 19:13:13",
            "The same session (account and start time) as row 2.",
        ),
    ]
    assert result.rejected_rows == {2, 5}
    assert result.rows["source_row"].tolist() == [3, 4]


def test_missing_required_column_names_it():
    rows = [[cell for i, cell in enumerate(row) if i != 2] for row in september_rows(2)]

    with pytest.raises(ImportFileError, match="直播开始时间"):
        parse_rows(rows)


def test_repeated_header_is_refused():
    rows = september_rows(2)
    rows[0][-1] = GMV

    with pytest.raises(ImportFileError, match="appears more than once"):
        parse_rows(rows)


@pytest.mark.parametrize("container", ["csv", "xlsx"])
def test_header_below_title_rows_shifts_row_numbers(container):
    rows = edited(september_rows(3), GMV, {3: "oops"})
    rows = [["罗盘 直播间列表 下载明细"], ["导出时间：2026-10-01"], *rows]

    result = parse_rows(rows, container)

    assert only_problem(result).row == 5
    assert result.rows["source_row"].tolist() == [4, 6]


def test_blank_lines_are_skipped_but_still_counted_as_rows():
    rows = september_rows(3)
    rows.insert(2, [])
    rows = edited(rows, GMV, {5: "oops"})

    result = parse_rows(rows)

    assert only_problem(result).row == 5
    assert result.total_rows == 3
    assert result.rows["source_row"].tolist() == [2, 4]


def test_row_with_extra_cells_is_rejected_as_a_whole():
    data = csv_bytes(september_rows(3)).replace(
        "小红的直播间".encode(), "小红,的直播间".encode(), 1
    )

    result = parse_export(data, "shifted.csv")

    problem = only_problem(result)
    assert (problem.row, problem.column) == (2, None)
    assert problem.text.startswith("This row has 31 cells but the header has 30")
    assert result.rows["source_row"].tolist() == [3, 4]


def test_row_with_extra_cells_in_a_quoted_file_is_rejected_too():
    rows = september_rows(3)
    rows[2][0] = 'a "quoted", name'
    data = csv_bytes(rows).replace(b"0439563,", b"0439563,,", 1)  # row 2 gets a 31st cell

    result = parse_export(data, "shifted.csv")

    assert [(p.row, p.column) for p in result.problems] == [(2, None)]
    assert result.rows["nickname"].tolist() == ['a "quoted", name', "小红的直播间"]


def test_last_line_cut_short_is_flagged():
    data = csv_bytes(september_rows(3))
    cut = data[: data.rindex(b",")]  # the last row loses its final cell and line break

    result = parse_export(cut, "cut.csv")

    assert [(p.row, p.severity) for p in result.problems] == [(4, "error"), (4, "warning")]
    assert result.rows["source_row"].tolist() == [2, 3]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,234.50", 123450),
        ("¥1,234.5", 123450),
        ("￥ 12", 1200),
        (" 8772.35 ", 877235),
        ("1.2万", 1200000),
        ("0.5亿", 5000000000),
        ("1.5k", 150000),
        ("３５.１", 3510),  # full-width digits
        ("12元", 1200),
        ("8772.350", 877235),
    ],
)
def test_money_notations(text, expected):
    rows = edited(september_rows(1), GMV, {2: text})

    result = parse_rows(rows)

    assert [p for p in result.problems if p.severity == "error"] == []
    assert result.rows.iloc[0]["gmv_minor"] == expected


@pytest.mark.parametrize("marker", ["", "-", "--", "—", "——", "暂无", "N/A", "n/a", " - "])
def test_null_markers_become_null(marker):
    rows = edited(september_rows(1), GMV, {2: marker})
    rows = edited(rows, VIEWERS, {2: marker})

    result = parse_rows(rows)

    assert result.problems == []
    assert pd.isna(result.rows.iloc[0]["gmv_minor"]) and pd.isna(result.rows.iloc[0]["viewers"])


def test_account_id_stays_text_even_from_excel_text_guard():
    rows = edited(september_rows(2), "主播抖音号", {2: '="00123"', 3: " 0456 "})

    result = parse_rows(rows)

    assert result.rows["account_id"].tolist() == ["00123", "0456"]


def test_account_id_mangled_by_excel_is_an_error():
    rows = edited(september_rows(1), "主播抖音号", {2: "4.39563E+06"})

    assert "scientific notation" in only_problem(parse_rows(rows)).text


def test_local_times_in_other_notations():
    rows = edited(september_rows(3), START, {2: "2026-09-03 19:13", 3: "2026/9/5 12:22:30"})
    rows = edited(rows, END, {2: " 2026-09-03T20:59:22 ", 3: "2026-09-05T17:09:08+08:00"})

    result = parse_rows(rows)

    assert result.problems == []
    first, second = (row for _, row in result.rows.head(2).iterrows())
    assert first["started_at"] == pd.Timestamp("2026-09-03 11:13", tz="UTC")
    assert first["ended_at"] == pd.Timestamp("2026-09-03 12:59:22", tz="UTC")
    assert second["ended_at"] == pd.Timestamp("2026-09-05 09:09:08", tz="UTC")
