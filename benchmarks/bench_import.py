"""import_1m_csv: `import_sessions` of a 1,000,000-row Douyin Compass list export into SQLite.

The file is generated deterministically (numpy, fixed seed) in a temporary folder with the
real export's Chinese headers, `2026/09/07 08:55:37` times in UTC+8 and accounts with leading
zeros: 2,000 accounts × 500 sessions, each account mapped to its own streamer beforehand.

The import and the baseline each run in a child process of their own (a fresh SQLite file per
run), which reports its time and its peak resident memory (`ru_maxrss`: the whole process,
interpreter and application included).

Baseline: `pandas.read_csv` of the same file + raw sqlite3 `executemany` of the same rows into
a bare table with the same columns. Targets: ≤ 30 s, ≤ 3 × the baseline, ≤ 1.5 GiB peak RSS.

import_1m_csv_mapped: the same rows and values under headers no profile knows, not even by a
synonym (a third-party tool's layout: 抖音ID, 开播日期时间, 带货销售额 …), imported with a
column mapping document, in a child of its own after the two above. Its baseline is
import_1m_csv of the same run; targets: within 10 % of it (ratio ≤ 1.10), ≤ 1.5 GiB peak RSS.

`HRAPP_BENCH_SIZE=tiny` imports a few thousand rows, for the test suite (the figures then mean
nothing).

    python -m benchmarks.bench_import [--rows N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.common import print_records, result
from benchmarks.importing import prepare_database, timed_import

ROWS = 1_000_000
ACCOUNTS = 2_000
SEED = 20260907
TARGET_SECONDS = 30.0
TARGET_RATIO = 3.0
TARGET_RSS_BYTES = 1.5 * 2**30
TARGET_MAPPED_RATIO = 1.10
TINY_ROWS = 2_000
HEADERS = [
    "主播昵称",
    "主播抖音号",
    "直播开始时间",
    "直播结束时间",
    "直播时长(分钟)",
    "直播间曝光人数",
    "直播间曝光次数",
    "直播间观看人数",
    "直播间观看次数",
    "直播激励观看次数",
    "最高在线人数",
    "平均在线人数",
    "人均观看时长(分钟)",
    "评论次数",
    "新加直播团人数",
    "新增粉丝数",
    "取关粉丝数",
    "带货商品数",
    "直播间商品曝光人数",
    "直播间商品点击人数",
    "直播间成交订单数",
    "直播间成交金额",
    "直播间用户支付金额",
    "直播间成交件数",
    "直播间成交人数",
    "直播间退款订单数",
    "直播间退款金额",
    "投放消耗(店铺绑定)",
    "净成交金额",
    "1小时退款金额",
]

# The Compass header → the header of the same column in the mapped layout, and the template
# field it feeds (None: a column the mapping leaves out, as the Compass profile does). No profile
# alias nor synonym (domain.md "Header synonyms") reads these headers: only the mapping does.
MAPPED_LAYOUT: dict[str, tuple[str, str | None]] = {
    "主播昵称": ("达人", "nickname"),
    "主播抖音号": ("抖音ID", "account_id"),
    "直播开始时间": ("开播日期时间", "started_at"),
    "直播结束时间": ("下播日期时间", "ended_at"),
    "直播时长(分钟)": ("播出时长(分钟)", "on_air_minutes"),
    "直播间曝光人数": ("曝光人数", None),
    "直播间曝光次数": ("曝光次数", None),
    "直播间观看人数": ("看播人数", "viewers"),
    "直播间观看次数": ("看播人次", "views"),
    "直播激励观看次数": ("激励观看人次", None),
    "最高在线人数": ("峰值在线", "peak_online"),
    "平均在线人数": ("在线均值", "avg_online"),
    "人均观看时长(分钟)": ("平均观看(分钟)", "avg_watch_seconds"),
    "评论次数": ("弹幕数", "comments"),
    "新加直播团人数": ("新增粉丝团", None),
    "新增粉丝数": ("粉丝增量", "new_followers"),
    "取关粉丝数": ("粉丝减量", "unfollows"),
    "带货商品数": ("上架商品数", None),
    "直播间商品曝光人数": ("商品曝光人数", None),
    "直播间商品点击人数": ("商品点击人数", None),
    "直播间成交订单数": ("订单数", "orders"),
    "直播间成交金额": ("带货销售额", "gmv"),
    "直播间用户支付金额": ("用户实付", "buyer_paid"),
    "直播间成交件数": ("售出件数", "items_sold"),
    "直播间成交人数": ("购买人数", "buyers"),
    "直播间退款订单数": ("退款单数", "refund_orders"),
    "直播间退款金额": ("退款总额", "refunds"),
    "投放消耗(店铺绑定)": ("投流消耗", "ad_spend"),
    "净成交金额": ("净销售额", "platform_net"),
    "1小时退款金额": ("1小时内退款", "refunds_1h"),
}


def mapping_document() -> str:
    """The TOML column mapping that reads the mapped layout (domain.md, "Column mappings")."""
    lines = ['name = "第三方工具 直播记录"', 'platform = "douyin"', "", "[columns]"]
    lines += [f'"{h}" = "{f}"' for h, f in MAPPED_LAYOUT.values() if f is not None]
    return "\n".join(lines) + "\n"


def account_ids(count: int = ACCOUNTS) -> list[str]:
    return [f"0{4_000_000 + i * 37:07d}" for i in range(count)]


def generate_csv(path: Path, rows: int = ROWS, *, mapped: bool = False) -> None:
    """A plausible export: every relation the importer checks holds, so no row is rejected.
    `mapped`: the same rows and values under the headers of MAPPED_LAYOUT."""
    rng = np.random.default_rng(SEED)
    ids = account_ids()
    per_account = -(-rows // len(ids))
    account = np.arange(rows) // per_account
    day = np.arange(rows) % per_account
    start = (
        pd.Timestamp("2024-01-01")
        + pd.to_timedelta(day, unit="D")
        + pd.to_timedelta(rng.integers(8 * 3600, 22 * 3600, rows), unit="s")
    )
    on_air = rng.integers(1_800, 6 * 3600, rows)  # evening sessions cross midnight
    end = start + pd.to_timedelta(on_air, unit="s")
    views = rng.integers(100, 50_000, rows)
    viewers = (views * rng.uniform(0.5, 1.0, rows)).astype(np.int64)
    peak = rng.integers(10, 3_000, rows)
    buyers = (viewers * rng.uniform(0, 0.05, rows)).astype(np.int64)
    orders = buyers + rng.integers(0, 10, rows)
    gmv = rng.integers(0, 5_000_000, rows)  # fen
    refunds = (gmv * rng.uniform(0, 0.3, rows)).astype(np.int64)
    refunds_1h = (refunds * rng.uniform(0, 0.5, rows)).astype(np.int64)
    frame = pd.DataFrame(
        {
            "主播昵称": [f"直播间{a}" for a in account],
            "主播抖音号": np.array(ids, dtype=object)[account],
            "直播开始时间": start.strftime("%Y/%m/%d %H:%M:%S"),
            "直播结束时间": end.strftime("%Y/%m/%d %H:%M:%S"),
            "直播时长(分钟)": on_air // 60,
            "直播间曝光人数": views * 8,
            "直播间曝光次数": views * 12,
            "直播间观看人数": viewers,
            "直播间观看次数": views,
            "直播激励观看次数": "-",
            "最高在线人数": peak,
            "平均在线人数": peak // 3,
            "人均观看时长(分钟)": np.round(rng.uniform(0.2, 5, rows), 2),
            "评论次数": rng.integers(0, 2_000, rows),
            "新加直播团人数": rng.integers(0, 10, rows),
            "新增粉丝数": rng.integers(0, 500, rows),
            "取关粉丝数": rng.integers(0, 20, rows),
            "带货商品数": rng.integers(1, 60, rows),
            "直播间商品曝光人数": viewers,
            "直播间商品点击人数": viewers // 3,
            "直播间成交订单数": orders,
            "直播间成交金额": gmv / 100,
            "直播间用户支付金额": (gmv - gmv // 20) / 100,
            "直播间成交件数": orders + 2,
            "直播间成交人数": buyers,
            "直播间退款订单数": rng.integers(0, 5, rows),
            "直播间退款金额": refunds / 100,
            "投放消耗(店铺绑定)": rng.integers(0, 300_000, rows) / 100,
            "净成交金额": (gmv - refunds_1h) / 100,
            "1小时退款金额": refunds_1h / 100,
        },
        columns=HEADERS,
    )
    if mapped:
        frame = frame.rename(columns={h: new for h, (new, _f) in MAPPED_LAYOUT.items()})
    frame.to_csv(path, index=False, float_format="%.2f", encoding="utf-8-sig")


def _prepare_database(database: Path) -> Any:
    """A fresh SQLite file with the schema and the accounts, each mapped to a streamer."""
    return prepare_database(f"sqlite:///{database}", account_ids())


def child_import(csv_path: Path, database: Path) -> dict[str, Any]:
    return import_into(csv_path, f"sqlite:///{database}")


def child_mapped_import(csv_path: Path, database: Path) -> dict[str, Any]:
    """The timed import of the mapped file with the mapping document saved beside it (its
    reading and checking timed too, as `hrapp sessions import FILE --mapping FILE.toml` does)."""
    from hrapp.intake.mappings import read_mapping

    app = prepare_database(f"sqlite:///{database}", account_ids())
    start = time.perf_counter()
    mapping = read_mapping(csv_path.with_suffix(".toml").read_text(encoding="utf-8"))
    reading = time.perf_counter() - start
    seconds, inserted = timed_import(app, csv_path, mapping=mapping)
    return {"seconds": reading + seconds, "rows": inserted}


def import_into(csv_path: Path, url: str) -> dict[str, Any]:
    """The timed import of the file into a fresh database at `url` (prepared untimed)."""
    seconds, inserted = timed_import(prepare_database(url, account_ids()), csv_path)
    return {"seconds": seconds, "rows": inserted}


def child_baseline(csv_path: Path, database: Path) -> dict[str, Any]:
    """The least any importer must spend: read the CSV, insert its rows as they are."""
    start = time.perf_counter()
    frame = pd.read_csv(csv_path, dtype={"主播抖音号": str})
    columns = ", ".join(f"c{i}" for i in range(len(frame.columns)))
    marks = ", ".join("?" for _ in frame.columns)
    with sqlite3.connect(database) as conn:
        conn.execute(f"CREATE TABLE t ({columns})")
        for first in range(0, len(frame), 50_000):
            chunk = frame.iloc[first : first + 50_000]
            values = [chunk[c].tolist() for c in chunk.columns]
            conn.executemany(f"INSERT INTO t VALUES ({marks})", list(zip(*values, strict=True)))
    return {"seconds": time.perf_counter() - start, "rows": len(frame)}


def _in_child(kind: str, csv_path: Path, database: Path) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter; its figures come back as JSON on stdout."""
    command = [sys.executable, "-m", "benchmarks.bench_import", "--child", kind]
    command += [str(csv_path), str(database)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(rows: int | None = None) -> list[dict[str, Any]]:
    if rows is None:
        rows = TINY_ROWS if os.environ.get("HRAPP_BENCH_SIZE") == "tiny" else ROWS
    with tempfile.TemporaryDirectory(prefix="hrapp-bench-import-") as name:
        folder = Path(name)
        os.environ["HRAPP_INSTANCE"] = str(folder)  # keep the job queue file out of instance/
        csv_path = folder / "douyin_compass_1m.csv"
        generate_csv(csv_path, rows)
        imported = _in_child("import", csv_path, folder / "import.sqlite")
        baseline = _in_child("baseline", csv_path, folder / "baseline.sqlite")
        csv_path.unlink()
        mapped_path = folder / "mapped_layout_1m.csv"
        generate_csv(mapped_path, rows, mapped=True)
        mapped_path.with_suffix(".toml").write_text(mapping_document(), encoding="utf-8")
        mapped = _in_child("mapped", mapped_path, folder / "mapped.sqlite")
    ratio = imported["seconds"] / baseline["seconds"]
    label = "import_1m_csv" if rows == ROWS else f"import_{rows}_csv"
    return [
        result(label, imported["seconds"], "s", baseline["seconds"], TARGET_SECONDS),
        result(f"{label}_ratio", ratio, "x", None, TARGET_RATIO),
        result(f"{label}_peak_rss", imported["rss"], "B", baseline["rss"], TARGET_RSS_BYTES),
        *_mapped_results(f"{label}_mapped", mapped, imported),
    ]


def _mapped_results(
    label: str, mapped: dict[str, Any], imported: dict[str, Any]
) -> list[dict[str, Any]]:
    """The mapped import against the plain one of the same run: time, ratio, peak memory."""
    ratio = mapped["seconds"] / imported["seconds"]
    return [
        result(label, mapped["seconds"], "s", imported["seconds"], None),
        result(f"{label}_ratio", ratio, "x", None, TARGET_MAPPED_RATIO),
        result(f"{label}_peak_rss", mapped["rss"], "B", imported["rss"], TARGET_RSS_BYTES),
    ]


def _child_main(kind: str, csv_path: str, database: str) -> None:
    measure = {"import": child_import, "mapped": child_mapped_import}.get(kind, child_baseline)
    figures = measure(Path(csv_path), Path(database))
    figures["rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    print(json.dumps(figures))


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark the live-session import.")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--child", nargs=3, metavar=("KIND", "CSV", "DATABASE"))
    args = parser.parse_args()
    if args.child:
        _child_main(*args.child)
        return
    print_records(run(args.rows))


if __name__ == "__main__":
    main()
