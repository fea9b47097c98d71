"""Headers as real exports and agencies' tools spell them: the 直播间 prefix, the synonyms of
domain.md ("Header synonyms"), and a refusal that names the closest format and its gaps."""

from __future__ import annotations

import pytest

from hrapp.live_sessions.parsing import ImportFileError, parse_export

from .builders import csv_bytes, xlsx_bytes

# A tabular 大屏-style sheet as agencies keep it: the 直播间 prefix the compass list also uses.
PREFIXED_SCREEN_HEADER = [
    "达人昵称",
    "抖音号or火山号",
    "直播时间",
    "直播间观看人数",
    "直播间观看次数",
    "直播间成交订单数",
    "直播间成交金额",
    "直播间退款金额",
]
PREFIXED_SCREEN_ROWS = [
    ["小红的直播间", "0439563", "2026/09/07 08:55:37-2026/09/07 11:02:10",
     "1.2万", "15,300", "1,203", "¥236,552.00", "￥1,234.50"],
    ["小红的直播间", "0439563", "2026/09/08 20:00:00-2026/09/08 22:30:00",
     "8,000", "9,100", "310", "¥12,000.50", "¥0.50"],
    ["阿明", "0000777", "2026/09/09 19:00:00-2026/09/09 21:00:00",
     "2,500", "3,000", "45", "3,210", "—"],
]  # fmt: skip


@pytest.mark.parametrize("container", ["csv", "xlsx"])
def test_a_screen_sheet_with_the_prefix_is_read_as_a_screen_export(container):
    rows = [PREFIXED_SCREEN_HEADER, *PREFIXED_SCREEN_ROWS]
    data = csv_bytes(rows) if container == "csv" else xlsx_bytes(rows)

    result = parse_export(data, f"大屏.{container}")

    assert (result.format, result.platform, result.problems) == ("douyin_screen", "douyin", [])
    rows_read = result.rows
    assert rows_read["account_id"].tolist() == ["0439563", "0439563", "0000777"]
    # Hand-computed: 12,000 + 8,000 + 2,500 viewers; 15,300 + 9,100 + 3,000 views;
    # 1,203 + 310 + 45 orders; ¥236,552.00 + ¥12,000.50 + ¥3,210 = ¥251,762.50 GMV;
    # refunds ¥1,234.50 + ¥0.50 and one not given (—) = ¥1,235.00.
    assert int(rows_read["viewers"].sum()) == 22_500
    assert int(rows_read["views"].sum()) == 27_400
    assert int(rows_read["orders"].sum()) == 1_558
    assert int(rows_read["gmv_minor"].sum()) == 25_176_250
    assert int(rows_read["refunds_minor"].sum()) == 123_500
    assert rows_read["refunds_minor"].isna().tolist() == [False, False, True]
    assert int(rows_read["on_air_seconds"].sum()) == 7_593 + 9_000 + 7_200
    assert result.headers["gmv_minor"] == "直播间成交金额"


def test_synonyms_from_other_tools_are_read():
    """A 蝉妈妈-style sheet: 达人抖音号, 开播时间, 下播时间, 场观, 销售额 (domain.md synonyms)."""
    rows = [
        ["达人昵称", "达人抖音号", "开播时间", "下播时间", "场观", "涨粉", "销售额", "退款额"],
        ["小红", "0439563", "2026-09-07 20:00", "2026-09-07 22:00", "1,000", "12", "¥500", "¥20"],
    ]

    result = parse_export(csv_bytes(rows), "chanmama.csv", platform="douyin")

    assert result.problems == []
    row = result.rows.iloc[0]
    assert (row["account_id"], row["viewers"], row["new_followers"]) == ("0439563", 1000, 12)
    assert (row["gmv_minor"], row["refunds_minor"], row["on_air_seconds"]) == (50_000, 2_000, 7200)


def test_a_refusal_names_the_closest_format_and_exactly_its_missing_fields():
    rows = [[h for h in PREFIXED_SCREEN_HEADER if h != "直播时间"], PREFIXED_SCREEN_ROWS[0][:2]]

    with pytest.raises(ImportFileError) as refused:
        parse_export(csv_bytes(rows), "大屏.csv", platform="douyin")

    reason = refused.value.reason
    assert reason["params"]["format"] == {"label": "format", "code": "douyin_screen"}
    assert reason["params"]["missing"] == ["直播时间"]


def test_a_duration_header_naming_its_unit_is_read_in_that_unit():
    rows = [
        ["达人抖音号", "开播时间", "直播时长(小时)", "人均停留时长(秒)", "销售额"],
        ["0439563", "2026-09-07 20:00", "2.5", "75", "¥500"],
    ]

    result = parse_export(csv_bytes(rows), "huitun.csv", platform="douyin")

    assert result.problems == []
    row = result.rows.iloc[0]
    assert (row["on_air_seconds"], row["avg_watch_seconds"]) == (9_000, 75.0)
