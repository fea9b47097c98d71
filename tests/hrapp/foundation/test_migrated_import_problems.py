"""Migration 0003 on session import problems: the sentences import batches and checking jobs
stored (the parser's English, the importer's checks in the writer's language) become messages,
and the batch page then words them in the reader's language. Run on each backend, in a
database of its own (see test_migrations)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from hrapp.extensions import db
from hrapp.intake.batch_model import ImportBatch
from hrapp.jobs.models import Job
from tests.hrapp.foundation.migration_helpers import (
    insert_row,
    migrated_app,
    migration_database,
    reader,
    rows_at,
)
from tests.hrapp.foundation.test_migrations import BACKENDS

NOW = dt.datetime(2026, 10, 8, 12, 0, tzinfo=dt.UTC)


def _problem(row: int | None, reason: str, severity: str = "error") -> dict:
    return {"row": row, "column": "gmv", "value": "x", "reason": reason, "severity": severity}


OLD_REPORT = [
    _problem(
        None,
        "No header row of a known export was found in the first 20 rows "
        "(looked for: Douyin Compass (电商罗盘) session list; hrapp session template).",
    ),
    _problem(2, "Not a number."),
    _problem(3, "未知账号 0777001（新人直播间）：请将其关联到主播。"),
    _problem(
        4,
        "Lower than the 800.00 already stored for this session; refund figures only "
        "grow, so the stored figure is kept.",
        "warning",
    ),
    _problem(5, "The shares add up to 90.5%, not 100%."),
    _problem(6, "a sentence nobody wrote"),
]
NEW_REASONS = [
    {
        "id": "No header row of a known export was found in the first %(n)d rows "
        "(looked for: %(formats)s).",
        "params": {
            "n": 20,
            "formats": [
                {"label": "format", "code": "douyin_compass"},
                {"label": "format", "code": "template"},
            ],
        },
    },
    {"id": "Not a number.", "params": {}},
    {
        "id": "Unknown account %(account)s (%(nickname)s): map it to a streamer.",
        "params": {"account": "0777001", "nickname": "新人直播间"},
    },
    {
        "id": "Lower than the %(stored)s already stored for this session; refund figures only "
        "grow, so the stored figure is kept.",
        "params": {"stored": {"fen": 80000}},
    },
    {"id": "The shares add up to %(total)s%%, not 100%%.", "params": {"total": "90.5"}},
    "a sentence nobody wrote",  # kept as written
]


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from migration_database(request.param, tmp_path)


def _stored_at_0002(connection: sa.Connection) -> None:
    """A refused batch with the old report, and a checking job whose result holds it too."""
    numbers = dict.fromkeys(
        ("id", "size_bytes", "total_rows", "inserted", "updated", "unchanged", "rejected"),
        sa.Integer,
    )
    insert_row(
        connection,
        "import_batches",
        {**numbers, "omitted_problems": sa.Integer, "accept_valid_rows": sa.Boolean,
         "report": sa.JSON, "created_at": sa.DateTime(timezone=True)},
        id=1, kind="sessions", filename="九月.csv", sha256="0" * 64, size_bytes=10,
        format="template", status="refused", accept_valid_rows=False, total_rows=6,
        inserted=0, updated=0, unchanged=0, rejected=5, report=OLD_REPORT,
        omitted_problems=0, created_at=NOW,
    )  # fmt: skip
    result = {"payload": {"dry_run": True}, "outcome": {"check": {"problems": OLD_REPORT}}}
    insert_row(
        connection,
        "jobs",
        {"id": sa.Integer, "done": sa.Integer, "total": sa.Integer, "result": sa.JSON,
         "created_at": sa.DateTime(timezone=True)},
        id=1, kind="sessions_import", title="Checking 九月.csv", status="done", done=1, total=1,
        message="", result=result, created_at=NOW,
    )  # fmt: skip


def _reasons(html: str) -> list[str]:
    rows = re.findall(r"<tr class=\"(?:error|warning)\">.*?</tr>", html, re.S)
    # One line per reason (column, reason, rows, where): the second cell is the reason.
    return [" ".join(re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[1].split()) for row in rows]


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_stored_problem_sentences_become_messages_read_in_both_languages(
    make_app: Callable[..., Flask], database_url: str
) -> None:
    with migrated_app(make_app, database_url) as migrated:
        rows_at("0002", _stored_at_0002)

        upgrade(revision="0003")

        # Only the column this revision has: the model knows columns added later.
        report = db.session.scalar(sa.select(ImportBatch.report).where(ImportBatch.id == 1))
        assert [p["reason"] for p in report] == NEW_REASONS
        assert report[1]["row"] == 2 and report[1]["value"] == "x"  # the rest is untouched
        db.session.close()
        upgrade()  # the later revisions: the page reads today's tables
        job = db.session.get(Job, 1)
        assert [p["reason"] for p in job.result["outcome"]["check"]["problems"]] == NEW_REASONS
        chinese = _reasons(reader(migrated, "zh_CN").get("/imports/batches/1").text)
        english = _reasons(reader(migrated, "en").get("/imports/batches/1").text)

    assert chinese[1:] == [
        "不是数字。",
        "未知账号 0777001（新人直播间）：请将其关联到主播。",
        "低于该场次已存的 ¥800.00；退款数据只增不减，因此保留已存数值。",
        "各主播占比合计为 90.5%，不是 100%。",
        "a sentence nobody wrote",
    ]
    assert "抖音电商罗盘场次列表、hrapp 场次模板" in chinese[0]
    assert english[1:] == [
        "Not a number.",
        "Unknown account 0777001 (新人直播间): map it to a streamer.",
        "Lower than the ¥800.00 already stored for this session; refund figures only grow, "
        "so the stored figure is kept.",
        "The shares add up to 90.5%, not 100%.",
        "a sentence nobody wrote",
    ]
