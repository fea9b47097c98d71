"""Run the benchmarks, each module in a process of its own, print a table, write the results.

    python -m benchmarks [--only NAME] [--output bench-results.json]

A module of its own process keeps one benchmark's imports, caches and peak memory out of the
next one's figures. The results file is a list of
``{"name", "value", "unit", "baseline", "ratio", "target"}``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import pkgutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import RESULT_KEYS

PREFIX = "bench_"
COLUMNS = ("name", "value", "unit", "baseline", "ratio", "target", "verdict")


class BenchmarkFailed(RuntimeError):
    pass


def discover(package: str) -> list[str]:
    """The dotted names of the package's `bench_*` modules, in name order."""
    path = importlib.import_module(package).__path__
    names = (m.name for m in pkgutil.iter_modules(path) if m.name.startswith(PREFIX))
    return [f"{package}.{name}" for name in sorted(names)]


def short_name(module: str) -> str:
    return module.rpartition(".")[2].removeprefix(PREFIX)


def checked(results: Any, module: str) -> list[dict[str, Any]]:
    """`results` when it is a list of result records; BenchmarkFailed saying what is wrong."""
    if not isinstance(results, list):
        raise BenchmarkFailed(f"{module}.run() returned {type(results).__name__}, not a list")
    for item in results:
        if not isinstance(item, dict) or set(item) != set(RESULT_KEYS):
            raise BenchmarkFailed(
                f"{module}.run() returned {item!r}; make each result with common.result()"
            )
    return results


def run_here(module: str, output: Path) -> None:
    """In the child: run one module and write its results as JSON."""
    results = checked(importlib.import_module(module).run(), module)
    output.write_text(json.dumps(results), encoding="utf-8")


def run_in_child(module: str) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="hrapp-bench-") as folder:
        output = Path(folder) / "results.json"
        command = [sys.executable, "-m", "benchmarks", "--child", module, "--output", str(output)]
        completed = subprocess.run(command, check=False)
        if completed.returncode != 0:
            raise BenchmarkFailed(f"{module} failed (exit status {completed.returncode})")
        return checked(json.loads(output.read_text(encoding="utf-8")), module)


def verdict(record: dict[str, Any]) -> str:
    """Targets are upper bounds (seconds, bytes, ratios): at or under the target is ok."""
    if record["target"] is None:
        return "-"
    return "ok" if record["value"] <= record["target"] else "MISSED"


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    if math.isfinite(value) and abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def format_table(results: list[dict[str, Any]]) -> str:
    rows = [
        [
            r["name"],
            _number(r["value"]),
            r["unit"],
            _number(r["baseline"]),
            _number(r["ratio"]),
            _number(r["target"]),
            verdict(r),
        ]
        for r in results
    ]
    widths = [
        max(len(str(cell)) for cell in column) for column in zip(COLUMNS, *rows, strict=False)
    ]
    lines = [[*COLUMNS], ["-" * w for w in widths], *rows]
    return "\n".join(
        "  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--only", metavar="NAME", help="run one benchmark module, e.g. demo")
    parser.add_argument("--output", type=Path, default=Path("bench-results.json"))
    parser.add_argument(
        "--package", default="benchmarks", help="where to find bench_*.py (default: benchmarks)"
    )
    parser.add_argument("--child", metavar="MODULE", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    if args.child:
        run_here(args.child, args.output)
        return 0
    modules = discover(args.package)
    if args.only:
        modules = [m for m in modules if args.only in (short_name(m), m.rpartition(".")[2], m)]
        if not modules:
            known = ", ".join(short_name(m) for m in discover(args.package)) or "none"
            print(f"no benchmark named {args.only!r}; there are: {known}", file=sys.stderr)
            return 2
    results: list[dict[str, Any]] = []
    failures: list[str] = []
    for module in modules:
        print(f"running {short_name(module)} …", flush=True)
        start = time.perf_counter()
        try:
            results += run_in_child(module)
        except BenchmarkFailed as exc:
            failures.append(str(exc))
            continue
        print(f"  done in {time.perf_counter() - start:.1f} s", flush=True)
    print()
    print(format_table(results))
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nresults written to {args.output}")
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
