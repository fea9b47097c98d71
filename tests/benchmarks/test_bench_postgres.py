"""The PostgreSQL benchmarks (import_1m_csv_pg, cycle_run_10k_pg) run through the runner at a
tiny size on the throwaway cluster, and report nothing without one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.benchmarks.helpers import run_tiny

ON_POSTGRES = bool(os.environ.get("TEST_DATABASE_URL"))
EXPECTED = {
    "import_pg": {"import_2000_csv_pg": 20.0, "import_2000_csv_pg_ratio": 3.0},
    "cycle_pg": {"cycle_run_10k_pg": 10.0, "cycle_run_10k_pg_ratio": 2.0},
}


@pytest.mark.skipif(not ON_POSTGRES, reason="needs TEST_DATABASE_URL (scripts/with-postgres.sh)")
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_postgres_benchmark_runs_at_a_tiny_size(name: str, tmp_path: Path) -> None:
    results = run_tiny(name, tmp_path)
    assert {r["name"]: r["target"] for r in results} == EXPECTED[name]
    assert all(float(str(r["value"])) > 0 for r in results)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_without_a_cluster_the_postgres_benchmark_reports_nothing(
    name: str, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    assert run_tiny(name, tmp_path, env) == []
