"""The import pages in the reader's language: a session's figures by label and in units people
read, formats and platforms by label, and import problems stored as messages that each reader
sees in their own language (pages, the job's stored result, the command line)."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from hrapp.auth.models import Role
from hrapp.extensions import db
from hrapp.intake.batch_model import ImportBatch
from hrapp.jobs.models import Job
from hrapp.live_sessions import views
from hrapp.live_sessions.importer import import_sessions
from hrapp.live_sessions.models import LiveSession
from tests.factories import make_readers

from .builders import SEPTEMBER_CSV, accounts_for_sample, sample, template_file
from .test_cli import invoke, write
from .test_pages import text, upload

RAW_COLUMNS = ("buyer_paid_fen", "fx_rate", "import_batch_id", "last_batch_id", "ad_spend_fen")


@pytest.fixture
def readers(app, login_as):
    """An HR client reading Chinese and one reading English."""
    return make_readers(login_as, Role.HR)


def _imported(data: bytes, name: str = "九月场次.csv") -> ImportBatch:
    outcome = import_sessions(data, name)
    db.session.commit()
    return db.session.get(ImportBatch, outcome.batch_id)


def _figures(page: str) -> str:
    return page.split("<h2>", 3)[2]  # the "all figures" table, after the hosts


def test_the_session_page_lists_figures_by_label_with_values_for_people(room, readers):
    chinese, english = readers
    _imported(template_file({"views": "12,345", "refunds": "100.00"}))
    session_id = db.session.scalars(select(LiveSession.id)).one()

    zh = text(chinese.get(f"/sessions/{session_id}"))
    en = text(english.get(f"/sessions/{session_id}"))

    for column in (*RAW_COLUMNS, "views"):
        assert f">{column}<" not in zh and f">{column}<" not in en
    assert "<th>观看次数</th>" in zh and "<th>Views</th>" in en
    assert "<th>汇率</th>" in zh and "<th>Exchange rate</th>" in en
    assert "<th>导入来源</th>" in zh and "<th>Imported from</th>" in en
    assert "12,345" in _figures(zh)  # a count with its separators
    # The batch is a link named by its file; the rate is a number, not the stored text.
    batch_id = db.session.scalars(select(ImportBatch.id)).one()
    assert f'<a href="/imports/batches/{batch_id}">九月场次.csv</a>' in zh
    assert re.search(r"<th>Exchange rate</th><td class=\"num\">1</td>", en)


def test_formats_and_platforms_are_shown_by_their_labels(readers):
    chinese, english = readers
    accounts_for_sample(SEPTEMBER_CSV)
    db.session.commit()
    batch = _imported(sample(SEPTEMBER_CSV), "九月罗盘.csv")
    assert (batch.format, batch.status) == ("douyin_compass", "imported")  # stored as a code

    for client, format_label in (
        (chinese, "抖音电商罗盘场次列表"),
        (english, "Douyin Compass (电商罗盘) session list"),
    ):
        history, page = (
            text(client.get("/imports/")),
            text(client.get(f"/imports/batches/{batch.id}")),
        )
        assert format_label in history and format_label in page
        assert "douyin_compass" not in history and "douyin_compass" not in page

    session_id = db.session.scalars(select(LiveSession.id)).first()
    assert "<dd>抖音 <code>" in text(chinese.get(f"/sessions/{session_id}"))
    assert "<dd>Douyin <code>" in text(english.get(f"/sessions/{session_id}"))


def test_an_unknown_account_on_the_preview_names_its_platform_by_label(room, readers):
    chinese, _english = readers
    data = template_file({"account_id": "0777001", "nickname": "新人直播间"})

    preview = text(chinese.get(upload(chinese, data).headers["Location"]))

    assert re.search(r'<tr data-account="0777001">\s*<td>抖音</td>', preview)
    assert "hrapp 场次模板" in preview and ": template." not in preview


def test_problems_are_stored_as_messages_and_read_in_each_language(room, readers):
    chinese, english = readers
    refused = _imported(
        template_file(
            {"gmv": "abc"},
            {"started_at": "1999-09-03 19:00:00"},
        )
    )

    stored = refused.report[0]["reason"]
    assert stored == {"id": "Not a number.", "params": {}}  # an id, not a sentence

    zh = text(chinese.get(f"/imports/batches/{refused.id}"))
    en = text(english.get(f"/imports/batches/{refused.id}"))
    assert "<td>不是数字。</td>" in zh and "Not a number." not in zh
    assert "<td>Not a number.</td>" in en
    assert "年份不在 2000–2100 之间。" in zh and "The year is outside 2000–2100." in en


def test_a_file_that_cannot_be_read_says_why_in_the_readers_language(readers):
    chinese, english = readers
    data = b"name,age\nx,1\n"
    location = upload(chinese, data).headers["Location"]

    zh, en = text(chinese.get(location)), text(english.get(location))

    assert "前 20 行中没有找到已知导出格式的表头" in zh and "抖音电商罗盘场次列表" in zh
    assert "No header row of a known export was found in the first 20 rows" in en


def test_a_checking_job_stores_messages_and_its_preview_reads_in_each_language(
    room, readers, monkeypatch
):
    chinese, english = readers
    monkeypatch.setattr(views, "PREVIEW_SYNC_BYTES", 10)

    upload(english, template_file({"viewers": "-5"}))

    job = db.session.scalars(select(Job)).one()
    [problem] = job.result["outcome"]["check"]["problems"]
    assert problem["reason"] == {"id": "A count cannot be negative.", "params": {}}
    url = job.result["outcome"]["url"]
    assert "计数不能为负数。" in text(chinese.get(url))
    assert "A count cannot be negative." in text(english.get(url))


def test_the_command_line_says_problems_in_its_language(app, room, tmp_path):
    path = write(tmp_path, template_file({"gmv": "abc"}))

    with force_locale("zh_CN"):
        result = invoke(app, "import", path)

    assert '[错误] 第 2 行, gmv, "abc": 不是数字。' in result.output
    assert "hrapp 场次模板" in result.output
