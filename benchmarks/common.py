"""Helpers every benchmark uses: timing, a child process's peak memory, the result record."""

from __future__ import annotations

import os
import subprocess
import time
import traceback
from collections.abc import Callable, Sequence
from typing import Any

RESULT_KEYS = ("name", "value", "unit", "baseline", "ratio", "target")


def timed(
    fn: Callable[[], object],
    *,
    repeat: int = 3,
    setup: Callable[[], object] | None = None,
    pick: Callable[[list[float]], float] = min,
) -> float:
    """Seconds `fn()` takes: the best of `repeat` runs (`pick=statistics.median` for the median).

    `setup()`, when given, runs untimed before each run (a fresh database, say).
    """
    times = []
    for _ in range(repeat):
        if setup is not None:
            setup()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return pick(times)


def peak_rss_of_child(target: Callable[[], object] | Sequence[str]) -> int:
    """Peak resident memory in bytes of a child process running `target`.

    `target` is a command line (run as it is) or a callable run in a forked copy of this
    process — whose figure then includes the pages it inherited, so measure big work with a
    command line. Raises RuntimeError when the child fails.
    """
    if callable(target):
        pid = os.fork()
        if pid == 0:  # the child: run, and leave without running the parent's exit handlers
            try:
                target()
            except BaseException:
                traceback.print_exc()
                os._exit(1)
            os._exit(0)
        _, status, usage = os.wait4(pid, 0)
    else:
        process = subprocess.Popen(list(target))
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"the measured child failed with status {status}")
    return int(usage.ru_maxrss) * 1024  # Linux reports kibibytes


def result(
    name: str,
    value: float,
    unit: str,
    baseline: float | None = None,
    target: float | None = None,
) -> dict[str, Any]:
    """One figure: `value` in `unit`, the same-run `baseline`, and the `target` it must not pass.

    `ratio` is value ÷ baseline (None without a baseline).
    """
    ratio = value / baseline if baseline else None
    return {
        "name": name,
        "value": value,
        "unit": unit,
        "baseline": baseline,
        "ratio": ratio,
        "target": target,
    }


def print_records(records: Sequence[dict[str, Any]]) -> None:
    """The records a line each, for a module run by hand (`python -m benchmarks.bench_…`)."""
    for record in records:
        ratio = f"{record['ratio']:.2f}" if record["ratio"] is not None else "-"
        print(
            f"{record['name']}: {record['value']:,.2f} {record['unit']} "
            f"(baseline {record['baseline']}, ratio {ratio}, target {record['target']})"
        )
