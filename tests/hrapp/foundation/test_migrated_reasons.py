"""Migration 0003 on scoring's reasons: the English sentences that explanations stored before
reasons were data become codes with their facts, in appraisals and in finalized revisions, and
the appraisal page then words them in the reader's language. Run on each backend, in a
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

import scoring
from hrapp.appraisals.models import Appraisal, AppraisalRevision
from hrapp.extensions import db
from scoring.aggregate import FIGURE_COLUMNS
from tests.hrapp.foundation.migration_helpers import (
    insert_row,
    insert_streamer,
    migrated_app,
    migration_database,
    reader,
    rows_at,
)
from tests.hrapp.foundation.test_migrations import BACKENDS

OLD_NOT_GRADED = "on air 12.50 h, below 30 h"
OLD_INCOMPLETE = [
    "on-air time (no end time, no duration) unknown in 1 of 106 sessions",
    "avg_watch_seconds unknown in 2 of 106 sessions",
    "refunds from the moon unknown in 1 of 106 sessions",  # no figure scoring named: kept
]
NEW_NOT_GRADED = {"code": "below_min_hours", "hours": 12.5, "threshold": 30}
NEW_INCOMPLETE = [
    {"code": "unknown_in_sessions", "figure": "on_air_seconds", "missing": 1, "sessions": 106},
    {"code": "unknown_in_sessions", "figure": "avg_watch_seconds", "missing": 2, "sessions": 106},
    OLD_INCOMPLETE[2],
]


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of the backend `request.param`, as test_migrations makes them."""
    yield from migration_database(request.param, tmp_path)


def _explanation(not_graded_reason: str, incomplete_reasons: list[str]) -> dict:
    """An explanation as version 0002 stored it: the page's figures, and reasons as sentences."""
    return {
        "figures": {
            **dict.fromkeys(FIGURE_COLUMNS[1:-2], 0),
            "sessions": 106,
            "on_air_seconds": 45_000,
            "on_air_hours": 12.5,
        },
        "metrics": [],
        "commission": {"mode": None, "multipliers": OLD_MULTIPLIERS},
        "promotion": None,
        "max_score": 100,
        "data_incomplete": True,
        "incomplete_reasons": incomplete_reasons,
        "not_graded": True,
        "not_graded_reason": not_graded_reason,
    }


OLD_MULTIPLIERS = [
    {"kind": "grade", "factor": "1.0", "reason": "not graded", "grade": None},
    {
        "kind": "hours_gate",
        "factor": "0.5",
        "reason": "on air 12.50 h, below the assistant minimum of 30 h",
        "on_air_hours": 12.5,
        "min_on_air_hours": 30,
    },
]
NOW = dt.datetime(2026, 10, 8, 12, 0, tzinfo=dt.UTC)
APPRAISAL_ID, UNKNOWN_ID, REVISION_ID = 1, 2, 1


def _appraisals_at_0002(connection: sa.Connection) -> None:
    """Appraisal 1 and its finalized revision with the old sentences; appraisal 2 with a reason
    that is no sentence scoring wrote."""
    when, day = {"created_at": sa.DateTime(timezone=True)}, sa.Date
    insert_row(
        connection,
        "scheme_versions",
        {**when, "id": sa.Integer, "version": sa.Integer},
        id=1,
        version=1,
        name="Default scheme",
        toml=scoring.default_scheme_text(),
        note="",
        source="default",
        created_at=NOW,
    )
    insert_row(
        connection,
        "appraisal_cycles",
        {**when, "id": sa.Integer, "starts_on": day, "ends_on": day, "stale_reasons": sa.JSON},
        id=1,
        code="2026Q3",
        starts_on=dt.date(2026, 7, 1),
        ends_on=dt.date(2026, 9, 30),
        timezone="Asia/Shanghai",
        status="finalized",
        stale_reasons=[],
        created_at=NOW,
    )
    old = _explanation(OLD_NOT_GRADED, OLD_INCOMPLETE)
    unknown = _explanation("score unknown: charisma unknown", [])
    for number, explanation in ((APPRAISAL_ID, old), (UNKNOWN_ID, unknown)):
        insert_streamer(
            connection,
            number,
            NOW,
            employee_no=f"E{number}",
            legal_name=f"主播{number}",
            stage_name="",
        )
        insert_row(
            connection,
            "appraisals",
            {
                **{key: sa.Integer for key in ("id", "cycle_id", "streamer_id")},
                **{key: sa.Integer for key in ("scheme_version_id", "sessions", "lock_version")},
                **{key: sa.BigInteger for key in ("on_air_seconds", "adjustment_fen")},
                **{key: sa.Boolean for key in ("not_graded", "data_incomplete")},
                "promotion_eligible": sa.Boolean,
                "explanation": sa.JSON,
                "computed_at": sa.DateTime(timezone=True),
            },
            id=number,
            cycle_id=1,
            streamer_id=number,
            scheme_version_id=1,
            level="senior",
            team="",
            category="beauty",
            sessions=106,
            on_air_seconds=45_000,
            not_graded=True,
            data_incomplete=bool(explanation["incomplete_reasons"]),
            adjustment_fen=0,
            promotion_eligible=False,
            explanation=explanation,
            status="finalized",
            hr_notes="",
            shared_comment="",
            computed_at=NOW,
            lock_version=1,
        )
    insert_row(
        connection,
        "appraisal_revisions",
        {
            **{key: sa.Integer for key in ("id", "appraisal_id", "revision")},
            **when,
            "snapshot": sa.JSON,
        },
        id=REVISION_ID,
        appraisal_id=APPRAISAL_ID,
        revision=1,
        snapshot={"status": "finalized", "score": None, "explanation": old},
        reason="finalize",
        created_at=NOW,
    )


def _reasons_on_page(html: str) -> list[str]:
    """The not-graded line and each data-incomplete item, spaces collapsed."""
    warning = re.search(r'<div class="flash flash-warning">(.*?)</div>', html, re.S)
    error = re.search(r'<div class="flash flash-error">(.*?)</div>', html, re.S)
    assert warning and error, "the page shows no reasons"
    items = re.findall(r"<li>(.*?)</li>", error.group(1), re.S)
    return [" ".join(text.split()) for text in (warning.group(1), *items)]


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_stored_sentences_become_codes_the_page_words_in_both_languages(
    make_app: Callable[..., Flask], database_url: str
) -> None:
    with migrated_app(make_app, database_url) as migrated:
        rows_at("0002", _appraisals_at_0002)

        upgrade(revision="0003")

        explanation = db.session.get(Appraisal, APPRAISAL_ID).explanation
        assert explanation["not_graded_reason"] == NEW_NOT_GRADED
        assert explanation["incomplete_reasons"] == NEW_INCOMPLETE
        assert explanation["figures"]["sessions"] == 106  # the rest is untouched
        # A multiplier's English sentence goes; its kind and facts stay.
        assert explanation["commission"]["multipliers"] == [
            {k: v for k, v in factor.items() if k != "reason"} for factor in OLD_MULTIPLIERS
        ]
        kept = db.session.get(AppraisalRevision, REVISION_ID).snapshot
        assert kept["explanation"] == explanation and kept["status"] == "finalized"
        # A metric scoring never had: not a sentence it wrote, so kept as written.
        other = db.session.get(Appraisal, UNKNOWN_ID).explanation
        assert other["not_graded_reason"] == "score unknown: charisma unknown"

        db.session.close()
        upgrade()  # the later revisions: the page reads today's tables
        chinese = _reasons_on_page(
            reader(migrated, "zh_CN").get(f"/appraisals/{APPRAISAL_ID}").text
        )
        english = _reasons_on_page(reader(migrated, "en").get(f"/appraisals/{APPRAISAL_ID}").text)

    assert chinese == [
        "不评级： 本季度直播 12.50 小时，低于评级所需的 30 小时",
        "106 场直播中有 1 场的直播时长未知（既无结束时间，也无时长）",
        "106 场直播中有 2 场的人均观看时长未知",
        OLD_INCOMPLETE[2],  # shown as written
    ]
    assert english == [
        "Not graded: on air 12.50 h in the quarter, below the 30 h a grade needs",
        "On-air time unknown in 1 of 106 sessions (neither an end time nor a duration)",
        "Average watch time unknown in 2 of 106 sessions",
        OLD_INCOMPLETE[2],
    ]
