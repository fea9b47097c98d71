"""The session check and batch pages as people read them: problems grouped by reason, each
naming row, column, value and reason in the reader's language; unknown accounts once each."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from sqlalchemy import select

from hrapp.extensions import db
from hrapp.live_sessions.models import ImportBatch

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
    assert ">gmv<" in line and "Not a number." in line and ">446<" in line
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
