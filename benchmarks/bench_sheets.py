"""Appraisal sheets (考核表): one sheet warm, and a 1,000-streamer finalized cycle to a ZIP.

The data is the demo agency scaled to 1,000 streamers (`hrapp demo load --streamers 1000`): a
year of sessions each; the quarter the demo leaves open (every streamer appraised) is run and
finalized as HR would (`hrapp cycle run`, `hrapp cycle finalize`), and its 1,000 sheets are the
ones printed (not timed: the load).

sheet_render: the median of 20 warm renders of one streamer's sheet as a download makes it —
    the view model from the database, the HTML, the PDF (`hrapp.reports.sheets.appraisal_pdf`,
    two A4 pages with the weekly chart). Baseline: WeasyPrint rendering a fixed reference page
    of the same size (two A4 pages of Chinese text and tables) with the same fonts and the
    same shared font configuration, median of 20, measured in the same run.
    Targets (quality.md): 0.3 s, and sheet_render_ratio ≤ 2.
bulk_1000_sheets: `write_bundle` of the whole cycle (1,000 sheets) to a ZIP, as the print job
    does it: view models read in chunks here, rendered by a pool of worker processes (one per
    CPU: two on this machine), pool start-up included. Target: 120 s.
bulk_1000_sheets_peak_rss: the most memory this process and its workers held together during
    that run (resident set sizes read from /proc every 0.1 s and added up). Target 1.5 GiB.
bulk_1000_sheets_cpu: the processor time that run used, this process and its workers together
    (no target): on a machine shared with other work the wall time grows with the load, this
    does not, and divided by the number of workers it is what the run takes on idle cores.

`HRAPP_BENCH_SIZE=tiny` runs the same steps on a small agency with 3 renders (the figures then
mean nothing).

    python -m benchmarks --only sheets
"""

from __future__ import annotations

import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.common import result, timed

SIZE_VARIABLE = "HRAPP_BENCH_SIZE"
ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-sheets-2026"  # noqa: S105 - for a throwaway database
RENDER_TARGET_S, RENDER_TARGET_RATIO = 0.3, 2.0
BULK_TARGET_S = 120.0
BULK_TARGET_RSS = 1.5 * 2**30
SAMPLE_EVERY_S = 0.1


@dataclass(frozen=True)
class Size:
    streamers: int
    renders: int


FULL = Size(streamers=1_000, renders=20)
TINY = Size(streamers=12, renders=3)


def size() -> Size:
    return TINY if os.environ.get(SIZE_VARIABLE) == "tiny" else FULL


def _environment(folder: Path) -> dict[str, str]:
    return {
        **os.environ,
        "HRAPP_CONFIG": "development",
        "HRAPP_INSTANCE": str(folder),
        "DATABASE_URL": f"sqlite:///{folder / 'sheets.sqlite'}",
        "HUEY_SQLITE_PATH": str(folder / "jobs.sqlite"),
        "SHEETS_DIR": str(folder / "sheets"),
    }


def load_agency(env: dict[str, str], streamers: int) -> str:
    """A fresh database with the demo agency of `streamers` streamers, its open quarter run
    and finalized (not timed); that quarter's code."""
    _hrapp(env, "db", "upgrade")
    _hrapp(env, "demo", "load", "--password", PASSWORD, "--streamers", str(streamers))
    code = _open_quarter(env)
    _hrapp(env, "cycle", "run", code)
    _hrapp(env, "cycle", "finalize", code)
    return code


def _open_quarter(env: dict[str, str]) -> str:
    """The quarter `hrapp demo load` left open for HR to review."""
    path = env["DATABASE_URL"].removeprefix("sqlite:///")
    conn = sqlite3.connect(path)
    try:
        (code,) = conn.execute(
            "SELECT code FROM appraisal_cycles WHERE status = 'open' ORDER BY starts_on DESC"
        ).fetchone()
    finally:
        conn.close()
    return str(code)


def _hrapp(env: dict[str, str], *args: str) -> None:
    hrapp = str(ROOT / ".venv" / "bin" / "hrapp")
    command = hrapp if Path(hrapp).exists() else "hrapp"
    done = subprocess.run(
        [command, *args], env=env, cwd=ROOT, check=False, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"hrapp {' '.join(args)} failed:\n{done.stderr[-2000:]}")


# --- the reference page -----------------------------------------------------------------------

REFERENCE_ROW = (
    "<tr><td>净GMV（按主播分成）</td><td class=n>50.0</td><td>本季度内开播场次的成交金额减去退款"
    "</td><td class=n>¥1,500,000.00</td><td class=n>¥1,234,567.89</td><td class=n>82.3%</td>"
    "<td class=n>41.15</td></tr>"
)
REFERENCE_PARAGRAPH = (
    "<p>主播考核表记录本季度的直播数据、考核得分、提成明细与晋升条件。每项指标按目标值计算达成率，"
    "得分保留两位小数，总分为各项得分之和；提成按分段累计计算，乘以等级系数后四舍五入到分。"
    "Appraisal sheet: figures, score, commission statement and promotion checklist.</p>"
)


def reference_page() -> str:
    """Two A4 pages of Chinese text and tables, in the sheet's fonts (its own font of common
    characters, `hrapp.reports.fonts`, then Noto Sans CJK SC): what WeasyPrint costs for a page
    of this size, without anything of the application."""
    tables = "".join(
        f"<h2>第 {n} 部分</h2><table>{REFERENCE_ROW * 12}</table>{REFERENCE_PARAGRAPH * 2}"
        for n in range(1, 5)
    )
    return (
        '<html><head><style>@font-face { font-family: "Sheet Sans SC";'
        " src: url(/fonts/sheet-sans-sc.otf) } @page { size: A4; margin: 14mm }"
        ' html { font-family: "Sheet Sans SC", "Noto Sans CJK SC", "DejaVu Sans", sans-serif;'
        " font-size: 8.5pt }"
        " table { width: 100%; border-collapse: collapse } td { border: 0.5pt solid #999;"
        " padding: 1.5pt 3pt } .n { text-align: right } h2 { font-size: 10pt }"
        f"</style></head><body><h1>考核表</h1>{tables}</body></html>"
    )


# --- memory of a process and its workers ------------------------------------------------------


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/task/{current}/children", encoding="ascii") as children:
                kids = [int(kid) for kid in children.read().split()]
        except OSError:
            kids = []
        found.extend(kids)
        todo.extend(kids)
    return found


class PeakMemory:
    """The largest sum of resident memory of this process and its descendants while open."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            total = sum(_rss(pid) for pid in [me, *_descendants(me)])
            self.peak = max(self.peak, total)
            self._stop.wait(SAMPLE_EVERY_S)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _cpu_seconds() -> float:
    """User and system time of this process and of its children that have ended."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


# --- the measurements -------------------------------------------------------------------------


def measure(size: Size) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="hrapp-bench-sheets-") as name:
        folder = Path(name)
        env = _environment(folder)
        code = load_agency(env, size.streamers)
        os.environ.update(env)  # the application below and its workers read the same database

        from sqlalchemy import select
        from weasyprint import HTML

        from hrapp import create_app
        from hrapp.appraisals.models import Appraisal, AppraisalCycle
        from hrapp.extensions import db
        from hrapp.reports.bulk import chosen_appraisals, write_bundle
        from hrapp.reports.pdf import BASE_URL, LockedURLFetcher, font_config
        from hrapp.reports.sheets import appraisal_pdf

        app = create_app("development")
        with app.app_context():
            cycle = db.session.scalars(
                select(AppraisalCycle).where(
                    AppraisalCycle.code == code, AppraisalCycle.status == "finalized"
                )
            ).one()
            ids = chosen_appraisals(cycle)
            if not ids:
                raise RuntimeError(f"{cycle.code} has no appraisals")
            print(f"  {cycle.code}: {len(ids)} sheets", file=sys.stderr)

            def one_sheet() -> None:
                appraisal = db.session.get(Appraisal, ids[0])
                assert appraisal is not None
                appraisal_pdf(appraisal)
                db.session.expire_all()  # read from the database every time, as a download

            reference = reference_page()

            def reference_render() -> None:
                HTML(string=reference, base_url=BASE_URL, url_fetcher=LockedURLFetcher()).write_pdf(
                    font_config=font_config()
                )

            one_sheet()  # warm: fonts, templates, caches
            reference_render()
            median = statistics.median
            render = timed(one_sheet, repeat=size.renders, pick=median)
            baseline = timed(reference_render, repeat=size.renders, pick=median)

            target = folder / "sheets" / "bulk.zip"
            cpu_before = _cpu_seconds()
            with PeakMemory() as memory:
                started = time.perf_counter()
                bundle = write_bundle(cycle, ids, "zip", "zh", target, lambda *_: None)
                bulk = time.perf_counter() - started
            cpu = _cpu_seconds() - cpu_before  # the pool's workers were waited for: counted
            with zipfile.ZipFile(target) as archive:
                if len(archive.namelist()) != len(ids) or bundle.count != len(ids):
                    raise RuntimeError("the ZIP does not hold one sheet per appraisal")
    return [
        result("sheet_render", render, "s", baseline, RENDER_TARGET_S),
        result("sheet_render_ratio", render / baseline, "x", None, RENDER_TARGET_RATIO),
        result("bulk_1000_sheets", bulk, "s", None, BULK_TARGET_S),
        result("bulk_1000_sheets_peak_rss", float(memory.peak), "B", None, BULK_TARGET_RSS),
        result("bulk_1000_sheets_cpu", cpu, "s"),
    ]


def run() -> list[dict[str, Any]]:
    return measure(size())


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
