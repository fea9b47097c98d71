"""Money is integer fen everywhere; these helpers convert exactly at the edges."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN_PER_YUAN = 100


def yuan_text(fen: int | None) -> str:
    """Fen as a plain yuan string with two decimals, no separators (for CSV and JSON)."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    whole, part = divmod(abs(int(fen)), FEN_PER_YUAN)
    return f"{sign}{whole}.{part:02d}"


def yuan_display(fen: int | None) -> str:
    """Fen as yuan for a sentence people read: ``-¥3,837.15`` (thousands separated, the same
    in every language)."""
    if fen is None:
        return "—"
    text = yuan_text(abs(int(fen)))
    whole, part = text.split(".")
    return f"{'-' if fen < 0 else ''}¥{int(whole):,}.{part}"


def fen_to_decimal(fen: int) -> Decimal:
    return Decimal(int(fen)) / FEN_PER_YUAN


def parse_yuan(text: str) -> int:
    """Parse ``"1,234.5"`` yuan into fen exactly; more than two decimals is refused."""
    cleaned = str(text).strip().replace(",", "").replace("¥", "").replace("￥", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {text!r}") from exc
    if not value.is_finite():  # "inf" and "nan" are Decimals, but no amount
        raise ValueError(f"not an amount: {text!r}")
    fen = value * FEN_PER_YUAN
    if fen != fen.to_integral_value():
        raise ValueError(f"more than two decimals: {text!r}")
    return int(fen)


def round_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
