"""The roster import's preview in the reader's language: fields, levels, categories and
platforms by their labels, and every problem worded from its stored message."""

from __future__ import annotations

import io

import pytest

from hrapp.auth.models import Role
from hrapp.extensions import db
from tests.factories import make_readers, make_streamer

HEADER = "employee_no,name,stage_name,level,category,team,hire_date,platform,account_id,nickname"


@pytest.fixture
def readers(app, login_as):
    """HR clients reading Chinese and English (each saved their language)."""
    return make_readers(login_as, Role.HR)


def _preview(client, *rows: str, name: str = "roster.csv") -> str:
    """The preview's card (the upload card below it names the file's columns)."""
    data = "\n".join([HEADER, *rows]).encode()
    response = client.post(
        "/streamers/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    return response.get_data(as_text=True).split('<section class="card">')[1]


def test_the_preview_names_fields_and_codes_by_their_labels(readers) -> None:
    chinese, english = readers
    make_streamer(employee_no="E1", legal_name="甲", level="mentor", category="beauty")
    db.session.commit()
    row = "E1,乙,,assistant,food,,2024-05-06,douyin,0001,乙的直播间"

    zh, en = _preview(chinese, row), _preview(english, row)

    for code in ("hire_date", "legal_name", ">mentor<", ">assistant<", ">food<", ">douyin<"):
        assert code not in zh and code not in en
    assert "入职日期" in zh and "真实姓名" in zh and "Hire date" in en and "Legal name" in en
    assert "<del>培训导师</del> → <ins>助理主播</ins>" in zh
    assert "<del>Training mentor</del> → <ins>Assistant streamer</ins>" in en
    assert "<ins>食品</ins>" in zh and "<ins>Food</ins>" in en
    assert "抖音 <code>0001</code>" in zh and "Douyin <code>0001</code>" in en
    assert "2024年5月6日" in zh and "6 May 2024" in en


def test_a_new_streamer_is_previewed_with_labels(readers) -> None:
    chinese, _english = readers

    zh = _preview(chinese, "E2,丙,,senior,appliance,,2024-02-03,,,")

    assert "资深主播 · 家电" in zh


def test_problems_read_in_each_language_with_the_column_by_its_label(readers) -> None:
    chinese, english = readers
    row = "E1,甲,,boss,beauty,,2024-02-03,douyin,1,"

    zh, en = _preview(chinese, row), _preview(english, row)

    assert "<td>级别</td><td>未知级别" in zh and "<code>boss</code>" in zh
    assert "assistant（助理主播）" in zh and "Unknown level" not in zh
    assert "<td>Level</td><td>Unknown level" in en and "Row 2: <code>boss</code>" in en
    assert "assistant (Assistant streamer)" in en


def test_a_file_that_is_no_table_is_refused_in_the_readers_language(readers) -> None:
    chinese, english = readers
    data = b"\x00\x01\x02 not a table"

    def refused(client) -> str:
        return client.post(
            "/streamers/import",
            data={"file": (io.BytesIO(data), "roster.csv")},
            content_type="multipart/form-data",
        ).get_data(as_text=True)

    refusal = "This is neither an Excel workbook (.xlsx) nor a CSV text file."
    assert refusal in refused(english)
    assert refusal not in refused(chinese)
