"""bench_sheets at a tiny size, through the runner: every step runs (a warm sheet beside the
reference page, a cycle to a ZIP with the worker pool, the memory of the process and its
workers), and the figures have their names, units and targets — never their times."""

from __future__ import annotations

from pathlib import Path

from tests.benchmarks.helpers import run_tiny


def test_the_sheets_benchmark_runs_at_a_tiny_size(tmp_path: Path) -> None:
    results = {r["name"]: r for r in run_tiny("sheets", tmp_path, timeout=600)}
    assert {name: (r["unit"], r["target"]) for name, r in results.items()} == {
        "sheet_render": ("s", 0.3),
        "sheet_render_ratio": ("x", 2.0),
        "bulk_1000_sheets": ("s", 120.0),
        "bulk_1000_sheets_peak_rss": ("B", 1.5 * 2**30),
        "bulk_1000_sheets_cpu": ("s", None),
    }
    assert results["sheet_render"]["baseline"] > 0
    assert results["bulk_1000_sheets_peak_rss"]["value"] > 50 * 2**20  # the workers counted
