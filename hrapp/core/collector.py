"""Pausing Python's cyclic garbage collector over work that allocates much and frees little.

Reading a thousand workbooks, building a million row tuples or rendering a PDF allocates enough
container objects for dozens of collections, and the older generations' collections walk every
object of the application too, while the work's objects live until it ends (or are all freed
at once when it does). Reference counting still frees everything acyclic at once.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collection_paused(*, collect_young_after: bool = False) -> Iterator[None]:
    """No cyclic collection inside the block; ``collect_young_after``: then collect the
    youngest generation once (what the block left is all young). Nested blocks leave the
    decision to the outermost."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        if collect_young_after:
            gc.collect(0)
