"""The next item of a slow iterator produced while the caller works on the current one.

A million-row import reads a chunk of the file, converts it, builds its rows and writes them.
pandas' C parser, numpy and the database drivers release the GIL for much of their work, so on a
machine with two cores the reading of one chunk and the converting of the one before (or the
building of one chunk's rows and the writing of the one before) overlap.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar, cast

T = TypeVar("T")
_DONE = object()


def read_ahead(items: Iterable[T]) -> Iterator[T]:
    """`items` in order, each produced in a helper thread while the caller handles the one
    before: one ahead, never more, so memory stays flat. An exception raised while producing
    an item is raised here, in its place."""
    iterator = iter(items)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="read-ahead") as producer:
        following = producer.submit(next, iterator, _DONE)
        while (item := following.result()) is not _DONE:
            following = producer.submit(next, iterator, _DONE)
            yield cast(T, item)
