"""A small per-process cache of what the scorecard computes and renders, keyed by fingerprints.

A key holds everything the value depends on (the streamer, the day, the reader's language and
a fingerprint of the data read), so a stale value is never found: a change makes a new key.
Old keys fall out (least recently used first, and after `LIFETIME` seconds, which bounds what
a change the fingerprint missed could keep). Each gunicorn worker has its own.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

SIZE = 2048
LIFETIME = 600.0
T = TypeVar("T")

_entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
_lock = threading.Lock()


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


def clear() -> None:
    with _lock:
        _entries.clear()
