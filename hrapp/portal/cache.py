"""A small per-process cache of what the scorecard computes and renders, keyed by fingerprints.

A key holds everything the value depends on (the streamer, the day, the reader's language and
a fingerprint of the data read), so a stale value is never found: a change makes a new key.
Old keys fall out (least recently used first, and after `LIFETIME` seconds, which bounds what
a change the fingerprint missed could keep). Each gunicorn worker has its own.

Rendered text (`shared_text`) is also kept on disk, where every worker of the instance finds
it: gunicorn replaces a worker after `max_requests` (gunicorn.conf.py), and a fresh worker
would otherwise score every streamer again, a few hundred milliseconds each. On disk the key
also holds a fingerprint of the code and templates, so that a deploy or a reload renders anew.
Tests share one instance folder across runs, so they keep text on disk only where they name a
folder (`PORTAL_CACHE_DIR`).
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

from flask import current_app, has_app_context

SIZE = 2048
LIFETIME = 600.0
# One write in this many also removes the files older than LIFETIME.
PRUNE_EVERY = 256
CODE_FOLDERS = ("hrapp", "scoring", "templates")
T = TypeVar("T")

_entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
_lock = threading.Lock()
_writes = 0


def cached(key: Hashable, compute: Callable[[], T]) -> T:
    now = time.monotonic()
    with _lock:
        found = _entries.get(key)
        if found is not None and now - found[0] < LIFETIME:
            _entries.move_to_end(key)
            return found[1]  # type: ignore[no-any-return]
    value = compute()
    with _lock:
        _entries[key] = (now, value)
        while len(_entries) > SIZE:
            _entries.popitem(last=False)
    return value


def shared_text(key: Hashable, compute: Callable[[], str]) -> str:
    """`cached` for text, kept on disk too for the other workers (and this one's successor).
    `repr(key)` must name the value across processes (tuples of numbers, text, dates)."""
    return cached(key, lambda: _on_disk(key, compute))


def fingerprint_code() -> None:
    """Take the fingerprint of the code and templates now (tens of milliseconds, once per
    process): gunicorn's master does, so that its workers start with it."""
    _code_version(current_app.root_path)


def clear() -> None:
    with _lock:
        _entries.clear()
    folder = _folder() if has_app_context() else None
    if folder is not None and folder.is_dir():
        for entry in folder.iterdir():
            entry.unlink(missing_ok=True)


def _on_disk(key: Hashable, compute: Callable[[], str]) -> str:
    folder = _folder()
    if folder is None:
        return compute()
    path = folder / _file_name(key)
    try:
        if time.time() - path.stat().st_mtime < LIFETIME:
            return path.read_text(encoding="utf-8")
    except OSError:
        pass  # not kept yet, or pruned meanwhile
    text = compute()
    _write(folder, path, text)
    return text


def _folder() -> Path | None:
    configured = current_app.config.get("PORTAL_CACHE_DIR")
    if configured:
        return Path(configured)
    if current_app.testing:
        return None
    return Path(current_app.instance_path) / "cache" / "portal"


def _file_name(key: Hashable) -> str:
    named = repr((_code_version(current_app.root_path), key))
    return hashlib.sha256(named.encode("utf-8")).hexdigest() + ".html"


@functools.cache
def _code_version(root: str) -> str:
    """Every file of the code and templates by name, size and time of change."""
    digest = hashlib.sha256()
    base = Path(root).parent
    for folder in CODE_FOLDERS:
        for path in sorted((base / folder).rglob("*")):
            if "__pycache__" in path.parts or not path.is_file():
                continue
            changed = path.stat()
            digest.update(
                f"{path.relative_to(base)}|{changed.st_size}|{changed.st_mtime_ns}\n".encode()
            )
    return digest.hexdigest()


def _write(folder: Path, path: Path, text: str) -> None:
    """Whole or not at all (a reader never sees half a file); readable by this user only."""
    global _writes
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
        return  # a full disk costs a recomputation, never an error page
    _writes += 1
    if _writes % PRUNE_EVERY == 0:
        _prune(folder)


def _prune(folder: Path) -> None:
    too_old = time.time() - LIFETIME
    for entry in os.scandir(folder):
        try:
            if entry.stat().st_mtime < too_old:
                os.unlink(entry.path)
        except OSError:
            pass  # another worker pruned it first
