"""The benchmark runner and its helpers, with tiny fake benchmarks (no real timings)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from benchmarks import common
from benchmarks.common import RESULT_KEYS, peak_rss_of_child, result, timed

ROOT = Path(__file__).resolve().parents[2]
MIB = 2**20

FAKE_MODULES = {
    "__init__.py": "",
    "state.py": "touched = False\n",
    "bench_a_tiny.py": """
        from benchmarks.common import result
        from fakebench import state

        def run():
            state.touched = True  # must not be seen by the next module
            return [result("tiny", 0.5, "s", 0.25, 1.0), result("tiny_slow", 3.0, "s", None, 2.0)]
    """,
    "bench_b_isolated.py": """
        from benchmarks.common import result
        from fakebench import state

        def run():
            return [result("saw_other_module", float(state.touched), "flag")]
    """,
    "bench_c_broken.py": """
        def run():
            return [{"name": "no unit"}]
    """,
    "helper.py": "def run():\n    raise AssertionError('not a benchmark')\n",
}


@pytest.fixture
def fake_package(tmp_path: Path) -> Path:
    package = tmp_path / "fakebench"
    package.mkdir()
    for name, text in FAKE_MODULES.items():
        (package / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def run_runner(where: Path, *options: str) -> tuple[subprocess.CompletedProcess[str], list]:
    output = where / "results.json"
    env = {**os.environ, "PYTHONPATH": f"{where}{os.pathsep}{ROOT}"}
    command = [sys.executable, "-m", "benchmarks", "--package", "fakebench"]
    completed = subprocess.run(
        [*command, "--output", str(output), *options],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    results = json.loads(output.read_text()) if output.exists() else []
    return completed, results


def test_runs_every_module_apart_and_writes_the_results(fake_package: Path) -> None:
    completed, results = run_runner(fake_package)

    assert completed.returncode == 1  # bench_c_broken returned a malformed result
    assert "bench_c_broken" in completed.stderr
    assert [r["name"] for r in results] == ["tiny", "tiny_slow", "saw_other_module"]
    assert all(list(r) == list(RESULT_KEYS) for r in results)
    tiny, slow, isolated = results
    assert tiny == {
        "name": "tiny",
        "value": 0.5,
        "unit": "s",
        "baseline": 0.25,
        "ratio": 2.0,
        "target": 1.0,
    }
    assert slow["baseline"] is None and slow["ratio"] is None
    assert isolated["value"] == 0.0  # the previous module's state did not leak
    table = completed.stdout.splitlines()
    header = next(line for line in table if line.startswith("name"))
    assert header.split() == ["name", "value", "unit", "baseline", "ratio", "target", "verdict"]
    assert next(line for line in table if line.startswith("tiny ")).split()[-1] == "ok"
    assert next(line for line in table if line.startswith("tiny_slow")).split()[-1] == "MISSED"


def test_only_runs_the_named_module(fake_package: Path) -> None:
    completed, results = run_runner(fake_package, "--only", "a_tiny")

    assert completed.returncode == 0, completed.stderr
    assert [r["name"] for r in results] == ["tiny", "tiny_slow"]


def test_an_unknown_name_lists_the_benchmarks(fake_package: Path) -> None:
    completed, _ = run_runner(fake_package, "--only", "nope")

    assert completed.returncode == 2
    assert "a_tiny, b_isolated, c_broken" in completed.stderr


def test_the_project_benchmarks_are_discovered() -> None:
    from benchmarks.__main__ import discover

    assert "benchmarks.bench_demo" in discover("benchmarks")


def test_result_ratio_is_value_over_baseline() -> None:
    assert result("x", 3.0, "s", 1.5, 10)["ratio"] == 2.0
    assert result("x", 3.0, "s")["ratio"] is None


def test_timed_picks_the_best_run_and_leaves_setup_out(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [0.0]
    durations = iter([5.0, 2.0, 3.0])
    monkeypatch.setattr(common.time, "perf_counter", lambda: clock[0])

    def setup() -> None:
        clock[0] += 100.0

    def work() -> None:
        clock[0] += next(durations)

    assert timed(work, setup=setup) == 2.0


def test_peak_rss_of_a_command_and_of_a_callable() -> None:
    allocate = f"data = b'x' * {64 * MIB}"
    assert peak_rss_of_child([sys.executable, "-c", allocate]) >= 64 * MIB
    assert peak_rss_of_child(lambda: bytearray(b"x" * (96 * MIB))) >= 96 * MIB


def test_peak_rss_reports_a_failing_child() -> None:
    with pytest.raises(RuntimeError):
        peak_rss_of_child([sys.executable, "-c", "raise SystemExit(3)"])


def test_the_cycle_benchmark_runs_at_a_tiny_size(tmp_path: Path) -> None:
    """Every step of bench_cycle (run, re-run, late data, finalize, their baselines) on a few
    dozen streamers, through the runner: the figures' names, units and targets, never times."""
    output = tmp_path / "results.json"
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--only", "cycle", "--output", str(output)],
        cwd=ROOT,
        env={**os.environ, "HRAPP_BENCH_SIZE": "tiny"},
        capture_output=True,
        text=True,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    results = {r["name"]: r for r in json.loads(output.read_text())}
    assert list(results) == [
        "cycle_run_10k",
        "cycle_run_10k_ratio",
        "cycle_rerun_10k",
        "cycle_run_10k_late",
        "cycle_finalize_10k",
    ]
    assert {name: r["target"] for name, r in results.items()} == {
        "cycle_run_10k": 10.0,
        "cycle_run_10k_ratio": 3.0,
        "cycle_rerun_10k": None,
        "cycle_run_10k_late": None,
        "cycle_finalize_10k": 5.0,
    }
    for name, record in results.items():
        assert record["value"] > 0, name
        assert record["unit"] == ("x" if name.endswith("_ratio") else "s")
        if record["unit"] == "s":
            assert record["baseline"] > 0 and record["ratio"] > 0, name
    assert "cycle_finalize_10k" in completed.stdout  # printed in the table with its verdict
