"""The audit log: account changes are recorded old → new, and HR can browse and filter them,
reading each entry in their own language: actions and fields by their labels, objects by name
and linked, values as people write them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from html import unescape

from flask import Flask, current_app
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy import select

from hrapp.appraisals import closing
from hrapp.appraisals import services as appraisal_services
from hrapp.appraisals.jobs import KIND, payload, title
from hrapp.appraisals.models import Appraisal
from hrapp.appraisals.runner import run_cycle
from hrapp.audit import display
from hrapp.auth import services as auth_services
from hrapp.auth.models import Role, User
from hrapp.core import audit
from hrapp.core.audit import AuditEntry
from hrapp.core.messages import message
from hrapp.extensions import db
from hrapp.jobs import services as jobs
from hrapp.streamers import services as streamers
from tests.conftest import login
from tests.factories import make_streamer, make_user
from tests.hrapp.appraisals.helpers import worked_example_quarter


def _entries(action: str, user: User) -> list[AuditEntry]:
    query = select(AuditEntry).where(
        AuditEntry.action == action, AuditEntry.entity_id == str(user.id)
    )
    return list(db.session.scalars(query.order_by(AuditEntry.id)))


def test_account_changes_are_recorded_with_old_and_new_values(
    app: Flask, login_as: Callable[[User], FlaskClient]
) -> None:
    admin = make_user(Role.ADMIN)
    db.session.commit()
    admin_client = login_as(admin)
    admin_client.post(
        "/accounts/new",
        data={"username": "lin", "roles": ["trainer"], "password": "Quiet-River-Stone-5"},
    )
    lin = db.session.scalars(select(User).where(User.username == "lin")).one()
    admin_client.post(
        f"/accounts/{lin.id}",
        data={"username": "lin", "roles": ["trainer", "hr"], "display_name": "Lin", "active": "y"},
    )
    lin_client = app.test_client()
    login(lin_client, "lin", "Quiet-River-Stone-5")
    lin_client.post("/language/en")
    lin_client.post(
        "/account/password",
        data={
            "current_password": "Quiet-River-Stone-5",
            "new_password": "Bright-Lake-Cloud-6",
            "confirm": "Bright-Lake-Cloud-6",
        },
    )

    (created,) = _entries("user.create", lin)
    assert (created.actor_name, created.entity_id) == (admin.username, str(lin.id))
    assert created.changes["username"] == [None, "lin"]
    assert created.changes["roles"] == [None, ["trainer"]]
    (updated,) = _entries("user.update", lin)
    assert updated.actor_name == admin.username
    assert updated.changes == {
        "display_name": ["", "Lin"],
        "roles": [["trainer"], ["hr", "trainer"]],
    }
    (locale,) = _entries("user.locale", lin)
    assert (locale.actor_name, locale.changes) == ("lin", {"locale": [None, "en"]})
    (password,) = _entries("user.password_change", lin)
    assert password.actor_name == "lin"
    assert "Bright-Lake-Cloud-6" not in f"{password.summary} {password.changes}"
    assert "scrypt" not in f"{password.summary} {password.changes}"


def test_hr_browses_and_filters_the_log(login_as: Callable[[User], FlaskClient]) -> None:
    hr = make_user(Role.HR, username="hr-wang")
    other = make_user(Role.ADMIN, username="admin-zhou")
    # 16:30 UTC on 1 March is 00:30 on 2 March in Shanghai: dates filter by the local day.
    for action, entity, at, actor, tag in [
        ("streamer.update", "streamer", (2026, 3, 1, 16, 30), hr, "S-MAR2"),
        ("streamer.create", "streamer", (2026, 3, 1, 15, 30), other, "S-MAR1"),
        ("training.log", "training_record", (2026, 4, 9, 2, 0), hr, "T-APR9"),
    ]:
        entry = audit.record(action, entity, 1, summary=tag, actor=actor)
        entry.at = dt.datetime(*at, tzinfo=dt.UTC)
    db.session.commit()
    client = login_as(hr)

    def shown(query: str) -> set[str]:
        response = client.get(f"/audit/?{query}")
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        return {tag for tag in ("S-MAR2", "S-MAR1", "T-APR9") if tag in body}

    assert shown("") == {"S-MAR2", "S-MAR1", "T-APR9"}
    assert shown("actor=admin-zhou") == {"S-MAR1"}
    assert shown("action=streamer.") == {"S-MAR2", "S-MAR1"}
    assert shown("entity_type=training_record") == {"T-APR9"}
    assert shown("since=2026-03-02") == {"S-MAR2", "T-APR9"}
    assert shown("until=2026-03-01") == {"S-MAR1"}
    assert shown("since=2026-03-02&until=2026-03-31&action=streamer") == {"S-MAR2"}
    assert shown("since=not-a-date") == {"S-MAR2", "S-MAR1", "T-APR9"}


# --- the log as people read it ------------------------------------------------------------------


def _reader(
    locale: str, login_as: Callable[[User], FlaskClient], *, admin: bool = False
) -> FlaskClient:
    user = make_user(Role.ADMIN if admin else Role.HR, username=f"reader{locale[:2]}{int(admin)}")
    user.locale = locale
    db.session.commit()
    return login_as(user)


def _visible_text(html: str) -> str:
    """The text a person reads: no tags, no script or style, entities decoded, spaces collapsed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"</?(?:span|del|ins|a|code|strong)\b[^>]*>", "", html)  # inline: no gap
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _log_row(html: str, marker: str) -> str:
    """The visible text of the log's table row that contains `marker`."""
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)
    found = [row for row in rows if marker in row]
    assert found, f"no row shows {marker!r}"
    return _visible_text(found[0])


def test_the_same_entry_reads_chinese_for_one_reader_and_english_for_another(
    login_as: Callable[[User], FlaskClient],
) -> None:
    streamer = make_streamer(employee_no="E7001", stage_name="小美", hire_date=dt.date(2024, 3, 1))
    db.session.commit()
    before = streamers.profile_of(streamer)
    streamers.update_streamer(streamer, dataclasses.replace(before, hire_date=dt.date(2024, 3, 4)))
    audit.record(
        "cycle.export",
        "appraisal_cycle",
        None,
        summary=message("Cycle %(code)s exported as CSV (%(n)d appraisals).", code="2026Q3", n=2),
    )
    db.session.commit()

    chinese = _reader("zh_CN", login_as).get("/audit/").get_data(as_text=True)
    english = _reader("en", login_as).get("/audit/").get_data(as_text=True)

    assert "修改主播资料" in _log_row(chinese, "E7001")
    assert "入职日期: 2024年3月1日 → 2024年3月4日" in _log_row(chinese, "E7001")
    assert "Streamer edited" in _log_row(english, "E7001")
    assert "Hire date: 1 Mar 2024 → 4 Mar 2024" in _log_row(english, "E7001")
    assert "考核周期 2026Q3 已导出为 CSV（2 份考核）。" in _visible_text(chinese)
    assert "Cycle 2026Q3 exported as CSV (2 appraisals)." in _visible_text(english)


SNAKE_CASE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
REPRS = re.compile(r"\b(?:True|False|None)\b|\{'")


def test_a_chinese_reader_sees_labels_names_and_values_not_codes_or_reprs(
    login_as: Callable[[User], FlaskClient], client: FlaskClient
) -> None:
    """A representative day: a roster edit (a date), an account switched off (a boolean), a
    quarter run and a pay adjustment (money), a failed login and a job submitted."""
    hr = make_user(Role.HR, username="hrzhao")
    streamer = make_streamer(employee_no="E7002", stage_name="星星", level="senior")
    worked_example_quarter(streamer)
    db.session.commit()
    streamers.update_streamer(
        streamer,
        dataclasses.replace(streamers.profile_of(streamer), hire_date=dt.date(2024, 3, 8)),
    )
    auth_services.update_user(
        hr, roles=[Role.HR], active=False, streamer_id=None, display_name="赵"
    )
    cycle = appraisal_services.create_cycle("2026Q3")
    run_cycle(cycle)
    found = db.session.scalars(select(Appraisal).where(Appraisal.cycle_id == cycle.id)).one()
    closing.add_pay_adjustment(found, -20050, "迟到三次", found.lock_version, None)
    jobs.submit(KIND, title(cycle), payload(cycle), user_id=None)
    db.session.commit()
    client.post("/login", data={"username": "nobody", "password": "Wrong-Guess-Horse-3"})

    html = _reader("zh_CN", login_as, admin=True).get("/audit/").get_data(as_text=True)
    text = _visible_text(html)

    assert not SNAKE_CASE.findall(text), SNAKE_CASE.findall(text)
    assert not REPRS.findall(text), REPRS.findall(text)
    for shown in (
        "修改主播资料",
        "修改账号",
        "启用: 是 → 否",
        "运行考核周期",
        "调整薪酬",
        "薪酬调整 -¥200.50：迟到三次",
        "调整金额: ¥0.00 → -¥200.50",
        "登录失败",
        "nobody 登录失败。",
        "启动后台任务",
        "正在运行考核周期 2026Q3",
    ):
        assert shown in text, shown
    # Objects by name, each linked to its page.
    assert f'<a href="/streamers/{streamer.id}">星星（E7002）</a>' in html
    assert f'<a href="/appraisals/{found.id}">星星，考核周期 2026Q3</a>' in html
    assert '<a href="/appraisals/cycles/2026Q3">考核周期 2026Q3</a>' in html
    assert f'<a href="/accounts/{hr.id}">hrzhao</a>' in html


def test_hr_reads_account_names_without_a_link_to_the_administrators_pages(
    login_as: Callable[[User], FlaskClient],
) -> None:
    lin = make_user(Role.TRAINER, username="lin")
    auth_services.update_user(
        lin, roles=[Role.TRAINER], active=True, streamer_id=None, display_name="Lin"
    )
    db.session.commit()
    html = _reader("zh_CN", login_as).get("/audit/").get_data(as_text=True)
    assert "<td>lin</td>" in html and f"/accounts/{lin.id}" not in html


def test_the_filters_offer_labelled_actions_and_object_types(
    login_as: Callable[[User], FlaskClient],
) -> None:
    html = _reader("zh_CN", login_as).get("/audit/?action=streamer.update").get_data(as_text=True)
    assert '<option value="streamer.update" selected>修改主播资料</option>' in html
    assert '<option value="appraisal">考核结果</option>' in html
    assert 'name="entity_type"' in html and "<select" in html


def test_an_object_that_no_longer_exists_is_named_by_its_type(app: Flask) -> None:
    entry = audit.record("streamer.update", "streamer", 999_999)
    db.session.flush()
    with current_app.test_request_context(), force_locale("en"):
        assert display.objects_of([entry])[("streamer", "999999")] == display.Named(
            "Streamer 999999"
        )
