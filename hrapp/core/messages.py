"""Words kept for later are data: a message id and its parameters, rendered when read.

Whatever is stored for later display (an audit summary, a job's title, an import problem, a
reason) is kept as ``{"id": msgid, "params": {...}}``, built with `message()`. The msgid is the
English text, extracted into the catalogs like any other (`message` is an extraction keyword),
so each reader sees it in their own language, however the writer's was set.

Parameters are plain JSON. Those that need the reader's language or format say so:
`coded(kind, code)` shows a code through its label table, `money(fen)` as yuan, `day(date)` as
a local date, and a nested `message` is rendered in turn. Text people wrote themselves (a
reason, a name) is a plain string parameter and is shown as written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from flask_babel import get_locale, gettext

from hrapp.core import labels
from hrapp.core.money import yuan_display
from hrapp.i18n import format_day

Message = dict[str, Any]
LIST_SEPARATOR = {"zh": "、", "en": ", "}


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


def render(stored: object) -> str:
    """A stored message in the reader's language; a plain string (text someone wrote, or one
    stored before messages were data) is shown as it is."""
    if stored is None:
        return ""
    if not is_message(stored):
        return str(stored)
    assert isinstance(stored, Mapping)
    params = {name: _shown(value) for name, value in (stored.get("params") or {}).items()}
    template = gettext(stored["id"])
    try:
        return template % params if params else template
    except (KeyError, TypeError, ValueError):  # a parameter renamed since the row was written
        return template


def _shown(value: Any) -> Any:
    if is_message(value):
        return render(value)
    if isinstance(value, Mapping):
        if "label" in value and "code" in value:
            return labels.label(value["label"], value["code"])
        if "fen" in value:
            return yuan_display(value["fen"])
        if "date" in value:
            return format_day(value["date"])
        return value
    if isinstance(value, list):
        return _joined([_shown(item) for item in value])
    return value


def _joined(items: list[Any]) -> str:
    language = str(get_locale() or "zh")[:2]
    return LIST_SEPARATOR.get(language, ", ").join(str(item) for item in items)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return day(value)
    if hasattr(value, "value") and not isinstance(value, int | float | str | bool):
        return value.value  # an enum is stored by its value
    return value
