"""bench_import at a tiny size, through the runner: the plain import, its baseline and the
mapped import (a layout no profile knows, read with a mapping document) all run, and the
figures have their names, units, baselines and targets — never their times."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.bench_import import MAPPED_LAYOUT, generate_csv, mapping_document
from hrapp.intake.mappings import read_mapping
from hrapp.live_sessions.parsing import ImportFileError, parse_export
from tests.benchmarks.helpers import run_tiny

GIB = 2**30


def test_the_import_benchmark_runs_at_a_tiny_size(tmp_path: Path) -> None:
    results = {r["name"]: r for r in run_tiny("import", tmp_path, timeout=600)}

    assert {name: (r["unit"], r["target"]) for name, r in results.items()} == {
        "import_2000_csv": ("s", 30.0),
        "import_2000_csv_ratio": ("x", 3.0),
        "import_2000_csv_peak_rss": ("B", 1.5 * GIB),
        "import_2000_csv_mapped": ("s", None),
        "import_2000_csv_mapped_ratio": ("x", 1.10),
        "import_2000_csv_mapped_peak_rss": ("B", 1.5 * GIB),
    }
    plain, mapped = results["import_2000_csv"], results["import_2000_csv_mapped"]
    assert mapped["baseline"] == plain["value"] > 0  # the plain import of the same run
    assert results["import_2000_csv_mapped_ratio"]["value"] == pytest.approx(mapped["ratio"])
    assert (
        results["import_2000_csv_mapped_peak_rss"]["baseline"]
        == (results["import_2000_csv_peak_rss"]["value"])
    )


def test_the_mapped_file_is_the_same_rows_under_headers_no_profile_knows(tmp_path: Path) -> None:
    plain, mapped = tmp_path / "plain.csv", tmp_path / "mapped.csv"
    generate_csv(plain, 30)
    generate_csv(mapped, 30, mapped=True)
    plain_lines = plain.read_text(encoding="utf-8-sig").splitlines()
    mapped_lines = mapped.read_text(encoding="utf-8-sig").splitlines()

    assert mapped_lines[0].split(",") == [new for new, _field in MAPPED_LAYOUT.values()]
    assert mapped_lines[1:] == plain_lines[1:]
    with pytest.raises(ImportFileError):
        parse_export(mapped.read_bytes(), mapped.name, org_timezone="Asia/Shanghai")
    mapping = read_mapping(mapping_document())
    fed = {field for _header, field in MAPPED_LAYOUT.values() if field}
    assert set(mapping.fields) == fed
