"""Building stored messages without Flask: a message id and its parameters, nothing rendered.

`hrapp.core.messages` renders them (it needs Flask-Babel); these builders are plain data, so
that pure libraries (the intake's readers) can say what went wrong in a form every reader sees
in their own language. `hrapp.core.messages` re-exports all of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

Message = dict[str, Any]


def message(msgid: str, /, **params: Any) -> Message:
    """A message to store: `msgid` is an English sentence with ``%(name)s`` placeholders."""
    return {"id": msgid, "params": {name: _plain(value) for name, value in params.items()}}


def coded(kind: str, code: object) -> dict[str, str]:
    """A parameter shown as the label of `code` in the table of `kind`."""
    return {"label": kind, "code": str(getattr(code, "value", code))}


def money(fen: int | None) -> dict[str, int | None]:
    """A parameter shown as yuan."""
    return {"fen": None if fen is None else int(fen)}


def day(value: dt.date | str) -> dict[str, str]:
    """A parameter shown as a date in the reader's format."""
    return {"date": value if isinstance(value, str) else value.isoformat()}


def is_message(value: object) -> bool:
    return isinstance(value, Mapping) and isinstance(value.get("id"), str) and "params" in value


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return day(value)
    if hasattr(value, "value") and not isinstance(value, int | float | str | bool):
        return value.value  # an enum is stored by its value
    return value
