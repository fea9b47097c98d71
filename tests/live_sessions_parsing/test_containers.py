"""CSV and XLSX specifics: delimiters, quoting, Excel cell types, row numbering, time zones."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from hrapp.live_sessions.parsing import ImportFileError, parse_export

from .builders import TAOBAO_HEADER, csv_bytes, edited, rewritten, september_rows, xlsx_bytes

GMV = "直播间成交金额"


def test_tab_separated_text_is_read():
    result = parse_export(csv_bytes(september_rows(3), delimiter="\t"), "export.txt")

    assert (result.total_rows, result.problems) == (3, [])
    assert result.rows.iloc[0]["gmv_minor"] == 877235


def test_unterminated_quote_is_a_file_error():
    data = csv_bytes(september_rows(2)).replace("小红的直播间".encode(), '"小红'.encode(), 1)

    with pytest.raises(ImportFileError, match="malformed"):
        parse_export(data, "export.csv")


def test_header_only_file_has_no_rows():
    for data, name in [
        (csv_bytes(september_rows(0)), "e.csv"),
        (xlsx_bytes(september_rows(0)), "e.xlsx"),
    ]:
        result = parse_export(data, name)
        assert (result.total_rows, len(result.rows), result.problems) == (0, 0, [])
        assert result.format == "douyin_compass"


def test_blank_rows_in_a_workbook_keep_the_numbering():
    header, first, second = september_rows(2)
    rows = [header, first, [], [], edited([header, second], GMV, {2: "bad"})[1]]

    result = parse_export(xlsx_bytes(rows), "gaps.xlsx")

    assert [(p.row, p.column) for p in result.problems] == [(5, GMV)]
    assert result.rows["source_row"].tolist() == [2]


def test_excel_cell_types_become_the_text_they_show():
    header, row = september_rows(1)
    cells: list[object] = list(row)
    cells[header.index("直播开始时间")] = dt.datetime(2026, 9, 3, 19, 13, 12, 999_999)
    cells[header.index("直播结束时间")] = dt.datetime(2026, 9, 3, 20, 59, 22)
    cells[header.index("直播间观看人数")] = 3524.0
    cells[header.index("人均观看时长(分钟)")] = 1.01
    cells[header.index(GMV)] = 8772.35

    result = parse_export(xlsx_bytes([header, cells]), "typed.xlsx")

    row_out = result.rows.iloc[0]
    assert result.problems == []
    assert row_out["started_at"] == pd.Timestamp("2026-09-03 11:13:13", tz="UTC")  # float noise
    assert (row_out["viewers"], row_out["avg_watch_seconds"], row_out["gmv_minor"]) == (
        3524,
        60.6,
        877235,
    )


def test_float_noise_in_a_workbook_amount_is_refused_not_rounded():
    header, row = september_rows(1)
    cells: list[object] = list(row)
    cells[header.index(GMV)] = 0.3
    # What a formula can leave in the sheet XML: the nearest double written out in full.
    noisy = rewritten(
        xlsx_bytes([header, cells]),
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace("<v>0.3</v>", "<v>0.30000000000000004</v>"),
    )

    result = parse_export(noisy, "noisy.xlsx")

    assert [(p.value, p.text) for p in result.problems] == [
        ("0.30000000000000004", "CNY amounts have at most 2 decimal places.")
    ]


def test_clock_change_gap_is_reported():
    rows = edited(september_rows(1), "直播开始时间", {2: "2026/03/29 02:30:00"})
    rows = edited(rows, "直播结束时间", {2: "2026/03/29 05:00:00"})

    result = parse_export(csv_bytes(rows), "berlin.csv", org_timezone="Europe/Berlin")

    assert [p.text for p in result.problems] == [
        "This local time is skipped or repeated in Europe/Berlin (clock change)."
    ]


def test_same_platform_session_id_twice_is_a_duplicate():
    first = ["主播", "00123", "S-1", "标题", "2026-09-03 19:00:00", "", "60", "1", "1", "1", "1"]
    first += ["1.00", "1", "1"]
    second = [*first[:4], "2026-09-04 19:00:00", *first[5:]]
    rows = [TAOBAO_HEADER, first, second]

    result = parse_export(csv_bytes(rows), "taobao.csv")

    assert [(p.row, p.column, p.value, p.text) for p in result.problems] == [
        (2, "场次id", "S-1", "The same session (platform session id) as row 3."),
        (3, "场次id", "S-1", "The same session (platform session id) as row 2."),
    ]
    assert result.rows.empty


def test_data_on_a_later_sheet_is_found():
    summary = [["LIVE overview"], ["GMV", 123]]

    result = parse_export(xlsx_bytes(summary, september_rows(2)), "two_sheets.xlsx")

    assert (result.format, result.total_rows) == ("douyin_compass", 2)


def test_no_sheet_with_a_known_header_names_the_formats_looked_for():
    with pytest.raises(ImportFileError, match="No header row of a known export"):
        parse_export(xlsx_bytes([["hello"]], [["world"]]), "unknown.xlsx")
