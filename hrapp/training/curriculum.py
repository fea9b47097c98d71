"""The default curriculum the system ships with, and the names of the promotion steps.

The curriculum is data: trainers and HR edit it afterwards (audited). `default_curriculum_rows()`
gives plain column values for a migration's ``op.bulk_insert``; `ensure_default_curriculum()`
adds whatever default module is missing to a database (idempotent; never overwrites edits).

Rubric scale: each dimension is scored 0–10; the record's score is the mean × 10 (0–100), so a
ten-dimension rubric's score is simply the sum of its dimensions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from hrapp.core import audit, labels
from hrapp.core.messages import message
from hrapp.extensions import db
from hrapp.training.models import Module

ASSISTANT_TO_SENIOR = "assistant->senior"
SENIOR_TO_MENTOR = "senior->mentor"
STEPS = (ASSISTANT_TO_SENIOR, SENIOR_TO_MENTOR)
STEP_LABELS = {
    ASSISTANT_TO_SENIOR: _l("Assistant → senior"),
    SENIOR_TO_MENTOR: _l("Senior → mentor"),
}
# A module's topic is a code (the curriculum category); pages show its label. A topic typed in
# by hand before the list existed has no label and is shown as written.
TOPICS = labels.register(
    "training_category",
    {
        "scripting": _l("Scripting"),
        "product": _l("Product knowledge"),
        "fans": _l("Fan operations"),
        "incidents": _l("Incidents on air"),
        "compliance": _l("Compliance"),
        "live practice": _l("Live practice"),
        "mentoring": _l("Mentoring"),
    },
)
# A streamer's next promotion step by their current level; mentors have none.
NEXT_STEP = {"assistant": ASSISTANT_TO_SENIOR, "senior": SENIOR_TO_MENTOR}

RUBRIC_MAX = 10  # each rubric dimension is scored 0–10

# The ten dimensions of a live-streaming assessment (实战考核 / 模拟直播).
LIVE_RUBRIC: tuple[dict[str, str], ...] = (
    {"key": "product_knowledge", "zh": "产品知识", "en": "Product knowledge"},
    {"key": "script_framework", "zh": "话术框架", "en": "Script framework"},
    {"key": "pacing", "zh": "控场节奏", "en": "Pacing and room control"},
    {"key": "product_showcase", "zh": "塑品能力", "en": "Product showcasing"},
    {"key": "closing", "zh": "逼单转化", "en": "Closing and conversion"},
    {"key": "data_awareness", "zh": "数据感知", "en": "Data awareness"},
    {"key": "composure", "zh": "情绪管理", "en": "Emotional composure"},
    {"key": "comment_interaction", "zh": "评论互动", "en": "Comment interaction"},
    {"key": "camera_presence", "zh": "镜头表现", "en": "Camera presence"},
    {"key": "learning_growth", "zh": "学习成长", "en": "Learning and growth"},
)


def _module(
    code: str,
    title_zh: str,
    title_en: str,
    topic: str,
    hours: float,
    *,
    pass_mark: float | None = None,
    validity_months: int | None = None,
    rubric: tuple[dict[str, str], ...] = (),
) -> dict[str, Any]:
    return {
        "code": code,
        "title_zh": title_zh,
        "title_en": title_en,
        "topic": topic,
        "hours": hours,
        "pass_mark": pass_mark,
        "validity_months": validity_months,
        # A module is assessed when a score decides something or a rubric is filled in.
        "assessed": pass_mark is not None or bool(rubric),
        "rubric": [dict(d) for d in rubric],
    }


# Hours are the agency's usual class lengths. The pass marks and validity are the ones the
# promotion path of the domain guide asks for (COMPLIANCE-1 ≥ 80 and valid 12 months;
# PRACTICAL-1 ≥ 80; MENTOR-1 ≥ 85): the promotion checklist judges modules by these, and the
# default scheme names which modules each step requires. Mock live is assessed on the rubric as
# practice feedback, without a pass mark.
DEFAULT_CURRICULUM: tuple[dict[str, Any], ...] = (
    _module("SCRIPT-1", "话术技巧", "Scripting", "scripting", 8),
    _module(
        "PRODUCT-1",
        "产品知识",
        "Product knowledge",
        "product",
        8,
    ),
    _module("FANS-1", "粉丝运营", "Fan operations", "fans", 6),
    _module(
        "EMERGENCY-1",
        "应急处理",
        "Handling incidents on air",
        "incidents",
        4,
    ),
    _module(
        "COMPLIANCE-1",
        "合规与广告法",
        "Advertising law and platform rules",
        "compliance",
        4,
        pass_mark=80,
        validity_months=12,
    ),
    _module("MOCKLIVE-1", "模拟直播", "Mock live", "live practice", 6, rubric=LIVE_RUBRIC),
    _module(
        "PRACTICAL-1",
        "实战考核",
        "Practical assessment",
        "live practice",
        4,
        pass_mark=80,
        rubric=LIVE_RUBRIC,
    ),
    _module(
        "MENTOR-1",
        "培训导师认证",
        "Mentor certification",
        "mentoring",
        16,
        pass_mark=85,
    ),
)


def default_curriculum_rows() -> list[dict[str, Any]]:
    """Plain column values of the default modules, for ``op.bulk_insert(modules_table, rows)``."""
    now = dt.datetime.now(dt.UTC)
    return [
        {**module, "active": True, "position": index, "updated_at": now}
        for index, module in enumerate(DEFAULT_CURRICULUM, start=1)
    ]


def ensure_default_curriculum() -> list[Module]:
    """Add the default modules a database lacks (by code) and return the ones added (flushes).

    Existing modules are left exactly as they are, so running it again changes nothing.
    """
    present = set(db.session.scalars(select(Module.code)))
    added = []
    for row in default_curriculum_rows():
        if row["code"] in present:
            continue
        module = Module(**{k: v for k, v in row.items() if k != "updated_at"})
        db.session.add(module)
        added.append(module)
    if added:
        db.session.flush()
        audit.record(
            "training.curriculum.seed",
            "training_module",
            summary=message("Default modules added: %(codes)s", codes=[m.code for m in added]),
        )
    return added
