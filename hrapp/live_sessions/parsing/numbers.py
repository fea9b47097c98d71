"""Exact numbers from export text: counts, money in minor units, decimal quantities.

Numbers never pass through float. The fast path reads plain decimal text (``-?\\d+(\\.\\d+)?``)
of a whole column at once as integers scaled by ``10**scale`` with numpy; anything else
(``¥236,552.00``, ``1.2万``, stray spaces, garbage) goes cell by cell through `Decimal`,
which also words the error for cells that are not numbers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd

from hrapp.core.messages import Message, message, render

from .tables import as_texts, is_bytes

NULL_MARKERS = frozenset({"", "-", "--", "—", "——", "–", "暂无", "N/A", "n/a"})
_MAX_DIGITS = 18  # stays inside int64
_INT64_LIMIT = 2**63

# The fast path reads texts of up to 20 characters (sign, 18 digits, dot): first all cells at
# a width most figures fit in, then the longer ones again at full width. Each width keeps one
# character more than it reads, so longer texts are seen as such instead of being cut.
_NARROW_WIDTH, _FULL_WIDTH = 12, 21
_POW10 = 10 ** np.arange(_MAX_DIGITS + 1, dtype=np.int64)

_NUMBER_CELL = re.compile(
    r"(?P<sign>[+-]?)(?P<symbol>[¥$€£])?(?P<sign2>[+-]?)"
    r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d*)?|\.\d+)"
    r"(?P<scale>[万亿wWkK])?(?P<yuan>元)?"
)
_SCALES = {"万": 10**4, "w": 10**4, "W": 10**4, "亿": 10**8, "k": 10**3, "K": 10**3}


class CellError(ValueError):
    """A cell's text cannot be read; ``reason`` is the message shown to HR."""

    def __init__(self, reason: Message) -> None:
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return render(self.reason)


NOT_A_NUMBER = message("Not a number.")


@dataclass
class Parsed:
    """A column read from text: ``values`` is meaningless where ``missing`` (NULL or error)."""

    values: np.ndarray
    missing: np.ndarray
    errors: dict[int, Message]  # position in the column → reason


@dataclass(frozen=True)
class Amount:
    value: Decimal
    symbol: str | None  # currency symbol written in the cell, if any


def clean_text(text: str) -> str:
    """Full-width forms folded (￥→¥, １→1, ，→,), outer spaces dropped."""
    return unicodedata.normalize("NFKC", text).strip()


def is_null_text(text: str) -> bool:
    return clean_text(text) in NULL_MARKERS


def null_mask(texts: np.ndarray) -> np.ndarray:
    """Cells that are exactly a NULL marker (padded variants are caught per cell later)."""
    return pd.Series(texts, dtype=object, copy=False).isin(NULL_MARKERS).to_numpy(copy=True)


def parse_amount(text: str) -> Amount | None:
    """``¥236,552.00`` → 236552.00, ``1.2万`` → 12000; None for a NULL marker."""
    cleaned = clean_text(text)
    if cleaned in NULL_MARKERS:
        return None
    compact = cleaned.replace(" ", "")
    match = _NUMBER_CELL.fullmatch(compact)
    if match is None:
        if compact.endswith("%"):
            raise CellError(message("A percentage is not allowed here."))
        raise CellError(NOT_A_NUMBER)
    if match["sign"] and match["sign2"]:
        raise CellError(NOT_A_NUMBER)
    try:
        value = Decimal(match["number"].replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        raise CellError(NOT_A_NUMBER) from None
    if match["scale"]:
        value *= _SCALES[match["scale"]]
    if "-" in (match["sign"], match["sign2"]):
        value = -value
    symbol = "¥" if match["yuan"] else match["symbol"]
    return Amount(value, symbol)


def _fast_fixed_point(texts: np.ndarray, scale: int) -> tuple[np.ndarray, np.ndarray]:
    """Plain decimal texts → exact integers at ``10**scale``; ``ok`` marks the cells read."""
    if is_bytes(texts):  # whole UTF-8 cells, NUL-padded: already the matrix the reader needs
        codes = texts.view(np.uint8).reshape(len(texts), texts.dtype.itemsize)
        return _read_digits(codes, scale)
    values, ok, longer = _fixed_width(texts, scale, _NARROW_WIDTH)
    if longer.any():
        values[longer], ok[longer], _ = _fixed_width(texts[longer], scale, _FULL_WIDTH)
    return values, ok


def _fixed_width(
    texts: np.ndarray, scale: int, width: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The fast path at one width; also says which cells were longer than it reads."""
    codes = texts.astype(f"<U{width}").view(np.uint32).reshape(len(texts), width)
    longer = codes[:, width - 1] != 0
    values, ok = _read_digits(codes[:, : width - 1], scale)
    return values, ok & ~longer, longer


def _read_digits(codes: np.ndarray, scale: int) -> tuple[np.ndarray, np.ndarray]:
    """Cells as a matrix of character codes (a row per cell, NUL-padded: cells cannot hold
    NUL, files with NUL bytes are refused), read one character position at a time over all
    cells, so a column costs a few dozen numpy passes instead of a Python call per cell.

    Works on code points and on UTF-8 bytes alike: every byte of a non-ASCII character is
    above 127, so such cells are simply not plain numbers.
    """
    size = len(codes)
    filled = np.flatnonzero(codes.any(axis=0))
    used = int(filled[-1]) + 1 if len(filled) else 0
    # A character position of every cell in a row of its own: the passes below run over
    # contiguous memory instead of striding across the cells.
    codes = np.ascontiguousarray(codes[:, :used].T)
    value = np.zeros(size, dtype=np.int64)
    digits = np.zeros(size, dtype=np.int64)
    fraction = np.zeros(size, dtype=np.int64)
    seen_dot = np.zeros(size, dtype=bool)
    bad = np.zeros(size, dtype=bool)
    negative = codes[0] == ord("-") if used else bad.copy()
    for j in range(used):
        code = codes[j]
        digit_value = code - ord("0")  # unsigned: wraps around below "0", so one test finds digits
        is_digit = digit_value < 10
        value = np.where(is_digit, value * 10 + digit_value, value)
        digits += is_digit
        fraction += is_digit & seen_dot
        is_dot = code == ord(".")
        bad |= is_dot & seen_dot
        seen_dot |= is_dot
        other = ~(is_digit | is_dot | (code == 0))
        if j == 0:
            other &= ~negative
        bad |= other
    ok = ~bad & (digits > 0) & (fraction <= scale) & (digits - fraction + scale <= _MAX_DIGITS)
    value *= _POW10[np.clip(scale - fraction, 0, _MAX_DIGITS)]
    return np.where(negative, -value, value), ok


def read_scaled(
    texts: np.ndarray,
    scale: int,
    parse_cell: Callable[[str], Decimal | None],
    too_precise: Message,
    *,
    fast_factor: int = 1,
) -> Parsed:
    """Read a column as exact integers at ``10**scale``.

    ``parse_cell`` handles what the fast path cannot (returns None for NULL, raises CellError);
    a value with more decimals than ``scale`` gets the reason ``too_precise``. Plain numbers
    read by the fast path are multiplied by ``fast_factor`` (a unit such as 60 s per minute);
    ``parse_cell`` applies units itself.
    """
    values, ok = _fast_fixed_point(texts, scale)
    if fast_factor != 1:
        ok &= np.abs(values) < _INT64_LIMIT // fast_factor
        values *= fast_factor
    missing = ~ok
    errors: dict[int, Message] = {}
    slow = np.flatnonzero(missing)
    slow_texts = as_texts(texts[slow])
    if len(slow):
        filled = ~null_mask(slow_texts)
        slow, slow_texts = slow[filled], slow_texts[filled]
    if len(slow):
        factor = Decimal(10) ** scale
        outcome: dict[str, int | CellError | None] = {}
        for text in pd.unique(slow_texts):
            outcome[text] = _scaled_cell(text, factor, parse_cell, too_precise)
        for pos, text in zip(slow, slow_texts, strict=True):
            result = outcome[text]
            if isinstance(result, CellError):
                errors[int(pos)] = result.reason
            elif result is not None:
                values[pos] = result
                missing[pos] = False
    return Parsed(values, missing, errors)


def _scaled_cell(
    text: str,
    factor: Decimal,
    parse_cell: Callable[[str], Decimal | None],
    too_precise: Message,
) -> int | CellError | None:
    try:
        value = parse_cell(text)
    except CellError as error:
        return error
    if value is None:
        return None
    scaled = value * factor
    if scaled != scaled.to_integral_value():
        return CellError(too_precise)
    if abs(scaled) >= _INT64_LIMIT:
        return CellError(message("Number too large."))
    return int(scaled)


def plain_number(text: str) -> Decimal | None:
    """Cell parser for counts and quantities: no currency symbols."""
    amount = parse_amount(text)
    if amount is None:
        return None
    if amount.symbol:
        raise CellError(message("A currency symbol is not allowed here."))
    return amount.value


def read_counts(texts: np.ndarray) -> Parsed:
    """Non-negative whole numbers (viewers, orders, …)."""
    parsed = read_scaled(texts, 0, plain_number, message("Not a whole number."))
    _reject(parsed, parsed.values < 0, message("A count cannot be negative."))
    return parsed


def read_money(texts: np.ndarray, exponent: int, currency: str, *, signed: bool) -> Parsed:
    """Amounts in major units (yuan, dollars) → exact integer minor units of ``currency``."""

    def money_cell(text: str) -> Decimal | None:
        amount = parse_amount(text)
        if amount is None:
            return None
        if amount.symbol and currency not in SYMBOL_CURRENCIES[amount.symbol]:
            raise CellError(
                message(
                    "The symbol %(symbol)s does not match the currency %(currency)s.",
                    symbol=amount.symbol,
                    currency=currency,
                )
            )
        return amount.value

    if exponent == 0:
        too_precise = message("%(currency)s amounts have no decimal places.", currency=currency)
    else:
        too_precise = message(
            "%(currency)s amounts have at most %(n)d decimal places.", currency=currency, n=exponent
        )
    parsed = read_scaled(texts, exponent, money_cell, too_precise)
    if not signed:
        _reject(parsed, parsed.values < 0, message("An amount cannot be negative."))
    return parsed


# Which currencies a symbol written in a cell may stand for.
SYMBOL_CURRENCIES = {
    "¥": frozenset({"CNY"}),
    "$": frozenset({"USD", "HKD", "TWD", "SGD"}),
    "€": frozenset({"EUR"}),
    "£": frozenset({"GBP"}),
}


def _reject(parsed: Parsed, mask: np.ndarray, reason: Message) -> None:
    for pos in np.flatnonzero(mask & ~parsed.missing):
        parsed.errors[int(pos)] = reason
        parsed.missing[pos] = True
