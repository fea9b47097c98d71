"""What stored codes are called on screen: one label table per kind, in both languages.

A code (a level, a platform, a role, an audit action, a field name…) is what the database and
the scoring keep; people read its label. Every page, export and message shows a code through
`label(kind, code)` (in templates: ``code|label('platform')``), never as it is stored.

The tables every feature shares are defined here; a feature that owns a kind (the audit log's
actions, an importer's formats) registers its table once with `register` when it is imported.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

LEVELS = {
    "assistant": _l("Assistant streamer"),
    "senior": _l("Senior streamer"),
    "mentor": _l("Training mentor"),
}
PLATFORMS = {
    "douyin": _l("Douyin"),
    "taobao": _l("Taobao Live"),
    "kuaishou": _l("Kuaishou"),
    "tiktok": _l("TikTok Shop"),
}
CATEGORIES = {
    "beauty": _l("Beauty"),
    "appliance": _l("Appliances"),
    "food": _l("Food"),
    "home": _l("Home"),
    "fashion": _l("Fashion"),
    "other": _l("Other"),
}
ROLES = {
    "admin": _l("Administrator"),
    "hr": _l("HR"),
    "trainer": _l("Trainer"),
    "streamer": _l("Streamer"),
}

_TABLES: dict[str, Mapping[str, object]] = {
    "level": LEVELS,
    "platform": PLATFORMS,
    "category": CATEGORIES,
    "role": ROLES,
}


def register(kind: str, table: Mapping[str, object]) -> Mapping[str, object]:
    """Make `table` the labels of `kind`; a kind has one table, so registering a second,
    different one is a mistake caught at start-up."""
    known = _TABLES.get(kind)
    if known is not None and known is not table:
        raise ValueError(f"the labels of {kind!r} are already registered")
    _TABLES[kind] = table
    return table


def kinds() -> list[str]:
    """Every kind with a table, those the features registered included."""
    return sorted(_TABLES)


def table(kind: str) -> Mapping[str, object]:
    return _TABLES[kind]


def label(kind: str, code: object) -> str:
    """The label of a stored code; an unknown code is shown as it is rather than hidden."""
    if code is None or code == "":
        return ""
    value = getattr(code, "value", code)  # enums are stored by value
    return str(_TABLES[kind].get(str(value), value))


def has_label(kind: str, code: object) -> bool:
    return kind in _TABLES and str(getattr(code, "value", code)) in _TABLES[kind]


def choices(kind: str) -> list[SelectChoice]:
    """Select options; lazy labels stay lazy so that forms may build them at import time."""
    return [SelectChoice(code, text) for code, text in _TABLES[kind].items()]
