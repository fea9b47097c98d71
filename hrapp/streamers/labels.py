"""What levels, platforms and categories are called on screen, in the user's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

from hrapp.streamers.models import CATEGORIES, Level, Platform

LEVEL_LABELS = {
    Level.ASSISTANT.value: _l("Assistant streamer"),
    Level.SENIOR.value: _l("Senior streamer"),
    Level.MENTOR.value: _l("Training mentor"),
}
PLATFORM_LABELS = {
    Platform.DOUYIN.value: _l("Douyin"),
    Platform.TAOBAO.value: _l("Taobao Live"),
    Platform.KUAISHOU.value: _l("Kuaishou"),
    Platform.TIKTOK.value: _l("TikTok Shop"),
}
CATEGORY_LABELS = {
    "beauty": _l("Beauty"),
    "appliance": _l("Appliances"),
    "food": _l("Food"),
    "home": _l("Home"),
    "fashion": _l("Fashion"),
    "other": _l("Other"),
}
assert set(CATEGORY_LABELS) == set(CATEGORIES), "every category needs a label"


def label(labels: dict[str, object], value: str | None) -> str:
    """The label of a stored code; an unknown code is shown as it is rather than hidden."""
    if value is None:
        return ""
    return str(labels.get(value, value))


def choices(labels: dict[str, object]) -> list[SelectChoice]:
    """Select options; lazy labels stay lazy so that forms may build them at import time."""
    return [SelectChoice(value, text) for value, text in labels.items()]
