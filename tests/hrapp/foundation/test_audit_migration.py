"""Migration 0003 on the audit log, job titles and the level history: the sentences the code
wrote (English f-strings, and `_()` evaluated in the writer's language, English or Chinese)
become the messages it writes now; a summary that only named its object becomes empty; what a
person wrote, and anything not recognised, stays as it was written. Run on each backend, in a
database of its own (see test_migrations)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from hrapp.extensions import db
from tests.hrapp.foundation.migration_helpers import (
    insert_row,
    insert_streamer,
    migrated_app,
    migration_database,
    rows_at,
)
from tests.hrapp.foundation.test_migrations import BACKENDS

NOW = dt.datetime(2026, 10, 8, 12, 0, tzinfo=dt.UTC)
STREAMER_ID = 7


def _message(msgid: str, **params: Any) -> dict[str, Any]:
    return {"id": msgid, "params": params}


# (action, entity type, entity id, the summary as stored at 0002, the summary after 0003)
SUMMARIES: list[tuple[str, str, str | None, str, Any]] = [
    (
        "auth.login_failed",
        "user",
        None,
        "failed login for wang",
        _message("Failed login for %(username)s.", username="wang"),
    ),
    ("user.password_change", "user", "3", "password changed", ""),
    ("streamer.update", "streamer", str(STREAMER_ID), "E1001 张三（小美）", ""),
    (
        "streamer.level_change",
        "streamer",
        str(STREAMER_ID),
        "连续两季 A",
        _message("Reason: %(reason)s", reason="连续两季 A"),
    ),
    ("streamer.leave", "streamer", str(STREAMER_ID), "E1001 张三（小美）", ""),
    (
        "streamer.mentor",
        "streamer",
        str(STREAMER_ID),
        "自 2025-09-01 起生效。",
        _message("Effective %(date)s.", date={"date": "2025-09-01"}),
    ),
    (
        "training.record.void",
        "training_record",
        "5",
        "E1001 PRACTICAL-1 2026-09-01 score 90.0: logged for the wrong person: twice",
        _message("Reason: %(reason)s", reason="logged for the wrong person: twice"),
    ),
    (
        "training.import",
        "import_batch",
        "2",
        "records.csv: 12 inserted, 3 unchanged",
        _message(
            "%(file)s: %(inserted)d inserted, %(unchanged)d unchanged.",
            file="records.csv",
            inserted=12,
            unchanged=3,
        ),
    ),
    (
        "cycle.export",
        "appraisal_cycle",
        "1",
        "Cycle 2026Q3 exported as CSV (2 appraisals).",
        _message("Cycle %(code)s exported as CSV (%(n)d appraisals).", code="2026Q3", n=2),
    ),
    (
        "cycle.export",
        "appraisal_cycle",
        "1",
        "考核周期 2026Q3 已导出为 XLSX（2 份考核）。",
        _message("Cycle %(code)s exported as XLSX (%(n)d appraisals).", code="2026Q3", n=2),
    ),
    (
        "appraisal.adjust",
        "appraisal",
        "4",
        "薪酬调整 ¥-200.50：迟到扣款",
        _message(
            "Pay adjustment of %(amount)s: %(reason)s",
            amount={"fen": -20_050},
            reason="迟到扣款",
        ),
    ),
    (
        "cycle.create",
        "appraisal_cycle",
        "1",
        "Cycle 2026Q3 created (2026-07-01 to 2026-09-30, Asia/Shanghai).",
        _message(
            "Cycle %(code)s created (%(start)s to %(end)s, %(zone)s).",
            code="2026Q3",
            start={"date": "2026-07-01"},
            end={"date": "2026-09-30"},
            zone="Asia/Shanghai",
        ),
    ),
    (
        "roster.import",
        "roster",
        None,
        "roster.csv: 主播：新增 1，更新 2，未变 3。账号：新增 4，更新 5，未变 6。",
        _message(
            "%(file)s: streamers %(c)d created, %(u)d updated, %(n)d unchanged; "
            "accounts %(ac)d created, %(au)d updated, %(an)d unchanged.",
            file="roster.csv",
            c=1,
            u=2,
            n=3,
            ac=4,
            au=5,
            an=6,
        ),
    ),
    ("job.submit", "job", "1", "sessions_import: 正在导入 s.csv", ""),
    ("exchange_rate.set", "exchange_rate", "1", "USD 2026-09", ""),
    ("cycle.run", "appraisal_cycle", "1", "a sentence nobody wrote", "a sentence nobody wrote"),
]
# (the title as stored at 0002, the title after 0003)
JOB_TITLES = [
    ("正在导入 s.csv", _message("Importing %(file)s", file="s.csv")),
    (
        "What a re-run of cycle 2026Q3 would change",
        _message("What a re-run of cycle %(code)s would change", code="2026Q3"),
    ),
    ("an old job", "an old job"),
]
# (the reason as stored at 0002, the reason after 0003)
LEVEL_REASONS = [
    ("", ""),
    ("连续两季 A", "连续两季 A"),  # written by HR: kept
    ("从 roster.csv 导入花名册", _message("Roster import from %(file)s", file="roster.csv")),
    (
        "连续两个季度考核A级以上，晋升资深主播",
        _message("Grade A or better two quarters running: promoted to senior streamer"),
    ),
]


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from migration_database(request.param, tmp_path)


def _rows_at_0002(connection: sa.Connection) -> None:
    moment = sa.DateTime(timezone=True)
    insert_streamer(
        connection, STREAMER_ID, NOW, employee_no="E1001", legal_name="张三", stage_name="小美"
    )
    for number, (action, kind, key, summary, _new) in enumerate(SUMMARIES, start=1):
        insert_row(
            connection,
            "audit_entries",
            {"id": sa.Integer, "at": moment, "changes": sa.JSON},
            id=number,
            at=NOW,
            actor_name="hr",
            action=action,
            entity_type=kind,
            entity_id=key,
            summary=summary,
            changes={},
        )
    for number, (title, _new) in enumerate(JOB_TITLES, start=1):
        insert_row(
            connection,
            "jobs",
            {
                **{key: sa.Integer for key in ("id", "done", "total")},
                "result": sa.JSON,
                "created_at": moment,
            },
            id=number,
            kind="sessions_import",
            title=title,
            status="done",
            done=0,
            total=0,
            message="",
            result={},
            created_at=NOW,
        )
    for number, (reason, _new) in enumerate(LEVEL_REASONS, start=1):
        insert_row(
            connection,
            "level_changes",
            {
                **{key: sa.Integer for key in ("id", "streamer_id")},
                "effective_on": sa.Date,
                "created_at": moment,
            },
            id=number,
            streamer_id=STREAMER_ID,
            from_level=None if number == 1 else "assistant",
            to_level="senior",
            effective_on=dt.date(2026, 1, number),
            reason=reason,
            created_at=NOW,
        )


def _column(connection: sa.Connection, table: str, column: str) -> list[Any]:
    rows = sa.table(table, sa.column("id", sa.Integer), sa.column(column, sa.JSON))
    query = sa.select(rows.c[column]).order_by(rows.c.id)
    return list(connection.execute(query).scalars())


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_stored_summaries_titles_and_reasons_become_messages(
    make_app: Callable[..., Flask], database_url: str
) -> None:
    with migrated_app(make_app, database_url):
        rows_at("0002", _rows_at_0002)
        upgrade()
        with db.engine.connect() as connection:
            summaries = _column(connection, "audit_entries", "summary")
            titles = _column(connection, "jobs", "title")
            reasons = _column(connection, "level_changes", "reason")
    assert summaries == [new for *_old, new in SUMMARIES]
    assert titles == [new for _old, new in JOB_TITLES]
    assert reasons == [new for _old, new in LEVEL_REASONS]
