"""The order teams are listed in: as people count them, not as text sorts.

Teams are named like 一组, 二组 … 十一组 or 1组, A组; sorted as text, 三组 would come before
二组 and 十一组 before 二组. Numbers written in digits or in Chinese numerals (一 … 十, 十一,
二十三, 〇/零) are compared as numbers, the rest of the name as text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_DIGITS = {ch: value for value, ch in enumerate("〇一二三四五六七八九")} | {"零": 0}
_NUMBER = re.compile(r"(\d+|[〇零一二三四五六七八九十]+)")
TeamKey = tuple[tuple[int, int, str], ...]


def _chinese_number(text: str) -> int:
    """一 → 1, 十 → 10, 十一 → 11, 二十 → 20, 二十三 → 23; digits without 十 read positionally
    (二〇 → 20)."""
    if "十" in text:
        tens, _, units = text.partition("十")
        return _chinese_number(tens or "一") * 10 + (_chinese_number(units) if units else 0)
    value = 0
    for ch in text:
        value = value * 10 + _DIGITS[ch]
    return value


def team_key(name: str) -> TeamKey:
    """A sort key: numbers (in digits or Chinese numerals) by value, before text at the same
    place; text as it is."""
    parts = []
    for index, piece in enumerate(_NUMBER.split(name)):
        if not piece:
            continue
        if index % 2:  # a captured number
            value = int(piece) if piece.isdigit() else _chinese_number(piece)
            parts.append((0, value, piece))
        else:
            parts.append((1, 0, piece))
    return tuple(parts)


def sorted_teams(names: Iterable[str]) -> list[str]:
    return sorted(names, key=team_key)
