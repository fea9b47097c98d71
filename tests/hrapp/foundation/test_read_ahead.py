"""read_ahead: the items in order, one produced ahead and never more, a failure in its place."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from hrapp.core.read_ahead import read_ahead


def test_items_come_in_order_and_all_of_them() -> None:
    assert list(read_ahead(range(100))) == list(range(100))
    assert list(read_ahead([])) == []


def test_the_next_item_is_produced_in_another_thread_while_the_caller_works() -> None:
    producers: set[int] = set()

    def numbers() -> Iterator[int]:
        for n in range(3):
            producers.add(threading.get_ident())
            yield n

    assert list(read_ahead(numbers())) == [0, 1, 2]
    assert producers and threading.get_ident() not in producers


def test_never_more_than_one_item_ahead() -> None:
    produced: list[int] = []

    def numbers() -> Iterator[int]:
        for n in range(10):
            produced.append(n)
            yield n

    seen = []
    for item in read_ahead(numbers()):
        seen.append(item)
        # The item in hand and at most the one after it have been produced.
        assert len(produced) <= item + 2
    assert seen == list(range(10))


def test_a_failure_while_producing_is_raised_at_its_place() -> None:
    def failing() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("the third chunk is damaged")

    seen = []
    with pytest.raises(ValueError, match="third chunk"):
        for item in read_ahead(failing()):
            seen.append(item)
    assert seen == [1, 2]
