"""bench_dashboard at a tiny size, through the runner: the ZIP of per-session workbooks is built,
imported in one batch and read by calamine alone, and the figures have their names, units and
targets — never their times."""

from __future__ import annotations

from pathlib import Path

from benchmarks import bench_dashboard
from tests.benchmarks.helpers import run_tiny


def test_the_dashboard_benchmark_runs_at_a_tiny_size(tmp_path: Path) -> None:
    results = {r["name"]: r for r in run_tiny("dashboard", tmp_path, timeout=600)}
    assert {name: (r["unit"], r["target"]) for name, r in results.items()} == {
        "import_dashboard_zip_1000": ("s", 60.0),
        "import_dashboard_zip_1000_ratio": ("x", 2.0),
    }
    assert results["import_dashboard_zip_1000"]["baseline"] > 0


def test_the_generated_workbooks_are_per_session_downloads(app) -> None:
    from hrapp.live_sessions.parsing.dashboard_workbook import read_session_workbook

    name, data = bench_dashboard.workbook(7)
    result = read_session_workbook(data, name, org_timezone="Asia/Shanghai")
    assert result.problems == [] and len(result.rows) == 1
    assert result.rows.iloc[0]["items_sold"] == 20 + 7 + 5  # the second product's is "—"
