"""Many sheets at once: a whole cycle, or the rows the review's filters select, as one ZIP of
single PDFs or one merged PDF (a bookmark per streamer).

This process reads the database and builds the view models (a few queries per chunk of
sheets, see `hrapp.appraisals.sheet_facts`); a pool of worker processes turns them into HTML
and PDF, each with the per-sheet time limit of `render_pdf`. The workers are fresh interpreters
(`spawn`) with a Flask application of their own for the templates and translations; they never
touch the database, so the pool works whatever the database is (an in-memory one included).

The background job (`hrapp.reports.jobs`) and `hrapp sheets` both call `write_bundle`.
"""

from __future__ import annotations

import gc
import io
import os
import zipfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from flask_babel import force_locale
from pypdf import PdfReader, PdfWriter
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from hrapp.appraisals.models import Appraisal, AppraisalCycle
from hrapp.appraisals.review import ReviewFilter, review_query
from hrapp.appraisals.sheet import appraisal_sheet
from hrapp.appraisals.sheet_facts import sheet_facts
from hrapp.core.db import utcnow
from hrapp.core.messages import message
from hrapp.core.progress import ProgressFn
from hrapp.extensions import db
from hrapp.reports.pdf import RenderTimeout, worker_context
from hrapp.reports.sheets import LOCALES, sheet_document, sheet_filename, too_slow
from hrapp.streamers.models import Streamer

FORMATS = ("zip", "pdf")
MIME_TYPES = {"zip": "application/zip", "pdf": "application/pdf"}
CHUNK = 10  # sheets per task: big enough to amortise a task, small enough for smooth progress
# and for the workers to finish together (the last chunk of one is seconds, not ten)
# What a worker's application needs from this one (the rest is the configuration's default).
SHARED_CONFIG = (
    "ORG_NAME",
    "ORG_TIMEZONE",
    "ORG_CURRENCY",
    "BABEL_DEFAULT_LOCALE",
    "BABEL_DEFAULT_TIMEZONE",
    "SHEET_RENDER_TIMEOUT",
)


@dataclass(frozen=True)
class Bundle:
    """What `write_bundle` wrote: the file, its format, and how many sheets it holds."""

    path: Path
    file_format: str
    count: int


def chosen_appraisals(cycle: AppraisalCycle, wanted: ReviewFilter | None = None) -> list[int]:
    """The ids of the cycle's appraisals the filter selects (all without one), in employee
    number order."""
    query = review_query(cycle.id, wanted or ReviewFilter()).order_by(Streamer.employee_no)
    return [appraisal.id for appraisal in db.session.scalars(query)]


def _load(ids: Sequence[int]) -> list[Appraisal]:
    found = db.session.scalars(
        select(Appraisal)
        .where(Appraisal.id.in_(list(ids)))
        .options(
            joinedload(Appraisal.streamer),
            joinedload(Appraisal.scheme_version),
            selectinload(Appraisal.adjustments),
        )
    ).all()
    order = {appraisal_id: index for index, appraisal_id in enumerate(ids)}
    return sorted(found, key=lambda a: order[a.id])


def view_models(cycle: AppraisalCycle, ids: Sequence[int], lang: str) -> list[dict[str, Any]]:
    """The view models of these appraisals (the cycle's), in the sheet's language."""
    appraisals = _load(ids)
    facts = sheet_facts(cycle, appraisals)
    with force_locale(LOCALES[lang]):
        return [appraisal_sheet(a, facts[a.streamer_id]) for a in appraisals]


def _chunks(ids: Sequence[int], size: int = CHUNK) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


# --- worker processes -------------------------------------------------------------------------

_worker_app: Flask | None = None


def _start_worker(
    create_app: Callable[..., Flask], config_name: str, overrides: dict[str, Any]
) -> None:
    """A worker's own application: templates, filters and translations, no database use.

    The factory is handed over by the application that starts the pool (it is pickled by
    name), because this module is part of what the factory builds."""
    global _worker_app
    _worker_app = create_app(config_name, **overrides)
    # The application's objects live as long as the worker: out of the collector's way, so
    # that its full collections walk only what the renderings leave.
    gc.freeze()


Rendered = tuple[str, str, bytes | None, float | None]


def render_chunk(sheets: list[dict[str, Any]], lang: str, generated_at: Any) -> list[Rendered]:
    """(employee number, file name, PDF, None) per sheet, or (…, None, seconds) for a sheet
    stopped at the time limit."""
    assert _worker_app is not None, "the pool's initializer makes the application"
    results: list[Rendered] = []
    with _worker_app.app_context():
        timeout = float(_worker_app.config.get("SHEET_RENDER_TIMEOUT", 30))
        for sheet in sheets:
            employee_no, name = sheet["streamer"]["employee_no"], sheet_filename(sheet)
            document = sheet_document(sheet, lang, generated_at)
            try:
                results.append((employee_no, name, document.pdf(timeout), None))
            except RenderTimeout as exc:
                results.append((employee_no, name, None, exc.seconds))
    return results


def worker_count() -> int:
    configured = current_app.config.get("SHEET_WORKERS")
    return max(1, int(configured or os.cpu_count() or 1))


def _pool(workers: int) -> ProcessPoolExecutor:
    config_name = os.environ.get("HRAPP_CONFIG", "development")
    if current_app.testing:
        config_name = "testing"
    overrides = {key: current_app.config[key] for key in SHARED_CONFIG if key in current_app.config}
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=worker_context(),
        initializer=_start_worker,
        initargs=(current_app.extensions["hrapp.create_app"], config_name, overrides),
    )


def end_read() -> None:
    """End the read-only transaction of a chunk's view models. Outside a GET request SQLite
    transactions take the write lock up front (`hrapp.core.sqlite`): held for the minutes a
    cycle's rendering takes, it would make every other writer wait and fail. Nothing is
    pending here (this module only reads), so the commit writes nothing."""
    db.session.commit()


def render_all(
    cycle: AppraisalCycle,
    ids: Sequence[int],
    lang: str,
    progress: ProgressFn,
    workers: int | None = None,
) -> Iterator[tuple[int, str, bytes]]:
    """(position in `ids`, file name, PDF) of every sheet as the pool finishes them (not in
    order). At most two chunks per worker are in flight, so memory stays flat for any cycle.
    A sheet stopped at its time limit stops the whole run: SheetTooSlow names it. The caller
    must have nothing pending in the session: the transaction is ended after each chunk read
    (`end_read`)."""
    total = len(ids)
    generated_at = utcnow()
    workers = workers or worker_count()
    chunks = iter(enumerate(_chunks(ids)))
    done = 0
    progress(0, total, message("Rendering %(n)d appraisal sheets", n=total))
    with _pool(workers) as pool:
        pending: dict[Future[list[Rendered]], int] = {}

        def submit_next() -> None:
            for index, chunk in chunks:
                sheets = view_models(cycle, chunk, lang)
                end_read()
                pending[pool.submit(render_chunk, sheets, lang, generated_at)] = index * CHUNK
                return

        for _ in range(workers * 2):
            submit_next()
        while pending:
            finished, _still = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                first = pending.pop(future)
                results = future.result()
                for offset, (employee_no, name, pdf, seconds) in enumerate(results):
                    if pdf is None:
                        pool.shutdown(wait=False, cancel_futures=True)
                        raise too_slow(employee_no, seconds or 0)
                    yield first + offset, name, pdf
                done += len(results)
                progress(done, total, message("Rendering %(n)d appraisal sheets", n=total))
                submit_next()


# --- the files --------------------------------------------------------------------------------


def write_bundle(
    cycle: AppraisalCycle,
    ids: Sequence[int],
    file_format: str,
    lang: str,
    path: Path,
    progress: ProgressFn,
    workers: int | None = None,
) -> Bundle:
    """Render the sheets of `ids` into `path`: a ZIP of single PDFs, or one merged PDF in
    employee number order with a bookmark per sheet. Written to a temporary name first, so
    that a failed run leaves no half file behind."""
    if file_format not in FORMATS:
        raise ValueError(f"unknown bundle format {file_format!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    try:
        sheets = render_all(cycle, ids, lang, progress, workers)
        if file_format == "zip":
            count = _write_zip(sheets, partial)
        else:
            count = _write_merged(sheets, partial)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return Bundle(path, file_format, count)


def _write_zip(sheets: Iterator[tuple[int, str, bytes]], path: Path) -> int:
    """PDFs are compressed already: stored, not deflated again. Names are UTF-8."""
    rendered = {}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for position, name, pdf in sheets:
            archive.writestr(name, pdf)
            rendered[position] = name
    return len(rendered)


def _write_merged(sheets: Iterator[tuple[int, str, bytes]], path: Path) -> int:
    """The sheets arrive in any order; the merged file is in the order asked for."""
    rendered = {position: (name, pdf) for position, name, pdf in sheets}
    count = len(rendered)
    writer = PdfWriter()
    for position in sorted(rendered):
        name, pdf = rendered.pop(position)
        writer.append(PdfReader(io.BytesIO(pdf)), outline_item=name.removesuffix(".pdf"))
    with path.open("wb") as out:
        writer.write(out)
    return count
