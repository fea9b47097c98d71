"""Local timing check for the export parser (not a test: timings drift on shared machines).

Builds a Douyin 罗盘 CSV of N rows (default 1,000,000) from the September sample — 2,000
accounts, start times spread over years — then, each in a fresh process and alternating,
times ``parse_export`` and a baseline on the same bytes: ``pd.read_csv(dtype=str)`` of the
whole file. Prints the best of a few rounds, wall and CPU time, and each one's peak memory.

    .venv/bin/python tests/live_sessions_parsing/timing_check.py [rows] [rounds]
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

SAMPLE = Path(__file__).parents[1] / "data" / "imports" / "douyin_compass_2026-09.csv"
ACCOUNTS = 2_000


def build_csv(rows: int) -> bytes:
    sample = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    rng = np.random.default_rng(7)
    frame = sample.iloc[rng.integers(0, len(sample), rows)].reset_index(drop=True)
    account = rng.integers(0, ACCOUNTS, rows)
    frame["主播抖音号"] = pd.Series(account).astype(str).str.zfill(8).to_numpy()
    frame["主播昵称"] = pd.Series(account).astype(str).radd("主播").to_numpy()
    # Sessions follow each other in time, so (account, start) stays unique.
    starts = pd.Timestamp("2015-01-01") + pd.to_timedelta(np.arange(rows) * 1800, unit="s")
    ends = starts + pd.to_timedelta(rng.integers(600, 20_000, rows), unit="s")
    frame["直播开始时间"] = starts.strftime("%Y/%m/%d %H:%M:%S")
    frame["直播结束时间"] = ends.strftime("%Y/%m/%d %H:%M:%S")
    return frame.to_csv(index=False).encode("utf-8-sig")


def measure(kind: str, path: str) -> dict[str, float]:
    """Runs in its own process so its peak memory is its own."""
    data = Path(path).read_bytes()
    loaded = _peak_mb()
    wall, cpu = time.perf_counter(), time.process_time()
    if kind == "parse":
        from hrapp.live_sessions.parsing import parse_export

        rows = len(parse_export(data, "timing.csv").rows)
    else:
        rows = len(pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False))
    return {
        "wall": time.perf_counter() - wall,
        "cpu": time.process_time() - cpu,
        "rows": rows,
        "extra_mb": _peak_mb() - loaded,
        "peak_mb": _peak_mb(),
    }


def _peak_mb() -> float:
    """Peak resident memory of this process (ru_maxrss would include the parent's: Linux keeps
    it across exec)."""
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0]) / 1024


def _run(kind: str, path: Path) -> dict[str, float]:
    command = [sys.executable, __file__, "--measure", kind, str(path)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output)


def main(rows: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "douyin.csv"
        path.write_bytes(build_csv(rows))
        runs: dict[str, list[dict[str, float]]] = {"baseline": [], "parse": []}
        for _ in range(rounds):
            for kind in runs:
                runs[kind].append(_run(kind, path))
        size = path.stat().st_size / 1e6
    best = {kind: min(results, key=lambda r: r["wall"]) for kind, results in runs.items()}
    print(f"{rows:,} rows, {size:.0f} MB, best of {rounds}")
    for kind, result in best.items():
        print(
            f"{kind:8}: {result['wall']:.2f} s wall, {result['cpu']:.2f} s CPU, "
            f"{result['rows']:,} rows, peak RSS {result['peak_mb']:.0f} MB "
            f"({result['extra_mb']:.0f} MB above the loaded file)"
        )
    parse, baseline = best["parse"], best["baseline"]
    print(
        f"ratio parse/baseline: {parse['wall'] / baseline['wall']:.2f} wall, "
        f"{parse['cpu'] / baseline['cpu']:.2f} CPU"
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        print(json.dumps(measure(sys.argv[2], sys.argv[3])))
    else:
        main(
            int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000,
            int(sys.argv[2]) if len(sys.argv) > 2 else 2,
        )
