"""Words kept for later are data: a message id and its parameters, rendered when read.

Whatever is stored for later display (an audit summary, a job's title, an import problem, a
reason) is kept as ``{"id": msgid, "params": {...}}``, built with `message()`. The msgid is the
English text, extracted into the catalogs like any other (`message` is an extraction keyword),
so each reader sees it in their own language, however the writer's was set.

Parameters are plain JSON. Those that need the reader's language or format say so:
`coded(kind, code)` shows a code through its label table, `money(fen)` as yuan, `day(date)` as
a local date, and a nested `message` is rendered in turn. Text people wrote themselves (a
reason, a name) is a plain string parameter and is shown as written.

The builders live in `hrapp.core.message_data` (no Flask) and are re-exported here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import get_locale, gettext

from hrapp.core import labels
from hrapp.core.message_data import Message, coded, day, is_message, message, money
from hrapp.core.money import yuan_display
from hrapp.i18n import format_day

LIST_SEPARATOR = {"zh": "、", "en": ", "}


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


__all__ = ["LIST_SEPARATOR", "Message", "coded", "day", "is_message", "message", "money", "render"]
