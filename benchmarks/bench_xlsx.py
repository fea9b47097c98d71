"""import_200k_xlsx: `import_sessions` of a 200,000-row Douyin Compass workbook into SQLite.

The workbook holds the rows `bench_import` generates for its CSV (fixed seed; 2,000 accounts,
each mapped to its own streamer beforehand), laid out as the platform's export is: one sheet,
text as inline strings (times included, ``2026/09/07 08:55:37``), figures as numbers. It is
written with openpyxl's write-only mode, which takes about a minute (not timed).

Each measurement runs in a fresh interpreter and reports the best of two runs (a fresh SQLite
file for each import; openpyxl's baseline runs once); the import's peak resident memory is
measured too, for information. Figures:

- ``import_200k_xlsx``: the whole import, target ≤ 15 s; baseline ``pandas.read_excel(path,
  dtype=str)`` with openpyxl (pandas' default engine until 4.0) — reading alone, nothing
  checked or written.
- ``import_200k_xlsx_parse``: `parse_export` alone; baseline ``read_excel`` with
  ``engine="calamine"``, the raw speed of the library the parser reads with.

    python -m benchmarks --only xlsx
    python -m benchmarks.bench_xlsx [--rows N]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd

from benchmarks.bench_import import HEADERS, _prepare_database, generate_csv
from benchmarks.common import peak_rss_of_child, print_records, result, timed

ROWS = 200_000
TARGET_SECONDS = 15.0
REPEAT = 2  # best of two: the machines are shared


def generate_xlsx(path: Path, rows: int = ROWS) -> None:
    """The CSV benchmark's rows as a Douyin workbook: ids and times text, figures numbers."""
    csv_path = path.with_suffix(".csv")
    generate_csv(csv_path, rows)
    frame = pd.read_csv(csv_path, dtype={"主播抖音号": str}, keep_default_na=False)
    csv_path.unlink()
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Sheet1")
    sheet.append(HEADERS)
    for row in zip(*(frame[column].tolist() for column in HEADERS), strict=True):
        sheet.append(row)
    workbook.save(path)


def child_import(path: Path, database: Path) -> float:
    """Best of two imports, each into a fresh database."""
    from hrapp.extensions import db
    from hrapp.live_sessions.importer import import_sessions

    data = path.read_bytes()
    runs = itertools.count()
    apps = []

    def fresh_database() -> None:
        apps.append(_prepare_database(database.with_suffix(f".{next(runs)}.sqlite")))

    def run_import() -> None:
        with apps[-1].app_context():
            outcome = import_sessions(data, path.name)
            db.session.commit()
        if outcome.status != "imported" or outcome.inserted != outcome.total_rows:
            raise RuntimeError(f"import went wrong: {outcome.status}, {outcome.problems[:5]}")

    return timed(run_import, repeat=REPEAT, setup=fresh_database)


def child_parse(path: Path, _database: Path) -> float:
    from hrapp.live_sessions.parsing import parse_export

    data = path.read_bytes()

    def parse() -> None:
        parsed = parse_export(data, path.name)
        if parsed.has_errors or len(parsed.rows) != parsed.total_rows:
            raise RuntimeError(f"parse went wrong: {parsed.problems[:5]}")

    return timed(parse, repeat=REPEAT)


def child_read_excel(path: Path, _database: Path, engine: str = "openpyxl") -> float:
    # openpyxl takes well over a minute: once is enough to see the gap.
    repeat = 1 if engine == "openpyxl" else REPEAT
    return timed(lambda: pd.read_excel(path, dtype=str, engine=engine), repeat=repeat)


CHILDREN = {
    "import": child_import,
    "parse": child_parse,
    "read_excel": child_read_excel,
    "read_excel_calamine": lambda path, database: child_read_excel(path, database, "calamine"),
}


def _in_child(kind: str, path: Path, folder: Path) -> dict[str, Any]:
    """One measurement in a fresh interpreter: its seconds (from a file) and peak memory."""
    figures = folder / f"{kind}.json"
    command = [sys.executable, "-m", "benchmarks.bench_xlsx", "--child", kind]
    command += [str(path), str(folder / f"{kind}.sqlite"), str(figures)]
    rss = peak_rss_of_child(command)
    return {"seconds": json.loads(figures.read_text())["seconds"], "rss": rss}


def run(rows: int = ROWS) -> list[dict[str, Any]]:
    label = "import_200k_xlsx" if rows == ROWS else f"import_{rows}_xlsx"
    with tempfile.TemporaryDirectory(prefix="hrapp-bench-xlsx-") as name:
        folder = Path(name)
        os.environ["HRAPP_INSTANCE"] = str(folder)  # keep the job queue file out of instance/
        path = folder / "douyin_compass.xlsx"
        generate_xlsx(path, rows)
        figures = {kind: _in_child(kind, path, folder) for kind in CHILDREN}
    imported = figures["import"]
    return [
        result(label, imported["seconds"], "s", figures["read_excel"]["seconds"], TARGET_SECONDS),
        result(
            f"{label}_parse",
            figures["parse"]["seconds"],
            "s",
            figures["read_excel_calamine"]["seconds"],
        ),
        result(f"{label}_peak_rss", imported["rss"], "B"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark the XLSX session import.")
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--child", nargs=4, metavar=("KIND", "XLSX", "DATABASE", "FIGURES"))
    args = parser.parse_args()
    if args.child:
        kind, path, database, figures = args.child
        seconds = CHILDREN[kind](Path(path), Path(database))
        Path(figures).write_text(json.dumps({"seconds": seconds}))
        return
    print_records(run(args.rows))


if __name__ == "__main__":
    main()
