"""Text-like cells (ids, names, platform, currency, hosts), read once per distinct value.

Exports repeat the same few accounts and nicknames on every row, so these columns are
factorized and each distinct text is cleaned in Python only once.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from hrapp.core.messages import Message, message

from .numbers import CellError, Parsed, clean_text, is_null_text
from .profiles import CURRENCY_EXPONENTS

_EXCEL_TEXT_GUARD = re.compile(r'="(?P<text>.*)"')
_SCIENTIFIC = re.compile(r"\d+(?:\.\d+)?[eE]\+?\d+")
_PLATFORM_NAME = re.compile(r"[a-z][a-z0-9_]{1,31}")
_PLATFORM_ALIASES = {
    "抖音": "douyin",
    "淘宝": "taobao",
    "淘宝直播": "taobao",
    "tiktokshop": "tiktok",
}


def map_cells(texts: np.ndarray, read: Callable[[str], str | None]) -> Parsed:
    """Apply ``read`` (None for NULL, CellError for bad text) to each distinct text.

    ``values`` is a pandas string array (NA where NULL or bad).
    """
    codes, uniques = pd.factorize(texts)
    results = np.empty(len(uniques), dtype=object)
    bad: dict[int, Message] = {}
    for index, text in enumerate(uniques):
        try:
            results[index] = read(text)
        except CellError as error:
            bad[index] = error.reason
    # Built from the distinct values and spread by position: far cheaper than per cell.
    values = pd.array(results, dtype="string").take(codes)
    errors: dict[int, Message] = {}
    if bad:
        for pos in np.flatnonzero(np.isin(codes, list(bad))):
            errors[int(pos)] = bad[codes[pos]]
    return Parsed(values, values.isna(), errors)


def read_text(text: str) -> str | None:
    stripped = text.strip()
    return None if is_null_text(stripped) else stripped


def read_id(text: str) -> str | None:
    """Ids stay text: leading zeros kept; Excel's ``="0123"`` guard is removed."""
    stripped = text.strip()
    if stripped.isascii() and stripped.isalnum():
        return stripped  # the usual case, decided without the checks below
    guarded = _EXCEL_TEXT_GUARD.fullmatch(stripped)
    if guarded:
        stripped = guarded["text"].strip()
    if is_null_text(stripped):
        return None
    if _SCIENTIFIC.fullmatch(stripped):
        raise CellError(
            message(
                "This id was turned into a number in scientific notation (Excel?); its digits "
                "are lost. Export the file again without opening it in Excel."
            )
        )
    return stripped


def read_platform(text: str) -> str | None:
    """Template platform: ``douyin``, ``taobao``, ``tiktok`` or another lower-case name."""
    cleaned = "".join(clean_text(text).casefold().split())
    if is_null_text(cleaned):
        return None
    name = _PLATFORM_ALIASES.get(cleaned, cleaned)
    if not _PLATFORM_NAME.fullmatch(name):
        raise CellError(message("Not a platform name (e.g. douyin, taobao, tiktok)."))
    return name


def read_currency(text: str) -> str | None:
    code = clean_text(text).upper()
    if is_null_text(code):
        return None
    if code not in CURRENCY_EXPONENTS:
        raise CellError(
            message(
                "Unknown currency code (known: %(known)s).", known=", ".join(CURRENCY_EXPONENTS)
            )
        )
    return code
