"""The real Douyin 罗盘 samples: detection, hand-read cells, encodings, NULLs, midnight."""

from __future__ import annotations

import pandas as pd
import pytest

from hrapp.live_sessions.parsing import CANONICAL_DTYPES, parse_export

from .builders import AUGUST_GB18030_CSV, JULY_XLSX, SEPTEMBER_CSV, sample


@pytest.fixture(scope="module")
def september():
    return parse_export(sample(SEPTEMBER_CSV), SEPTEMBER_CSV)


@pytest.mark.parametrize(
    ("name", "rows"), [(SEPTEMBER_CSV, 446), (AUGUST_GB18030_CSV, 468), (JULY_XLSX, 480)]
)
def test_samples_are_read_whole_and_clean(name, rows):
    result = parse_export(sample(name), name)

    assert (result.format, result.platform) == ("douyin_compass", "douyin")
    assert result.total_rows == len(result.rows) == rows
    assert result.problems == [] and result.rejected_rows == set()
    assert list(result.rows.columns) == list(CANONICAL_DTYPES)
    assert {c: str(t) for c, t in result.rows.dtypes.items()} == {
        c: str(pd.api.types.pandas_dtype(t)) for c, t in CANONICAL_DTYPES.items()
    }


def test_first_row_of_september_matches_the_file_by_hand(september):
    row = september.rows.iloc[0]

    assert row["source_row"] == 2
    assert row["account_id"] == "0439563"  # text: the leading zero stays
    assert row["nickname"] == "小红的直播间"
    assert row["started_at"] == pd.Timestamp("2026-09-03 11:13:13", tz="UTC")  # 19:13:13 +08
    assert row["ended_at"] == pd.Timestamp("2026-09-03 12:59:22", tz="UTC")
    assert row["on_air_seconds"] == 6369  # 1 h 46 min 9 s, not the rounded 106 minutes
    assert row["avg_watch_seconds"] == 60.6  # 1.01 minutes
    assert (row["viewers"], row["views"], row["peak_online"], row["avg_online"]) == (
        3524,
        4759,
        116,
        45,
    )
    assert (row["comments"], row["new_followers"], row["unfollows"]) == (524, 38, 2)
    assert (row["orders"], row["buyers"], row["items_sold"], row["refund_orders"]) == (
        65,
        62,
        68,
        8,
    )
    assert row["gmv_minor"] == 877235  # 8772.35 yuan
    assert row["buyer_paid_minor"] == 843466
    assert row["refunds_minor"] == 113478
    assert row["platform_net_minor"] == 823957
    assert row["refunds_1h_minor"] == 53278
    assert row["ad_spend_minor"] == 196234
    assert row["currency"] == "CNY"
    assert pd.isna(row["platform_session_id"]) and pd.isna(row["title"])
    assert pd.isna(row["hosts"])


def test_session_across_midnight_keeps_its_real_length(september):
    row = september.rows.set_index("source_row").loc[5]  # 2026/09/08 20:10:29 → 09/09 00:19:00

    assert row["ended_at"] - row["started_at"] == pd.Timedelta(hours=4, minutes=8, seconds=31)
    assert row["on_air_seconds"] == 14911


def test_null_marker_is_unknown_not_zero(september):
    row = september.rows.set_index("source_row").loc[86]  # 人均观看时长(分钟) is "-"

    assert pd.isna(row["avg_watch_seconds"])
    assert row["viewers"] == 0  # a real zero stays zero


def test_xlsx_numbers_come_back_exact():
    first = parse_export(sample(JULY_XLSX), JULY_XLSX).rows.iloc[-1]

    # Last row of the July workbook, read by hand: 82908.75 yuan, 2.62 minutes per view.
    assert first["account_id"] == "45167906"
    assert first["gmv_minor"] == 8290875
    assert first["refunds_1h_minor"] == 1332577
    assert first["avg_watch_seconds"] == 157.2
    assert first["started_at"] == pd.Timestamp("2026-07-30 04:01:08", tz="UTC")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_the_same_content_in_any_encoding_parses_identically(september, encoding):
    text = sample(SEPTEMBER_CSV).decode("utf-8-sig")

    result = parse_export(text.encode(encoding), f"september.{encoding}.csv")

    pd.testing.assert_frame_equal(result.rows, september.rows)
    assert result.problems == september.problems


def test_gb18030_sample_converted_to_utf8_parses_identically():
    original = parse_export(sample(AUGUST_GB18030_CSV), AUGUST_GB18030_CSV)
    utf8 = sample(AUGUST_GB18030_CSV).decode("gb18030").encode("utf-8")

    pd.testing.assert_frame_equal(parse_export(utf8, "august.csv").rows, original.rows)


def test_other_time_zone_moves_the_instants():
    result = parse_export(sample(SEPTEMBER_CSV), SEPTEMBER_CSV, org_timezone="Europe/London")

    assert result.rows.iloc[0]["started_at"] == pd.Timestamp("2026-09-03 18:13:13", tz="UTC")
