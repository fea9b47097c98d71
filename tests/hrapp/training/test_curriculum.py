"""Point 1: the curriculum — the default modules, and editing them (audited)."""

from __future__ import annotations

from sqlalchemy import func, insert, select

from hrapp.appraisals.schemes import save_scheme
from hrapp.core.audit import AuditEntry
from hrapp.extensions import db
from hrapp.training.curriculum import (
    ASSISTANT_TO_SENIOR,
    SENIOR_TO_MENTOR,
    default_curriculum_rows,
    ensure_default_curriculum,
)
from hrapp.training.models import Module
from hrapp.training.services import required_modules, steps_requiring
from scoring import default_scheme_text


def test_default_curriculum_holds_the_domain_modules(modules) -> None:
    assert list(modules) == [
        "SCRIPT-1",
        "PRODUCT-1",
        "FANS-1",
        "EMERGENCY-1",
        "COMPLIANCE-1",
        "MOCKLIVE-1",
        "PRACTICAL-1",
        "MENTOR-1",
    ]
    compliance, practical, mentor = (
        modules["COMPLIANCE-1"],
        modules["PRACTICAL-1"],
        modules["MENTOR-1"],
    )
    assert (compliance.title_zh, compliance.validity_months, compliance.pass_mark) == (
        "合规与广告法",
        12,
        80,
    )
    assert (practical.assessed, practical.pass_mark) == (True, 80)
    assert [d["zh"] for d in practical.rubric] == [
        "产品知识", "话术框架", "控场节奏", "塑品能力", "逼单转化",
        "数据感知", "情绪管理", "评论互动", "镜头表现", "学习成长",
    ]  # fmt: skip
    assert all(d["en"] and d["key"] for d in practical.rubric)
    assert (mentor.title_zh, mentor.pass_mark) == ("培训导师认证", 85)
    assert modules["SCRIPT-1"].pass_mark is None and not modules["SCRIPT-1"].assessed


def test_required_modules_per_step_are_the_active_scheme_s(modules) -> None:
    """The scheme says which modules a step requires; the curriculum lists them in its order
    and shows the steps beside each module."""
    assert [m.code for m in required_modules(ASSISTANT_TO_SENIOR)] == [
        "SCRIPT-1",
        "PRODUCT-1",
        "FANS-1",
        "EMERGENCY-1",
        "COMPLIANCE-1",
        "PRACTICAL-1",
    ]
    assert [m.code for m in required_modules(SENIOR_TO_MENTOR)] == ["COMPLIANCE-1", "MENTOR-1"]
    assert steps_requiring()["COMPLIANCE-1"] == [ASSISTANT_TO_SENIOR, SENIOR_TO_MENTOR]
    assert "MOCKLIVE-1" not in steps_requiring()


def test_a_step_requires_what_the_latest_scheme_version_says(modules, hr) -> None:
    text = default_scheme_text().replace('    { code = "FANS-1" },\n', "", 1)
    save_scheme(text, user_id=hr.id)
    assert "FANS-1" not in [m.code for m in required_modules(ASSISTANT_TO_SENIOR)]
    assert "FANS-1" not in steps_requiring()


def test_ensuring_again_adds_nothing_and_keeps_edits(modules) -> None:
    modules["SCRIPT-1"].hours = 12
    db.session.commit()
    assert ensure_default_curriculum() == []
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Module)) == 8
    assert db.session.get(Module, modules["SCRIPT-1"].id).hours == 12


def test_rows_are_plain_values_a_migration_can_bulk_insert(app) -> None:
    db.session.execute(insert(Module.__table__), default_curriculum_rows())
    db.session.commit()
    practical = db.session.scalar(select(Module).where(Module.code == "PRACTICAL-1"))
    assert practical.pass_mark == 80 and len(practical.rubric) == 10
    assert ensure_default_curriculum() == []


def test_trainer_edits_a_module_and_the_change_is_audited(modules, trainer, login_as) -> None:
    module = modules["COMPLIANCE-1"]
    form = {
        "code": "COMPLIANCE-1",
        "title_zh": "合规与广告法",
        "title_en": "Advertising law and platform rules",
        "topic": "compliance",
        "hours": "6",
        "pass_mark": "85",
        "validity_months": "12",
        "assessed": "y",
        "rubric_lines": "",
        "position": "5",
        "active": "y",
    }
    response = login_as(trainer).post(f"/training/modules/{module.id}", data=form)
    assert response.status_code == 302
    db.session.expire_all()
    assert (module.pass_mark, module.hours) == (85, 6)
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "training.module.update")
    )
    assert entry.actor_name == "trainer_li"
    assert entry.changes == {"hours": [4.0, 6.0], "pass_mark": [80.0, 85.0]}


def test_hr_creates_a_module_with_a_rubric(modules, hr, login_as) -> None:
    form = {
        "code": "script-2",
        "title_zh": "进阶话术",
        "title_en": "Advanced scripting",
        "hours": "4",
        "pass_mark": "70",
        "rubric_lines": "hook | 开场钩子 | Opening hook\nclose | 收尾 | Closing",
        "position": "9",
        "active": "y",
    }
    assert login_as(hr).post("/training/modules/new", data=form).status_code == 302
    module = db.session.scalar(select(Module).where(Module.code == "SCRIPT-2"))
    assert module.assessed
    assert module.rubric == [
        {"key": "hook", "zh": "开场钩子", "en": "Opening hook"},
        {"key": "close", "zh": "收尾", "en": "Closing"},
    ]
    assert db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "training.module.create")
    ).entity_id == str(module.id)


def test_bad_module_input_is_refused_with_reasons(modules, trainer, login_as) -> None:
    client = login_as(trainer)
    duplicate = {"code": "SCRIPT-1", "title_zh": "重复", "title_en": "Duplicate", "hours": "1"}
    response = client.post("/training/modules/new", data=duplicate)
    assert response.status_code == 422
    assert "SCRIPT-1" in response.get_data(as_text=True)
    bad_rubric = {**duplicate, "code": "NEW-1", "rubric_lines": "only a name"}
    response = client.post("/training/modules/new", data=bad_rubric)
    assert response.status_code == 422
    assert "Line 1" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Module)) == 8


def test_the_curriculum_command_installs_the_default_once(app) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["training", "curriculum"])
    assert first.exit_code == 0 and first.output.startswith("added 8 modules: SCRIPT-1")
    assert runner.invoke(args=["training", "curriculum"]).output.strip() == "added 0 modules"
    seeded = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "training.curriculum.seed")
    ).all()
    assert len(seeded) == 1


def test_a_modules_code_cannot_change(modules, trainer, login_as) -> None:
    module = modules["PRACTICAL-1"]
    form = {"code": "PRACTICAL-2", "title_zh": "实战考核", "title_en": "Practical", "hours": "4"}
    response = login_as(trainer).post(f"/training/modules/{module.id}", data=form)
    assert response.status_code == 422
    assert "The code of an existing module cannot change" in response.get_data(as_text=True)
    db.session.expire_all()
    assert module.code == "PRACTICAL-1"
