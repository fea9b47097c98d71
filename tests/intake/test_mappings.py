"""Column mappings without a database: the TOML document, its checks, and files read with it."""

from __future__ import annotations

import pandas as pd
import pytest

from hrapp.intake.mappings import (
    ColumnMapping,
    MappingError,
    fits,
    mapping_from_document,
    mapping_profile,
    mapping_toml,
    read_mapping,
    suggest_columns,
    suggest_field,
)
from hrapp.live_sessions.parsing import ImportFileError, parse_export
from tests.live_sessions_parsing.builders import csv_bytes, xlsx_bytes

CHANMAMA_TOML = """
name = "蝉妈妈 直播记录"
platform = "douyin"
currency = "CNY"
timezone = "Asia/Shanghai"
[columns]
"达人抖音号" = "account_id"
"达人" = "nickname"
"开播" = "started_at"
"下播" = "ended_at"
"销售额" = "gmv"
"退款" = "refunds"
"观看人次" = "views"
"场观" = "viewers"
"停留" = "avg_watch_seconds"
"时长(分钟)" = "on_air_minutes"
"""

# A layout no profile knows: a title block above the header, headers of a third-party tool.
CHANMAMA_ROWS = [
    ["蝉妈妈 · 直播记录导出"],
    ["导出时间：2026-10-02"],
    [
        "达人",
        "达人抖音号",
        "开播",
        "下播",
        "销售额",
        "退款",
        "场观",
        "观看人次",
        "停留",
        "时长(分钟)",
        "转粉率",
    ],
    [
        "小红",
        "0439563",
        "2026/09/07 08:00",
        "2026/09/07 10:00",
        "¥1.5万",
        "¥1,234.50",
        "1.2万",
        "30,000",
        "1分5秒",
        "120",
        "0.68%",
    ],
    [
        "小红",
        "0439563",
        "2026/09/08 20:00",
        "2026/09/08 22:30",
        "￥8,772.35",
        "—",
        "5,000",
        "12,000",
        "00:01:30",
        "150",
        "1.5%",
    ],
    ["阿明", "00071", "2026/09/09 19:00:00", "", "¥0.1亿", "¥0", "8万", "", "45", "", ""],
]


def chanmama() -> ColumnMapping:
    return read_mapping(CHANMAMA_TOML)


def test_a_mapping_document_reads_and_writes_back_the_same() -> None:
    mapping = chanmama()
    assert mapping.name == "蝉妈妈 直播记录"
    assert mapping.platform == "douyin"
    assert mapping.fields["gmv"] == "销售额"
    assert read_mapping(mapping_toml(mapping)) == mapping


def test_every_problem_of_a_document_is_reported_at_once() -> None:
    with pytest.raises(MappingError) as caught:
        read_mapping(
            """
            name = "x"
            platform = "weibo"
            currency = "XYZ"
            timezone = "Mars/Base"
            [columns]
            "号" = "account"
            "开播" = "started_at"
            "开始" = "started_at"
            """
        )
    ids = [p["id"] for p in caught.value.problems]
    assert any(i.startswith("Unknown platform") for i in ids)
    assert any(i.startswith("Unknown currency") for i in ids)
    assert any(i.startswith("Unknown time zone") for i in ids)
    unknown = next(p for p in caught.value.problems if "unknown field" in p["id"])
    assert unknown["params"]["field"] == "account"
    twice = next(p for p in caught.value.problems if "fed by two columns" in p["id"])
    assert twice["params"]["columns"] == ["开播", "开始"]
    missing = next(p for p in caught.value.problems if "required field" in p["id"])
    assert missing["params"]["fields"] == ["account_id", "gmv"]


def test_a_document_that_is_not_toml_says_so() -> None:
    with pytest.raises(MappingError) as caught:
        read_mapping('name = "x"\n[columns\n')
    assert caught.value.problems[0]["id"].startswith("The mapping is not valid TOML")


def test_the_platform_is_the_mappings_never_a_column() -> None:
    with pytest.raises(MappingError) as caught:
        mapping_from_document(
            {
                "name": "x",
                "platform": "douyin",
                "columns": {
                    "平台": "platform",
                    "号": "account_id",
                    "开播": "started_at",
                    "额": "gmv",
                },
            }
        )
    assert caught.value.problems[0]["params"]["field"] == "platform"


def test_a_mapped_file_is_read_by_the_same_cell_readers_below_its_title_rows() -> None:
    mapping = chanmama()
    result = parse_export(
        csv_bytes(CHANMAMA_ROWS),
        "chanmama.csv",
        profiles=[mapping_profile(mapping)],
        org_timezone=mapping.timezone or "UTC",
    )
    assert result.problems == []
    assert result.format == "mapping"
    assert result.platform == "douyin"
    rows = result.rows
    assert list(rows["account_id"]) == ["0439563", "0439563", "00071"]
    # ¥1.5万 + ¥8,772.35 + ¥0.1亿 = 15,000 + 8,772.35 + 10,000,000 yuan, in fen
    assert rows["gmv_minor"].sum() == 1_500_000 + 877_235 + 1_000_000_000
    assert list(rows["refunds_minor"].astype("object")) == [123_450, pd.NA, 0]
    assert rows["viewers"].sum() == 12_000 + 5_000 + 80_000
    assert list(rows["avg_watch_seconds"]) == [65, 90, 45]  # 1分5秒, 00:01:30, bare seconds
    assert rows["started_at"][0] == pd.Timestamp("2026-09-07 00:00", tz="UTC")  # 08:00 +08:00
    # end − start where both are known; the bracket's 分钟 makes a bare 120 two hours
    assert list(rows["on_air_seconds"].astype("object")) == [7_200, 9_000, pd.NA]
    assert result.headers["gmv_minor"] == "销售额"


def test_a_mapped_workbook_reads_like_the_csv() -> None:
    mapping = chanmama()
    result = parse_export(
        xlsx_bytes(CHANMAMA_ROWS),
        "chanmama.xlsx",
        profiles=[mapping_profile(mapping)],
        org_timezone="Asia/Shanghai",
    )
    assert result.problems == []
    assert result.rows["gmv_minor"].sum() == 1_001_500_000 + 877_235


def test_a_mapped_file_is_all_or_nothing_per_row_with_named_problems() -> None:
    rows = [
        *CHANMAMA_ROWS[:4],
        ["小红", "0439563", "2026/09/10 20:00", "", "很多", "", "", "", "", "", ""],
    ]
    result = parse_export(csv_bytes(rows), "x.csv", profiles=[mapping_profile(chanmama())])
    assert len(result.rows) == 1
    problem = next(p for p in result.problems if p.severity == "error")
    assert (problem.row, problem.column, problem.value) == (5, "销售额", "很多")


def test_a_file_without_the_mapped_headers_is_refused_naming_them() -> None:
    rows = [["达人", "开播", "销售额"], ["小红", "2026/09/07 08:00", "1"]]
    with pytest.raises(ImportFileError):
        parse_export(csv_bytes(rows), "x.csv", profiles=[mapping_profile(chanmama())])


def test_a_duration_header_naming_its_unit_reads_bare_numbers_in_it() -> None:
    mapping = mapping_from_document(
        {
            "name": "x",
            "platform": "taobao",
            "columns": {
                "号": "account_id",
                "开播": "started_at",
                "额": "gmv",
                "停留(分钟)": "avg_watch_seconds",
            },
        }
    )
    rows = [["号", "开播", "额", "停留（分钟）"], ["1", "2026-09-07 08:00", "10", "1.5"]]
    result = parse_export(csv_bytes(rows), "x.csv", profiles=[mapping_profile(mapping)])
    assert result.rows["avg_watch_seconds"][0] == 90


def test_a_mapping_fits_a_header_row_holding_all_its_headers() -> None:
    mapping = chanmama()
    assert fits(mapping, [*CHANMAMA_ROWS[2], "其他"])
    assert not fits(mapping, CHANMAMA_ROWS[2][:-3])


def test_fields_are_suggested_by_spelling_and_by_the_shape_of_values() -> None:
    assert suggest_field("直播间成交金额") == "gmv"
    assert suggest_field("达人抖音号") == "account_id"
    assert suggest_field("人均停留时长(秒)") == "avg_watch_seconds"
    assert suggest_field("开播", ["2026/09/07 08:00", "2026-09-08 20:00:00"]) == "started_at"
    assert suggest_field("额", ["¥1,000", "￥2.5"]) == "gmv"
    assert suggest_field("备注", ["好"]) is None
    headers = CHANMAMA_ROWS[2]
    suggested = suggest_columns(headers, CHANMAMA_ROWS[3:])
    assert suggested["开播"] == "started_at"
    assert suggested["下播"] == "ended_at"
    assert suggested["销售额"] == "gmv"
    assert suggested["场观"] == "viewers"
    assert suggested["达人抖音号"] == "account_id"


def test_the_mapping_page_finds_the_header_row_below_the_title_rows() -> None:
    from hrapp.intake.mapping_preview import file_head

    for data, name in ((csv_bytes(CHANMAMA_ROWS), "x.csv"), (xlsx_bytes(CHANMAMA_ROWS), "x.xlsx")):
        headers, body = file_head(data, name)
        assert headers == CHANMAMA_ROWS[2]
        assert [row[1] for row in body] == ["0439563", "0439563", "00071"]


def test_a_big_csv_is_previewed_from_its_start_cut_after_a_whole_line() -> None:
    from hrapp.intake.mapping_preview import PREVIEW_BYTES, first_problems, leading_part

    rows = [
        ["小红", f"{i:07d}", "2026/09/07 08:00", "", "很多" if i in (3, 1000) else "¥1", *[""] * 6]
        for i in range(20_000)
    ]
    data = csv_bytes([*CHANMAMA_ROWS[:3], *rows])  # data rows start at spreadsheet row 4
    part = leading_part(data, "big.csv")
    assert len(data) > PREVIEW_BYTES >= len(part) and part.endswith(b"\n")
    assert data.startswith(part)
    workbook = xlsx_bytes(CHANMAMA_ROWS)
    assert leading_part(workbook, "x.xlsx") is workbook
    result = parse_export(part, "big.csv", profiles=[mapping_profile(chanmama())])
    assert len(result.rows) < 20_000
    # The problem of row 7 is shown; that of row 1004, far below the preview, is not.
    assert [p.row for p in first_problems(result, 10)] == [7]
