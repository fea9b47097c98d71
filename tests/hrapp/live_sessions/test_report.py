"""The session check and batch pages as people read them: problems grouped by reason, each
naming row, column, value and reason in the reader's language; unknown accounts once each."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from sqlalchemy import select

from hrapp.auth.models import Role
from hrapp.core.audit import AuditEntry
from hrapp.extensions import db
from hrapp.intake.batch_model import ImportBatch
from hrapp.streamers.models import PlatformAccount
from tests.factories import make_readers, make_streamer

from .builders import template_file


@pytest.fixture
def hr_client(hr, login_as):
    hr.locale = "en"
    db.session.commit()
    return login_as(hr)


def upload(client, data: bytes, name: str = "sessions.csv") -> str:
    response = client.post(
        "/imports/upload",
        data={"file": (io.BytesIO(data), name), "platform": "auto"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    return response.headers["Location"]


def text(response) -> str:
    return response.get_data(as_text=True)


def days(n: int) -> list[str]:
    start = dt.datetime(2026, 9, 1, 19)
    return [(start + dt.timedelta(hours=6 * i)).isoformat(sep=" ") for i in range(n)]


def bad_gmv_file(n: int = 446) -> bytes:
    return template_file(*({"started_at": s, "gmv": "abc"} for s in days(n)))


def test_446_rows_with_the_same_reason_are_one_line_naming_the_count_and_first_rows(
    room, hr_client
):
    page = text(hr_client.get(upload(hr_client, bad_gmv_file())))

    groups = re.findall(r"<tr class=\"error\">.*?</tr>", page, re.S)
    assert len(groups) == 1
    line = groups[0]
    assert "<td><code>gmv</code></td>" in line and "Not a number." in line and ">446<" in line
    assert "Rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11" in line and "and 436 more" in line
    assert "<details>" in line and line.count("<li>") == 446  # all of them, when opened
    assert "<code>abc</code>" in line
    assert page.count("Not a number.") == 1


def test_the_batch_page_groups_its_report_the_same_way(room, hr_client):
    preview = upload(hr_client, bad_gmv_file(30))
    sha = re.search(r"preview/([0-9a-f]{64})", preview).group(1)
    hr_client.post(f"/imports/preview/{sha}/confirm", data={"name": "s.csv", "platform": "auto"})
    batch = db.session.scalars(select(ImportBatch)).one()

    page = text(hr_client.get(f"/imports/batches/{batch.id}"))

    assert batch.status == "refused"
    assert page.count("Not a number.") == 1 and ">30<" in page and "and 20 more" in page


def test_a_problem_names_row_column_value_and_reason_in_each_readers_language(room, readers):
    chinese, english = readers
    preview = upload(english, template_file({}, {"started_at": "2026-09-04 19:00:00", "gmv": "x"}))

    zh, en = text(chinese.get(preview)), text(english.get(preview))

    line = r"<tr class=\"error\">\s*<td>{col}</td><td>{reason}</td><td class=\"num\">1</td>"
    # The template's header as written, after its label where that differs.
    assert re.search(line.format(col=r"成交金额 \(<code>gmv</code>\)", reason="不是数字。"), zh)
    assert re.search(line.format(col="<code>gmv</code>", reason="Not a number."), en)
    assert "第 3 行: <code>x</code>" in zh and "Row 3: <code>x</code>" in en
    assert "Not a number." not in zh


def test_a_check_after_reading_names_its_column_in_the_readers_words(room, readers):
    chinese, english = readers
    preview = upload(english, template_file({"account_id": "0777001", "nickname": "新人"}))

    zh, en = text(chinese.get(preview)), text(english.get(preview))

    assert "<td>账号 ID (<code>account_id</code>)</td>" in zh
    assert "<td>Account id (<code>account_id</code>)</td>" in en
    assert "未知账号 0777001（新人）：请将其关联到主播。" in zh


@pytest.fixture
def readers(app, login_as):
    return make_readers(login_as, Role.HR)


def unknown_accounts_file() -> bytes:
    starts = iter(days(6))
    return template_file(
        {"started_at": next(starts), "account_id": "0777001", "nickname": "Mia  Chen"},
        {"started_at": next(starts), "account_id": "0777001", "nickname": "Mia的直播间"},
        {"started_at": next(starts), "account_id": "0777001", "nickname": "Mia  Chen"},
        {"started_at": next(starts), "account_id": "0777002", "nickname": "阿花的小店"},
        {"started_at": next(starts), "account_id": "0777003", "nickname": "无名直播间"},
        {"started_at": next(starts), "account_id": "0777004", "nickname": "小明明的店"},
    )


@pytest.fixture
def newcomers(app):
    found = {
        "mia": make_streamer(employee_no="E2001", legal_name="陈米娅", stage_name="mia chen"),
        "hua": make_streamer(employee_no="E2002", legal_name="李花", stage_name="阿花"),
        "ming": make_streamer(employee_no="E2003", legal_name="王明", stage_name="小明"),
        "mingming": make_streamer(employee_no="E2004", legal_name="王明明", stage_name="明明"),
    }
    db.session.commit()
    return found


def _account_rows(page: str) -> dict[str, str]:
    return dict(re.findall(r'<tr data-account="(\d+)">(.*?)</tr>', page, re.S))


def test_unknown_accounts_are_listed_once_with_their_nicknames_and_a_suggested_streamer(
    room, newcomers, hr_client
):
    page = text(hr_client.get(upload(hr_client, unknown_accounts_file())))

    rows = _account_rows(page)
    assert sorted(rows) == ["0777001", "0777002", "0777003", "0777004"]
    assert (
        "Mia  Chen、Mia的直播间" in rows["0777001"] and '<td class="num">3</td>' in rows["0777001"]
    )
    # Exact after whitespace and case; containment; nothing; two streamers contained: nobody.
    assert 'name="accounts-0-employee_no" value="E2001"' in rows["0777001"]
    assert 'data-suggested="E2001"' in rows["0777001"] and "陈米娅（mia chen）" in rows["0777001"]
    assert 'value="E2002"' in rows["0777002"] and "阿花" in rows["0777002"]
    assert 'name="accounts-2-employee_no" value=""' in rows["0777003"]
    assert 'name="accounts-3-employee_no" value=""' in rows["0777004"]
    assert page.count('action="/imports/accounts/map-many"') == 1  # one form for them all


def _mapping(preview: str, *numbers: str) -> dict[str, str]:
    ids = ["0777001", "0777002", "0777003", "0777004"]
    data = {"next": preview}
    for i, (account, no) in enumerate(zip(ids, numbers, strict=False)):
        data |= {
            f"accounts-{i}-platform": "douyin",
            f"accounts-{i}-account_id": account,
            f"accounts-{i}-nickname": "昵称",
            f"accounts-{i}-employee_no": no,
        }
    return data


def _owners() -> dict[str, int | None]:
    rows = db.session.execute(select(PlatformAccount.account_id, PlatformAccount.streamer_id))
    return {a: s for a, s in rows if a.startswith("0777")}


def test_one_submit_maps_every_filled_account_each_audited(room, newcomers, hr_client):
    preview = upload(hr_client, unknown_accounts_file())

    response = hr_client.post(
        "/imports/accounts/map-many", data=_mapping(preview, "E2001", "E2002", "", "E2003")
    )

    assert response.status_code == 302 and response.headers["Location"] == preview
    assert _owners() == {
        "0777001": newcomers["mia"].id,
        "0777002": newcomers["hua"].id,
        "0777004": newcomers["ming"].id,
    }
    audited = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity_type == "platform_account")
    ).all()
    assert audited == ["account.create"] * 3
    page = text(hr_client.get(preview))
    assert "3 accounts mapped. Check the file again to import their sessions." in page
    assert sorted(_account_rows(page)) == ["0777003"]


def test_one_refused_account_maps_none_and_is_named(room, newcomers, hr_client):
    preview = upload(hr_client, unknown_accounts_file())

    response = hr_client.post(
        "/imports/accounts/map-many", data=_mapping(preview, "E2001", "E9999")
    )

    assert response.status_code == 302 and _owners() == {}
    page = text(hr_client.get(preview))
    assert (
        "Nothing was mapped: account 0777002 (昵称): "
        "No streamer has the employee number E9999." in page
    )
    mapped = select(AuditEntry.id).where(AuditEntry.entity_type == "platform_account")
    assert db.session.scalar(mapped) is None


def test_a_submit_with_no_number_maps_nothing_and_says_so(room, newcomers, hr_client):
    preview = upload(hr_client, unknown_accounts_file())

    hr_client.post("/imports/accounts/map-many", data=_mapping(preview, "", ""))

    assert _owners() == {}
    assert "Give the employee number of at least one account." in text(hr_client.get(preview))


def test_a_reason_in_several_files_is_one_line_whose_rows_name_their_file(room, hr_client):
    first = template_file({"gmv": "x"})
    second = template_file({"started_at": "2026-09-05 19:00:00", "gmv": "y"})
    response = hr_client.post(
        "/imports/upload",
        data={"file": [(io.BytesIO(first), "一.csv"), (io.BytesIO(second), "二.csv")]},
        content_type="multipart/form-data",
    )

    page = text(hr_client.get(response.headers["Location"]))

    (line,) = re.findall(r"<tr class=\"error\">.*?</tr>", page, re.S)
    assert "Not a number." in line and '<td class="num">2</td>' in line
    assert '<span translate="no">一.csv</span>, Row 2: <code>x</code>' in line
    assert '<span translate="no">二.csv</span>, Row 2: <code>y</code>' in line
