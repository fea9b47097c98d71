"""The template's ``hosts`` cell: who hosted a session, with which share.

Input ``E1001:60;E1002:40`` (percentages, decimals allowed to 0.01 %) or ``E1001;E1002``
(even split, the remainder to the first host). Output ``E1001:6000;E1002:4000`` —
employee number and share in basis points (10,000 = 100 %), summing to exactly 10,000.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from hrapp.core.messages import message

from .numbers import CellError, clean_text, is_null_text

FULL_SHARE_BP = 10_000
_SEPARATORS = re.compile(r"[;,、]")
_EMPLOYEE_NO = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}")
_PERCENT = re.compile(r"\d{1,3}(?:\.\d{1,2})?%?")


def parse_hosts(text: str) -> str | None:
    """Normalized ``employee_no:share_bp`` list, or None for an empty cell."""
    if is_null_text(text):
        return None
    entries = [entry.strip() for entry in _SEPARATORS.split(clean_text(text))]
    if not all(entries):
        raise CellError(message("An empty entry in the host list."))
    hosts: list[str] = []
    shares: list[str | None] = []
    for entry in entries:
        employee_no, colon, share = (part.strip() for part in entry.partition(":"))
        if not _EMPLOYEE_NO.fullmatch(employee_no):
            raise CellError(message("“%(text)s” is not an employee number.", text=employee_no))
        hosts.append(employee_no)
        shares.append(share if colon else None)
    if len(set(hosts)) != len(hosts):
        raise CellError(message("A host is listed twice."))
    if all(share is None for share in shares):
        points = _even_split(len(hosts))
    elif all(share is not None for share in shares):
        points = [_basis_points(share) for share in shares if share is not None]
    else:
        raise CellError(message("Give a share for every host or for none."))
    total = sum(points)
    if total != FULL_SHARE_BP:
        raise CellError(
            message("The shares add up to %(total)s%%, not 100%%.", total=str(Decimal(total) / 100))
        )
    return ";".join(f"{host}:{bp}" for host, bp in zip(hosts, points, strict=True))


def _even_split(count: int) -> list[int]:
    base, remainder = divmod(FULL_SHARE_BP, count)
    return [base + remainder] + [base] * (count - 1)


def _basis_points(share: str) -> int:
    if not _PERCENT.fullmatch(share):
        raise CellError(
            message("“%(text)s” is not a share in percent (e.g. 60 or 33.33).", text=share)
        )
    try:
        points = int(Decimal(share.rstrip("%")) * 100)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        raise CellError(message("“%(text)s” is not a share in percent.", text=share)) from None
    if points <= 0:
        raise CellError(message("Every host's share must be more than 0%."))
    return points
