"""The 直播大屏 per-session download (整场数据下载): one workbook read as one session, ZIPs of
them opened safely, and a batch of files read as one."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pytest

from hrapp.core.messages import render
from hrapp.intake import limits
from hrapp.live_sessions.parsing import ImportFileError, archives
from hrapp.live_sessions.parsing.dashboard_workbook import (
    is_session_workbook,
    read_session_workbook,
)
from hrapp.live_sessions.parsing.files import bundle, parse_files

from .builders import csv_bytes
from .dashboard_builders import (
    BASIC,
    CHANNELS,
    FLOW,
    PRODUCTS,
    VIDEOS,
    Session,
    month_of_sessions,
    session_workbook,
    zip_of,
)

SAMPLES = Path(__file__).parents[2] / ".." / "shared" / "samples" / "dashboard"
TZ = "Asia/Shanghai"
JULY_2 = Session(dt.datetime(2026, 7, 2, 19, 33, 31), dt.datetime(2026, 7, 2, 22, 43, 24))


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz=TZ).tz_convert("UTC")


def read(session: Session, name: str = "s.xlsx"):
    return read_session_workbook(session_workbook(session), name, org_timezone=TZ)


def test_the_sample_download_is_one_session_with_every_figure_it_carries():
    path = SAMPLES / "整场数据_小红的直播间_20260702193331.xlsx"
    data = path.read_bytes()

    assert is_session_workbook(data)
    result = read_session_workbook(data, path.name, org_timezone=TZ)

    assert result.problems == []
    row = result.rows.iloc[0]
    assert (row["platform"], row["account_id"], row["nickname"]) == (
        "douyin",
        "0439563",
        "小红的直播间",
    )
    assert row["started_at"] == utc("2026-07-02 19:33:31")
    assert row["ended_at"] == utc("2026-07-02 22:43:24")
    assert row["on_air_seconds"] == 3 * 3600 + 9 * 60 + 53
    assert row["gmv_minor"] == row["buyer_paid_minor"] == 3_960_424  # ¥39,604.24
    assert row["gmv_basis"] == "buyer_paid"
    assert (row["viewers"], row["avg_online"], row["avg_watch_seconds"]) == (2134, 24, 98.0)
    assert (row["buyers"], row["orders"], row["items_sold"]) == (180, 186, 195)
    # Not in this download: unknown, never 0.
    for name in ("views", "peak_online", "new_followers", "refunds_minor", "comments"):
        assert pd.isna(row[name]), name


def test_a_session_across_midnight_from_the_samples():
    path = SAMPLES / "整场数据_小红的直播间_20260703194136.xlsx"
    row = read_session_workbook(path.read_bytes(), path.name, org_timezone=TZ).rows.iloc[0]
    assert row["ended_at"] == utc("2026-07-04 00:54:39")


def test_views_peak_online_and_new_followers_are_read_where_present():
    extra = {"直播间观看次数": "3,410", "最高在线人数": "61", "新增粉丝数": "57"}
    session = Session(JULY_2.start, JULY_2.end, overview_extra=extra)
    row = read(session).rows.iloc[0]
    assert (row["views"], row["peak_online"], row["new_followers"]) == (3410, 61, 57)


def test_a_dash_is_not_provided_not_zero():
    session = Session(JULY_2.start, JULY_2.end, blanks=("成交人数", "成交订单数", "平均在线人数"))
    result = read(session)
    assert result.problems == []
    row = result.rows.iloc[0]
    assert pd.isna(row["buyers"]) and pd.isna(row["orders"]) and pd.isna(row["avg_online"])
    assert row["viewers"] == 2134


def test_buyers_and_orders_come_from_the_channel_row_when_the_conversion_sheet_is_missing():
    result = read(Session(JULY_2.start, JULY_2.end, without=(FLOW,)))
    row = result.rows.iloc[0]
    assert row["orders"] == 186 and pd.isna(row["buyers"])  # 整体 has no 成交人数 column


def test_optional_sheets_may_be_missing():
    result = read(Session(JULY_2.start, JULY_2.end, without=(FLOW, CHANNELS, VIDEOS, PRODUCTS)))
    assert result.problems == []
    row = result.rows.iloc[0]
    assert row["gmv_minor"] == 3_960_424 and row["viewers"] == 2134
    assert pd.isna(row["items_sold"]) and pd.isna(row["buyers"]) and pd.isna(row["orders"])


def test_items_sold_add_up_the_products_and_skip_dashes():
    assert read(Session(JULY_2.start, JULY_2.end, items=(3, 4, 5))).rows.iloc[0]["items_sold"] == 12


def test_a_malformed_session_time_is_refused_naming_file_sheet_and_cell():
    session = Session(JULY_2.start, JULY_2.end, time_cell="2026/07/02 19:33")
    result = read(session, "整场数据_坏.xlsx")

    assert result.rows.empty and result.has_errors
    (problem,) = result.problems
    assert (problem.file, problem.sheet, problem.cell) == ("整场数据_坏.xlsx", BASIC, "C2")
    assert (problem.row, problem.column, problem.value) == (2, "直播时间", "2026/07/02 19:33")
    assert render(problem.reason).startswith("Not a time range")


def test_a_session_that_ends_before_it_starts_is_refused_on_its_time_cell():
    result = read(Session(JULY_2.end, JULY_2.start))
    (problem,) = result.problems
    assert (problem.sheet, problem.cell) == (BASIC, "C2")
    assert render(problem.reason) == "The session ends before it starts."


def test_a_bad_number_names_its_sheet_and_cell():
    session = Session(JULY_2.start, JULY_2.end, overview_extra={"最高在线人数": "很多"})
    (problem,) = read(session).problems
    assert (problem.sheet, problem.cell, problem.value) == ("整体看板", "G2", "很多")
    assert render(problem.reason) == "Not a number."


def test_a_missing_account_is_refused_on_its_cell():
    problems = read(Session(JULY_2.start, JULY_2.end, account="—")).problems
    assert [(p.sheet, p.cell, render(p.reason)) for p in problems] == [
        (BASIC, "B2", "The account id is missing.")
    ]


def test_a_bad_amount_is_reported_once_although_it_is_both_gmv_and_buyer_paid():
    book = _openpyxl(session_workbook(JULY_2))
    book[BASIC]["D2"] = "约四万"
    result = read_session_workbook(_saved(book), "a.xlsx", org_timezone=TZ)
    assert [(p.cell, p.column, p.value) for p in result.problems] == [
        ("D2", "直播间用户支付金额", "约四万")
    ]


def test_a_workbook_without_the_session_time_column_is_refused_naming_it():
    data = session_workbook(JULY_2)
    book = _openpyxl(data)
    book[BASIC].delete_cols(3)
    with pytest.raises(ImportFileError) as refused:
        read_session_workbook(_saved(book), "x.xlsx", org_timezone=TZ)
    assert str(refused.value) == "x.xlsx: the sheet 基本信息 has no column 直播时间."


def test_a_list_export_is_not_taken_for_a_per_session_workbook():
    book = _openpyxl(session_workbook(JULY_2))
    del book["整体看板"]
    assert not is_session_workbook(_saved(book))
    assert not is_session_workbook(csv_bytes([["a"], ["b"]]))


# --- batches and ZIPs -------------------------------------------------------------------------


def test_the_sample_zip_is_three_sessions_of_one_format():
    data = (SAMPLES / "dashboard_2026-07_three_sessions.zip").read_bytes()
    result = parse_files([("july.zip", data)], org_timezone=TZ)
    assert result.problems == [] and result.format == "douyin_session" and result.files == 3
    assert result.rows["gmv_minor"].sum() == 3_960_424 + 2_134_550 + 707_361
    assert list(result.rows["source_row"]) == [1, 2, 3]


def test_a_batch_reports_each_problem_with_its_file_and_leaves_the_rest():
    sessions = month_of_sessions(3)
    sessions[1].time_cell = "yesterday"
    files = {s.filename(): session_workbook(s) for s in sessions}
    progress: list[tuple[int, int]] = []

    result = parse_files(
        [("july.zip", zip_of(files))],
        org_timezone=TZ,
        progress=lambda done, total, step: progress.append((done, total)),
    )

    (problem,) = result.problems
    assert problem.file == f"july.zip/{sessions[1].filename()}" and problem.cell == "C2"
    assert result.rejected_rows == {2} and len(result.rows) == 2
    assert progress == [(0, 3), (1, 3), (2, 3), (3, 3)]  # the progress counts files


def test_the_same_session_in_two_files_is_an_error_naming_the_other_file():
    data = session_workbook(JULY_2)
    result = parse_files([("a.xlsx", data), ("b.xlsx", data)], org_timezone=TZ)
    texts = sorted((p.file, p.cell, render(p.reason)) for p in result.problems)
    assert texts == [
        ("a.xlsx", "C2", "The same session (account and start time) is also in b.xlsx."),
        ("b.xlsx", "C2", "The same session (account and start time) is also in a.xlsx."),
    ]
    assert result.rejected_rows == {1, 2}


def test_a_damaged_member_is_a_file_problem_naming_it():
    result = parse_files([("a.xlsx", session_workbook(JULY_2)), ("b.csv", b"")], org_timezone=TZ)
    (problem,) = result.problems
    assert (problem.file, problem.row, render(problem.reason)) == (
        "b.csv",
        None,
        "The file is empty.",
    )


def test_an_uploaded_bundle_opens_the_zips_among_its_files():
    sessions = month_of_sessions(2)
    inner = zip_of({s.filename(): session_workbook(s) for s in sessions})
    extra = Session(dt.datetime(2026, 7, 20, 19), dt.datetime(2026, 7, 20, 22))
    data = bundle([("july.zip", inner), (extra.filename(), session_workbook(extra))])
    result = parse_files([("3 files", data)], org_timezone=TZ)
    assert result.problems == [] and len(result.rows) == 3 and result.files == 3
    assert result.parts[0].file == f"july.zip/{sessions[0].filename()}"
    assert result.parts[2].file == extra.filename()


def test_member_names_written_in_gbk_are_read_as_chinese():
    gbk = "七月.xlsx".encode("gb18030")  # as Windows archivers in China write it, without
    placeholder = b"p" * len(gbk)  # the UTF-8 flag
    data = zip_of({placeholder.decode(): session_workbook(JULY_2)}).replace(placeholder, gbk)
    assert [m.name for m in archives.open_archive(data, "a.zip")] == ["七月.xlsx"]


# --- ZIP safety --------------------------------------------------------------------------------


def _refusal(data: bytes) -> str:
    with pytest.raises(ImportFileError) as refused:
        archives.open_archive(data, "evil.zip")
    return str(refused.value)


@pytest.mark.parametrize("name", ["../outside.xlsx", "/etc/passwd", "a/../../b.xlsx", "C:/x.xlsx"])
def test_a_member_whose_path_leads_outside_is_refused(name):
    assert _refusal(zip_of({name: b"x"})) == (
        f"evil.zip, member {name}: the member's path leads outside the archive; it was refused."
    )


def test_nested_archives_are_refused_by_name_and_by_content():
    inner = zip_of({"a.csv": b"x"})
    assert "archives inside an archive are not opened" in _refusal(zip_of({"in.zip": inner}))
    assert "archives inside an archive are not opened" in _refusal(zip_of({"in.dat": inner}))


def test_too_many_members_are_refused(monkeypatch):
    monkeypatch.setattr(limits, "ARCHIVE_MAX_MEMBERS", 3)
    data = zip_of({f"{n}.csv": b"x" for n in range(4)})
    assert _refusal(data) == "evil.zip holds 4 files; at most 3 are read from one archive. " + (
        "Split it into smaller archives."
    )


def test_an_archive_that_unpacks_too_large_is_refused(monkeypatch):
    monkeypatch.setattr(limits, "ARCHIVE_MAX_BYTES", 1000)
    assert "unpacks to more than" in _refusal(zip_of({"a.csv": b"x" * 2000}))


def test_a_zip_bomb_member_is_refused_by_its_compression_ratio():
    assert "implausible size" in _refusal(zip_of({"bomb.csv": b"0" * (8 * 1024 * 1024)}))


def test_a_zip_member_is_held_to_the_intakes_ratio_and_exemption(monkeypatch):
    bulky = zip_of({"a.csv": b"0" * (2 * 1024 * 1024)})  # compresses ~1000x
    monkeypatch.setattr(limits, "RATIO_EXEMPT_BYTES", 4 * 1024 * 1024)
    assert [m.name for m in archives.open_archive(bulky, "a.zip")] == ["a.csv"]
    monkeypatch.setattr(limits, "RATIO_EXEMPT_BYTES", 1024)
    monkeypatch.setattr(limits, "MAX_COMPRESSION_RATIO", 10_000)
    assert [m.name for m in archives.open_archive(bulky, "a.zip")] == ["a.csv"]
    monkeypatch.setattr(limits, "MAX_COMPRESSION_RATIO", 100)
    assert "implausible size" in _refusal(bulky)


def test_archive_junk_is_skipped():
    data = zip_of({"__MACOSX/._a.xlsx": b"junk", ".DS_Store": b"junk", "a.csv": b"x"})
    assert [m.name for m in archives.open_archive(data, "a.zip")] == ["a.csv"]


def _openpyxl(data: bytes):
    import openpyxl

    return openpyxl.load_workbook(io.BytesIO(data))


def _saved(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
