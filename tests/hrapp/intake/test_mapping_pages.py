"""The upload page with a file no format fits: map its columns, see the rows as read, save the
mapping, check and import the file with it (server-rendered, no JavaScript)."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from hrapp.core.audit import AuditEntry
from hrapp.extensions import db
from hrapp.intake.batch_model import ImportBatch
from hrapp.intake.mapping_store import SavedMapping, find_mapping
from hrapp.live_sessions.models import LiveSession
from tests.intake.test_mappings import CHANMAMA_ROWS
from tests.live_sessions_parsing.builders import xlsx_bytes

from .test_mapping_import import GMV_TOTAL_FEN, REFUNDS_TOTAL_FEN, VIEWERS_TOTAL, totals

# The choices HR makes on the page for CHANMAMA_ROWS' header row, column by column.
CHOICES = [
    "nickname",
    "account_id",
    "started_at",
    "ended_at",
    "gmv",
    "refunds",
    "viewers",
    "views",
    "avg_watch_seconds",
    "on_air_minutes",
    "",
]


@pytest.fixture
def hr_client(hr, login_as):
    hr.locale = "en"
    db.session.commit()
    return login_as(hr)


def text(response) -> str:
    return response.get_data(as_text=True)


def uploaded(client, rows: list[list[str]] = CHANMAMA_ROWS) -> tuple[str, str]:
    """Upload an unfamiliar workbook; its preview URL and hash."""
    response = client.post(
        "/imports/upload",
        data={"file": (io.BytesIO(xlsx_bytes(rows)), "蝉妈妈.xlsx"), "platform": "auto"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    return location, re.search(r"preview/([0-9a-f]{64})", location).group(1)


def form(sha: str, action: str, **settings: str) -> dict[str, str]:
    data = {"name": "蝉妈妈.xlsx", "action": action, "platform": "douyin", **settings}
    data.update({f"col-{i}": field for i, field in enumerate(CHOICES)})
    return data


def selected(page: str, column: int) -> str | None:
    select_html = re.search(rf'<select id="col-{column}".*?</select>', page, re.S).group(0)
    match = re.search(r'<option value="([^"]*)" selected>', select_html)
    return match.group(1) if match else None


def test_a_file_no_format_fits_offers_its_columns_with_suggested_fields(rooms, hr_client):
    preview_url, _sha = uploaded(hr_client)
    preview = text(hr_client.get(preview_url))
    assert "This file cannot be imported" in preview
    link = re.search(r'href="([^"]+)" data-map-columns', preview).group(1)

    page = text(hr_client.get(link.replace("&amp;", "&")))

    assert "Map the columns of 蝉妈妈.xlsx" in page
    for header in CHANMAMA_ROWS[2]:
        assert header in page  # the header row under the two title rows
    assert selected(page, 1) == "account_id"  # 达人抖音号: a known spelling
    assert selected(page, 2) == "started_at"  # 开播: its values are date-times
    assert selected(page, 3) == "ended_at"
    assert selected(page, 4) == "gmv"  # 销售额
    assert selected(page, 6) == "viewers"  # 场观
    assert selected(page, 10) is None  # 转粉率: nothing suggested
    # The suggestions already cover the required fields: the rows as read are shown.
    assert "15,000.00" in page and "2026-09-07 08:00:00" in page


def test_a_file_no_reader_opens_is_not_offered_a_column_mapping(rooms, hr_client):
    # Named like a workbook, but nothing any reader opens: it is not kept, so a mapping page
    # would only answer that the upload is gone.
    response = hr_client.post(
        "/imports/upload",
        data={"file": (io.BytesIO(b"PK\x03\x04 not a workbook"), "x.xlsx"), "platform": "auto"},
        content_type="multipart/form-data",
    )
    preview = text(hr_client.get(response.headers["Location"]))
    assert "This file cannot be imported" in preview
    assert "data-map-columns" not in preview and "Map the columns" not in preview


def test_the_rows_are_shown_as_read_with_the_chosen_fields(rooms, hr_client):
    _, sha = uploaded(hr_client)

    response = hr_client.post(f"/imports/map/{sha}", data=form(sha, "preview"))

    page = text(response)
    assert response.status_code == 200
    preview = page[page.index("data-mapping-preview") :]
    assert "1,234.50" in preview  # ¥1,234.50 read as an amount
    assert "10,000,000.00" in preview  # ¥0.1亿
    assert "65" in preview and "90" in preview  # 1分5秒 and 00:01:30 as seconds
    assert db.session.scalar(select(func.count(SavedMapping.id))) == 0  # nothing saved


def test_a_missing_required_field_is_named_and_nothing_is_saved(rooms, hr_client):
    _, sha = uploaded(hr_client)
    data = form(sha, "save", mapping_name="蝉妈妈")
    data["col-4"] = ""  # 销售额 not used: no GMV

    response = hr_client.post(f"/imports/map/{sha}", data=data)

    assert response.status_code == 422
    assert "No column is mapped to the required field(s) gmv." in text(response)
    assert db.session.scalar(select(func.count(SavedMapping.id))) == 0


def test_saving_needs_a_name(rooms, hr_client):
    _, sha = uploaded(hr_client)
    response = hr_client.post(f"/imports/map/{sha}", data=form(sha, "save"))
    assert response.status_code == 422
    assert "The mapping needs a name." in text(response)


def test_a_saved_mapping_checks_and_imports_the_file_and_the_next_one(rooms, hr_client):
    _, sha = uploaded(hr_client)

    saved = hr_client.post(
        f"/imports/map/{sha}",
        data=form(sha, "save", mapping_name="蝉妈妈 直播记录", timezone="Asia/Shanghai"),
    )

    assert saved.status_code == 302
    mapping = find_mapping("蝉妈妈 直播记录")
    assert mapping is not None and mapping.fields["gmv"] == "销售额"
    assert "转粉率" not in dict(mapping.columns)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "mapping.save")).one()
    assert entry.actor_name == "hr_li"
    check = text(hr_client.get(saved.headers["Location"]))
    assert "Format: Column mapping. 3 data rows read. “蝉妈妈 直播记录”" in check
    assert "No problems found." in check

    confirmed = hr_client.post(
        f"/imports/preview/{sha}/confirm", data={"name": "蝉妈妈.xlsx", "platform": "auto"}
    )

    assert confirmed.status_code == 302
    batch = db.session.scalars(select(ImportBatch)).one()
    assert (batch.status, batch.format, batch.mapping_name) == (
        "imported",
        "mapping",
        "蝉妈妈 直播记录",
    )
    assert totals() == (3, GMV_TOTAL_FEN, REFUNDS_TOTAL_FEN, VIEWERS_TOTAL)
    assert "Column mapping “蝉妈妈 直播记录”" in text(hr_client.get("/imports/"))
    # The next month's file with the same headers is read with the mapping without asking.
    later = [
        *CHANMAMA_ROWS[:3],
        ["小红", "0439563", "2026/10/01 20:00", "", "¥500", "", "", "", "", "", ""],
    ]
    preview_url, _sha = uploaded(hr_client, later)
    next_check = text(hr_client.get(preview_url))
    assert "Format: Column mapping. 1 data rows read." in next_check
    assert "No problems found." in next_check
    assert db.session.scalar(select(func.count(LiveSession.id))) == 3


def test_the_mapping_form_carries_a_csrf_token(app, rooms, hr_client):
    _, sha = uploaded(hr_client)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        page = text(hr_client.get(f"/imports/map/{sha}?name=x.xlsx"))
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        assert hr_client.post(f"/imports/map/{sha}", data=form(sha, "preview")).status_code == 400
        sent = hr_client.post(
            f"/imports/map/{sha}", data={**form(sha, "preview"), "csrf_token": token}
        )
        assert sent.status_code == 200
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_a_changed_choice_refreshes_the_rows_as_read(rooms, hr_client):
    _, sha = uploaded(hr_client)
    data = form(sha, "preview")
    data["col-5"] = "refunds_1h"  # 退款 read as refunds within an hour instead

    reply = hr_client.post(f"/imports/map/{sha}/preview", data=data)

    assert reply.status_code == 200
    html = reply.get_json()["html"]
    assert "Refunds within an hour" in html and "1,234.50" in html
    data["col-1"] = ""
    missing = hr_client.post(f"/imports/map/{sha}/preview", data=data).get_json()["html"]
    assert "No column is mapped to the required field(s) account_id." in missing


def test_the_mapping_page_reads_in_chinese(rooms, hr, login_as):
    hr.locale = "zh_CN"
    db.session.commit()
    client = login_as(hr)
    _, sha = uploaded(client)

    page = text(client.get(f"/imports/map/{sha}?name=蝉妈妈.xlsx"))

    assert "为 蝉妈妈.xlsx 指定列" in page
    assert "保存映射并检查文件" in page and "前几行的读取结果" in page
    assert "账号 ID *" in page and "不使用" in page  # the field chooser's words
