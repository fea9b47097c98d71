"""The one way this application makes a PDF: `render_pdf(html) -> bytes` (WeasyPrint).

What a rendering may read is locked down, because the HTML carries text people typed (names,
comments): the URL fetcher serves only the application's own static files (stylesheets,
images, fonts) and the images the caller made for this rendering (a chart), addressed under
`APP_ORIGIN`, and refuses everything else — `file://`, `data:`, any network address — before
anything is opened. It never speaks HTTP, so there is no redirect to follow. Fonts come from
the operating system through fontconfig; the one font with a URL, `APP_ORIGIN/fonts/` plus
`SHEET_FONT_FILE`, is made in this process from a system font (`hrapp.reports.fonts`).

Stylesheets named by the caller are parsed once per process and reused: parsing the same CSS
for every one of a thousand sheets is time a bulk print does not have.

A rendering has a time limit: a pathological text (a 100,000-character word, say) can make
WeasyPrint's line breaking run for minutes. On the main thread (gunicorn's workers, the CLI, a
pool's worker process) a timer signal stops it; elsewhere (a threaded server, a thread of the
job worker) the rendering runs in a child process that is killed when it overruns. Either way
the caller gets `RenderTimeout`.

This module needs no Flask application, so that worker processes can import it alone.
"""

from __future__ import annotations

import atexit
import mimetypes
import multiprocessing
import re
import signal
import threading
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from hrapp.core.collector import collection_paused
from hrapp.reports.fonts import SHEET_FONT_FILE, sheet_font

# Relative URLs in a sheet (`/static/css/sheet.css`) resolve against this origin; the `.invalid`
# top-level domain never resolves, and the fetcher answers it from disk without any network.
APP_ORIGIN = "https://hrapp.invalid"
BASE_URL = f"{APP_ORIGIN}/"
STATIC_ROOT = Path(__file__).resolve().parents[1] / "static"
STATIC_PREFIX = "/static/"
GENERATED_PREFIX = "/generated/"
SHEET_FONT_PATH = f"/fonts/{SHEET_FONT_FILE}"
SERVED_SUFFIXES = frozenset({".css", ".svg", ".png", ".jpg", ".woff", ".woff2", ".otf", ".ttf"})
DEFAULT_TIMEOUT_S = 30.0
# Extra time the parent gives a child process to report its own timeout before killing it.
CHILD_GRACE_S = 5.0


class RenderTimeout(Exception):
    """The rendering took longer than its limit and was stopped."""

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds

    def __str__(self) -> str:
        return f"PDF rendering stopped after {self.seconds:g} s"


class LockedURLFetcher(URLFetcher):
    """Serves `APP_ORIGIN/static/…` files from the application's static folder,
    `APP_ORIGIN/generated/NAME` from `generated` (what the caller made for this rendering)
    and the sheet's font, and refuses every other URL. `served` and `refused` record what was
    asked."""

    def __init__(self, generated: Mapping[str, bytes] | None = None) -> None:
        super().__init__(allowed_protocols=("https",), allow_redirects=False)
        self.generated = dict(generated or {})
        self.served: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        name = generated_name(url)
        if name is not None and name in self.generated:
            body, type_name = self.generated[name], name
        elif (path := static_path(url)) is not None:
            body, type_name = path.read_bytes(), path.name
        elif _app_path(url) == SHEET_FONT_PATH and (font := sheet_font()) is not None:
            body, type_name = font, SHEET_FONT_FILE
        else:
            self.refused.append(url)
            # Not fatal: WeasyPrint logs it and renders the rest without the resource.
            raise PermissionError(f"not an application static file: {url[:200]}")
        self.served.append(url)
        content_type = mimetypes.guess_type(type_name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})


def _app_path(url: str) -> str | None:
    """The path of an `APP_ORIGIN` URL with nothing else in it (no port, credentials or
    query); None for any other URL."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    origin_ok = (
        parts.scheme == "https"
        and parts.hostname == "hrapp.invalid"
        and port is None
        and parts.username is None
        and not parts.query
    )
    return parts.path if origin_ok else None


def generated_name(url: str) -> str | None:
    """NAME of an `APP_ORIGIN/generated/NAME` URL (one plain file name), else None."""
    path = _app_path(url)
    if path is None or not path.startswith(GENERATED_PREFIX):
        return None
    name = path[len(GENERATED_PREFIX) :]
    return name if re.fullmatch(r"[A-Za-z0-9_-]+\.[a-z]+", name) else None


def static_path(url: str) -> Path | None:
    """The file an `APP_ORIGIN/static/…` URL names, when it is one of the application's own
    static files of a served type; None for anything else (other schemes, hosts, ports,
    credentials, queries, paths leaving the static folder)."""
    path_part = _app_path(url)
    if path_part is None or not path_part.startswith(STATIC_PREFIX):
        return None
    relative = unquote(path_part[len(STATIC_PREFIX) :])
    if "\\" in relative or "\x00" in relative:
        return None
    root = STATIC_ROOT.resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root) or path.suffix.lower() not in SERVED_SUFFIXES:
        return None
    return path if path.is_file() else None


_font_config: FontConfiguration | None = None


def font_config() -> FontConfiguration:
    """One font configuration per process: building it costs more than a whole sheet."""
    global _font_config
    if _font_config is None:
        _font_config = FontConfiguration()
    return _font_config


def render_pdf(
    html: str,
    *,
    timeout: float | None = DEFAULT_TIMEOUT_S,
    stylesheets: Sequence[str] = (),
    generated: Mapping[str, bytes] | None = None,
    fetcher: LockedURLFetcher | None = None,
) -> bytes:
    """The PDF of `html` (relative URLs resolve against `BASE_URL`), within `timeout` seconds
    (None: no limit). `stylesheets`: static files (`css/sheet.css`) applied as if linked;
    `generated`: files the HTML links as `/generated/NAME`. RenderTimeout at the limit."""
    job = _Job(html, tuple(stylesheets), dict(generated or {}))
    if timeout is None or _can_use_timer():
        with _time_limit(timeout):
            return _render(job, fetcher or LockedURLFetcher(job.generated))
    if fetcher is not None:
        raise ValueError("a fetcher to inspect needs rendering on the main thread")
    return _render_in_child(job, timeout)


@dataclass(frozen=True)
class _Job:
    html: str
    stylesheets: tuple[str, ...]
    generated: dict[str, bytes]


_stylesheets: dict[str, CSS] = {}


def stylesheet(name: str) -> CSS:
    """A static stylesheet, parsed once per process (through the locked fetcher)."""
    if name not in _stylesheets:
        url = f"{APP_ORIGIN}{STATIC_PREFIX}{name}"
        path = static_path(url)
        if path is None:
            raise ValueError(f"no static stylesheet {name!r}")
        _stylesheets[name] = CSS(
            string=path.read_text("utf-8"),
            base_url=url,
            url_fetcher=LockedURLFetcher(),
            font_config=font_config(),
        )
    return _stylesheets[name]


def _render(job: _Job, fetcher: LockedURLFetcher) -> bytes:
    # WeasyPrint allocates enough objects for dozens of collections per sheet, the older
    # ones walking every object of the application too: a fifth of a sheet's time. What one
    # rendering leaves is all young, so one collection of the youngest after it frees it.
    with collection_paused(collect_young_after=True):
        document = HTML(string=job.html, base_url=BASE_URL, url_fetcher=fetcher)
        pdf = document.write_pdf(
            stylesheets=[stylesheet(name) for name in job.stylesheets], font_config=font_config()
        )
    assert pdf is not None
    return pdf


# --- time limit -------------------------------------------------------------------------------


class _Expired(BaseException):
    """Raised by the timer inside WeasyPrint: a BaseException, so that no `except Exception`
    on the way swallows it."""


def _can_use_timer() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    if seconds is None:
        yield
        return

    def expire(_signum: int, _frame: Any) -> None:
        raise _Expired

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _Expired:
        raise RenderTimeout(seconds) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _render_job(job: _Job, timeout: float | None) -> bytes:
    """`render_pdf` in the child process (on its main thread: the timer works)."""
    return render_pdf(
        job.html, timeout=timeout, stylesheets=job.stylesheets, generated=job.generated
    )


# --- a child process for threads --------------------------------------------------------------

_child: ProcessPoolExecutor | None = None
_child_lock = threading.Lock()


def worker_context() -> multiprocessing.context.SpawnContext:
    """Fresh interpreters: forking a process that runs threads (a web server, the job worker)
    can copy a lock some other thread held, and the child would wait for it forever."""
    return multiprocessing.get_context("spawn")


def _child_pool() -> ProcessPoolExecutor:
    global _child
    with _child_lock:
        if _child is None:
            _child = ProcessPoolExecutor(max_workers=1, mp_context=worker_context())
        return _child


def _discard_child(kill: bool) -> None:
    global _child
    with _child_lock:
        pool, _child = _child, None
    if pool is None:
        return
    if kill:
        for process in list(getattr(pool, "_processes", {}).values()):
            process.kill()
    pool.shutdown(wait=not kill, cancel_futures=True)


atexit.register(_discard_child, False)


def _render_in_child(job: _Job, timeout: float) -> bytes:
    future = _child_pool().submit(_render_job, job, timeout)
    try:
        return future.result(timeout=timeout + CHILD_GRACE_S)
    except FutureTimeout:
        _discard_child(kill=True)
        raise RenderTimeout(timeout) from None
    except BrokenProcessPool:
        _discard_child(kill=True)  # the next rendering starts a new child
        raise
