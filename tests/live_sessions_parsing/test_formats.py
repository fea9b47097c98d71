"""Each supported export format, crafted as the platforms lay it out, and the template."""

from __future__ import annotations

import pandas as pd
import pytest

from hrapp.live_sessions.parsing import (
    ImportFileError,
    parse_export,
    template_columns,
    template_csv,
)

from .builders import SEPTEMBER_CSV, TAOBAO_HEADER, csv_bytes, sample, xlsx_bytes

UTC = "UTC"

SCREEN_HEADER = [
    "达人昵称",
    "抖音号or火山号",
    "直播时间",
    "直播时长",
    "累计观看人数",
    "最高在线人数",
    "人均观看时长",
    "新增粉丝数",
    "成交金额",
    "成交订单数",
    "成交人数",
    "成交转化率",
    "退款金额",
]


def screen_rows() -> list[list[object]]:
    return [
        ["直播大屏 数据导出"],
        [],
        SCREEN_HEADER,
        [
            "小红的直播间",
            "0439563",
            "2026/09/07 08:55:37-2026/09/07 11:02:10",
            "2小时6分33秒",
            "1.2万",
            "1,024",
            "1分5秒",
            "356",
            "¥236,552.00",
            "1,203",
            "1,100",
            "0.68%",
            "￥1,234.50",
        ],
        [
            "小红的直播间",
            "0439563",
            "2026-09-07 22:55-01:02",
            "",
            "-",
            "",
            "",
            "",
            "¥0.00",
            *[""] * 4,
        ],
    ]


@pytest.mark.parametrize("container", ["xlsx", "csv"])
def test_douyin_screen_export(container):
    rows = screen_rows()
    data = xlsx_bytes(rows) if container == "xlsx" else csv_bytes(rows, encoding="gb18030")

    result = parse_export(data, f"dashboard.{container}")

    assert (result.format, result.platform, result.problems) == ("douyin_screen", "douyin", [])
    first, second = (row for _, row in result.rows.iterrows())
    assert first["source_row"] == 4  # two title rows and a blank row above the header
    assert first["started_at"] == pd.Timestamp("2026-09-07 00:55:37", tz=UTC)
    assert first["ended_at"] == pd.Timestamp("2026-09-07 03:02:10", tz=UTC)
    assert first["on_air_seconds"] == 7593
    assert (first["viewers"], first["peak_online"], first["orders"]) == (12000, 1024, 1203)
    assert first["avg_watch_seconds"] == 65.0
    assert (first["gmv_minor"], first["refunds_minor"]) == (23655200, 123450)
    # An end given as a time only, earlier than the start: the session ran past midnight.
    assert second["started_at"] == pd.Timestamp("2026-09-07 14:55", tz=UTC)
    assert second["ended_at"] == pd.Timestamp("2026-09-07 17:02", tz=UTC)
    assert pd.isna(second["viewers"]) and second["gmv_minor"] == 0


def test_douyin_screen_bad_range_is_reported_on_its_cell():
    rows = screen_rows()
    rows[3][2] = "2026/09/07 08:55:37 until late"

    result = parse_export(xlsx_bytes(rows), "dashboard.xlsx")

    assert [(p.row, p.column, p.value) for p in result.problems] == [
        (4, "直播时间", "2026/09/07 08:55:37 until late")
    ]
    assert result.rejected_rows == {4}
    assert result.rows["source_row"].tolist() == [5]


def test_taobao_export_in_gb18030_with_quoted_commas():
    rows = [
        TAOBAO_HEADER,
        [
            *("淘宝主播A", "00123", "9876543210123", "秋季新品, 第一场", "2026-09-03 19:00:00"),
            *("2026-09-03 21:30:00", "150", "3,456", "5,678", "45.5", "120", "12,345.60"),
            *("88", "80"),
        ],
        [
            *("淘宝主播A", "00123", "9876543210124", "直播中", "2026-09-04 19:00:00", ""),
            *("30", "10", "12", "--", "暂无", "0", "1", "1"),
        ],
    ]

    result = parse_export(csv_bytes(rows, encoding="gb18030"), "taobao.csv")

    assert (result.format, result.platform, result.problems) == ("taobao", "taobao", [])
    done, live = (row for _, row in result.rows.iterrows())
    assert done["account_id"] == "00123"
    assert done["platform_session_id"] == "9876543210123"
    assert done["title"] == "秋季新品, 第一场"
    assert done["on_air_seconds"] == 9000
    assert (done["viewers"], done["views"]) == (3456, 5678)
    assert done["avg_watch_seconds"] == 45.5  # Taobao gives seconds
    assert done["gmv_minor"] == 1234560
    assert pd.isna(live["ended_at"])  # still live: no end
    assert live["on_air_seconds"] == 1800  # so the exported minutes count
    assert pd.isna(live["avg_watch_seconds"]) and pd.isna(live["new_followers"])


TIKTOK_HEADER = [
    "Creator ID",
    "Creator",
    "Launched Time",
    "Duration",
    "Revenue ($)",
    "Orders Paid",
    "Buyers",
    "Viewers",
    "Views",
    "ACU",
    "PCU",
    "Avg. Viewing Duration",
    "New Followers",
]


def tiktok_rows() -> list[list[object]]:
    return [
        ["LIVE analysis"],
        ["Date range: 2026/09/01 - 2026/09/30"],
        [],
        TIKTOK_HEADER,
        [
            *("00987", "shop_anna", "2026/09/03/ 19:30", "2h 5min", 1234.56, 40, 35, 5000),
            *(8000, 120, 450, "45s", 300),
        ],
        ["00987", "shop_anna", "2026/09/04/ 19:30", 3600, "2,000", 1, 1, 10, 12, 2, 3, 30, 0],
    ]


def test_tiktok_workbook_with_title_rows_and_currency_in_header():
    result = parse_export(xlsx_bytes(tiktok_rows()), "tiktok.xlsx", org_timezone="UTC")

    assert (result.format, result.platform, result.problems) == ("tiktok", "tiktok", [])
    first, second = (row for _, row in result.rows.iterrows())
    assert first["source_row"] == 5  # real spreadsheet row under three title rows
    assert first["account_id"] == "00987"
    assert first["started_at"] == pd.Timestamp("2026-09-03 19:30", tz=UTC)
    assert pd.isna(first["ended_at"])
    assert first["on_air_seconds"] == 7500
    assert (first["gmv_minor"], first["currency"]) == (123456, "USD")
    assert (first["avg_online"], first["peak_online"]) == (120, 450)
    assert first["avg_watch_seconds"] == 45.0
    assert (second["on_air_seconds"], second["gmv_minor"]) == (3600, 200000)


def test_tiktok_without_currency_in_the_revenue_header_is_refused():
    rows = tiktok_rows()
    rows[3][4] = "Revenue"

    with pytest.raises(ImportFileError, match="currency"):
        parse_export(xlsx_bytes(rows), "tiktok.xlsx")


def template_row(**cells: str) -> list[str]:
    return [cells.get(column, "") for column in template_columns()]


def test_template_header_is_utf8_with_bom_and_parses_back():
    blob = template_csv()

    assert blob.startswith(b"\xef\xbb\xbf")
    assert blob.decode("utf-8-sig").strip().split(",") == template_columns()
    result = parse_export(blob, "template.csv")
    assert (result.format, result.total_rows, result.problems) == ("template", 0, [])


def test_template_rows_with_hosts_currencies_and_offsets():
    rows = [
        template_columns(),
        template_row(
            platform="Kuaishou",
            account_id="KS001",
            started_at="2026-09-03 19:00",
            ended_at="2026-09-03T21:00:00+08:00",
            gmv="1000.5",
            refunds="-",
            currency="usd",
            hosts="E1001:60；E1002:40",
        ),
        template_row(
            platform="抖音",
            account_id="0042",
            started_at="2026/09/04 10:00:00",
            on_air_minutes="1小时5分",
            gmv="0",
            hosts="E1;E2;E3",
        ),
    ]

    result = parse_export(csv_bytes(rows), "anything.csv")

    assert (result.format, result.platform, result.problems) == ("template", "mixed", [])
    first, second = (row for _, row in result.rows.iterrows())
    assert (first["platform"], first["currency"], first["gmv_minor"]) == ("kuaishou", "USD", 100050)
    assert first["on_air_seconds"] == 7200
    assert pd.isna(first["refunds_minor"])
    assert first["hosts"] == "E1001:6000;E1002:4000"
    assert (second["platform"], second["currency"]) == ("douyin", "CNY")
    assert second["on_air_seconds"] == 3900
    assert second["hosts"] == "E1:3334;E2:3333;E3:3333"


@pytest.mark.parametrize(
    ("hosts", "reason"),
    [
        ("E1:60;E2:30", "The shares add up to 90%, not 100%."),
        ("E1:50;E2", "Give a share for every host or for none."),
        ("E1;E1", "A host is listed twice."),
        ("E1:0;E2:100", "Every host's share must be more than 0%."),
        ("E1:abc", "“abc” is not a share in percent (e.g. 60 or 33.33)."),
    ],
)
def test_template_bad_hosts_reject_the_row(hosts, reason):
    rows = [
        template_columns(),
        template_row(platform="taobao", account_id="1", started_at="2026-09-03 19:00", gmv="1"),
        template_row(
            platform="taobao", account_id="1", started_at="2026-09-04 19:00", gmv="1", hosts=hosts
        ),
    ]

    result = parse_export(csv_bytes(rows), "template.csv")

    assert [(p.row, p.column, p.value, p.text) for p in result.problems] == [
        (3, "hosts", hosts, reason)
    ]
    assert result.rows["source_row"].tolist() == [2]


def test_template_money_follows_the_row_currency():
    common = {"platform": "x_shop", "account_id": "1", "gmv": "1500.5"}
    rows = [
        template_columns(),
        template_row(**common, started_at="2026-09-03 19:00"),
        template_row(**common, started_at="2026-09-04 19:00", currency="VND"),
    ]

    result = parse_export(csv_bytes(rows), "template.csv")

    # The VND row may not have fractions; the CNY row may.
    assert [(p.row, p.column, p.text) for p in result.problems] == [
        (3, "gmv", "VND amounts have no decimal places.")
    ]
    assert result.rows.iloc[0]["gmv_minor"] == 150050


def test_forced_format_and_platform():
    data = sample(SEPTEMBER_CSV)

    assert parse_export(data, "x.csv", platform="douyin").format == "douyin_compass"
    assert parse_export(data, "x.csv", platform="douyin_compass").total_rows == 446
    # Read as Taobao it has no Taobao account column (a 抖音号 is no Taobao id): the refusal
    # names the forced format and the column it lacks.
    with pytest.raises(ImportFileError, match="主播ID") as refused:
        parse_export(data, "x.csv", platform="taobao")
    assert refused.value.reason["params"]["format"] == {"label": "format", "code": "taobao"}
    with pytest.raises(ValueError, match="unknown platform"):
        parse_export(data, "x.csv", platform="weibo")
    with pytest.raises(ValueError, match="time zone"):
        parse_export(data, "x.csv", org_timezone="Mars/Base")
