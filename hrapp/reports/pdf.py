"""The one way this application makes a PDF: `render_pdf(html) -> bytes` (WeasyPrint).

What a rendering may read is locked down, because the HTML carries text people typed (names,
comments): the URL fetcher serves only the application's own static files (stylesheets,
images, fonts), addressed under `APP_ORIGIN`, and refuses everything else — `file://`, `data:`,
any network address — before anything is opened. It never speaks HTTP, so there is no redirect
to follow. Fonts come from the operating system through fontconfig, never from a URL.

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
import signal
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Relative URLs in a sheet (`/static/css/sheet.css`) resolve against this origin; the `.invalid`
# top-level domain never resolves, and the fetcher answers it from disk without any network.
APP_ORIGIN = "https://hrapp.invalid"
BASE_URL = f"{APP_ORIGIN}/"
STATIC_ROOT = Path(__file__).resolve().parents[1] / "static"
STATIC_PREFIX = "/static/"
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
    """Serves `APP_ORIGIN/static/…` files from the application's static folder and refuses
    every other URL. `served` and `refused` record what was asked, for tests and logs."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("https",), allow_redirects=False)
        self.served: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        path = static_path(url)
        if path is None:
            self.refused.append(url)
            # Not fatal: WeasyPrint logs it and renders the rest without the resource.
            raise PermissionError(f"not an application static file: {url[:200]}")
        self.served.append(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


def static_path(url: str) -> Path | None:
    """The file an `APP_ORIGIN/static/…` URL names, when it is one of the application's own
    static files of a served type; None for anything else (other schemes, hosts, ports,
    credentials, queries, paths leaving the static folder)."""
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
    if not origin_ok or not parts.path.startswith(STATIC_PREFIX):
        return None
    relative = unquote(parts.path[len(STATIC_PREFIX) :])
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
    fetcher: LockedURLFetcher | None = None,
) -> bytes:
    """The PDF of `html` (relative URLs resolve against `BASE_URL`), within `timeout` seconds
    (None: no limit). Raises RenderTimeout when the limit is reached."""
    if timeout is None or _can_use_timer():
        with _time_limit(timeout):
            return _render(html, fetcher or LockedURLFetcher())
    if fetcher is not None:
        raise ValueError("a fetcher to inspect needs rendering on the main thread")
    return _render_in_child(html, timeout)


def _render(html: str, fetcher: LockedURLFetcher) -> bytes:
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    pdf = document.write_pdf(font_config=font_config())
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


def render_in_worker(html: str, timeout: float | None) -> bytes:
    """`render_pdf` as a pool's worker process runs it (on its main thread: the timer works)."""
    return render_pdf(html, timeout=timeout)


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


def _render_in_child(html: str, timeout: float) -> bytes:
    future = _child_pool().submit(render_in_worker, html, timeout)
    try:
        return future.result(timeout=timeout + CHILD_GRACE_S)
    except FutureTimeout:
        _discard_child(kill=True)
        raise RenderTimeout(timeout) from None
    except BrokenProcessPool:
        _discard_child(kill=True)  # the next rendering starts a new child
        raise
