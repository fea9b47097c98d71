"""Running one project benchmark through the runner at a tiny size, as `make bench` would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_tiny(
    name: str, tmp_path: Path, env: Mapping[str, str] = os.environ, timeout: float | None = None
) -> list[dict]:
    """The records benchmark `name` reports at HRAPP_BENCH_SIZE=tiny; the runner must succeed."""
    output = tmp_path / f"{name}.json"
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--only", name, "--output", str(output)],
        cwd=ROOT,
        env={**env, "HRAPP_BENCH_SIZE": "tiny"},
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    assert completed.returncode == 0, completed.stderr
    return list(json.loads(output.read_text()))
