"""Scoring's reasons (not graded, data incomplete) are stored as codes with their facts and
worded in the reader's language wherever they are shown; sentences stored before that are
shown as written."""

from __future__ import annotations

import json
import re

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import select

from hrapp.appraisals import services
from hrapp.appraisals.models import Appraisal
from hrapp.appraisals.reasons import (
    incomplete_texts,
    multiplier_text,
    not_graded_text,
    reason_text,
)
from hrapp.appraisals.runner import run_cycle
from hrapp.extensions import db
from tests.factories import make_account, make_streamer
from tests.hrapp.appraisals.helpers import broadcast

BELOW = {"code": "below_min_hours", "hours": 1234.5, "threshold": 30}
UNKNOWN_SCORE = {"code": "score_unknown", "metrics": ["net_gmv", "avg_watch_seconds"]}
WATCH = {"code": "unknown_in_sessions", "figure": "avg_watch_seconds", "missing": 1, "sessions": 1}
ON_AIR = {"code": "unknown_in_sessions", "figure": "on_air_seconds", "missing": 2, "sessions": 1106}
LATIN_OR_CODE = re.compile(r"[A-Za-z_]")


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (
            "en",
            [
                "on air 1,234.50 h in the quarter, below the 30 h a grade needs",
                "no value for Net GMV, Average watch time, so the score is unknown",
                "Average watch time unknown in 1 of 1 session",
                "On-air time unknown in 2 of 1,106 sessions (neither an end time nor a duration)",
            ],
        ),
        (
            "zh_CN",
            [
                "本季度直播 1,234.50 小时，低于评级所需的 30 小时",
                "净GMV、人均观看时长 无数据，因此得分未知",
                "1 场直播中有 1 场的人均观看时长未知",
                "1,106 场直播中有 2 场的直播时长未知（既无结束时间，也无时长）",
            ],
        ),
    ],
)
def test_each_reason_reads_in_the_readers_language(
    app: Flask, locale: str, expected: list[str]
) -> None:
    with app.test_request_context(), force_locale(locale):
        shown = [reason_text(r) for r in (BELOW, UNKNOWN_SCORE, WATCH, ON_AIR)]
    assert shown == expected


def test_sentences_stored_before_reasons_were_data_are_shown_as_written(app: Flask) -> None:
    with app.test_request_context(), force_locale("zh_CN"):
        assert not_graded_text("on air 12.50 h, below 30 h") == "on air 12.50 h, below 30 h"
        assert incomplete_texts(["views unknown in 1 of 2 sessions", WATCH]) == [
            "views unknown in 1 of 2 sessions",
            "1 场直播中有 1 场的人均观看时长未知",
        ]
        assert not_graded_text(None) is None and incomplete_texts(None) == []


def _reasons_on_page(html: str) -> tuple[str, list[str]]:
    """The not-graded line and the data-incomplete items of an appraisal page."""
    warning = re.search(r'<div class="flash flash-warning">(.*?)</div>', html, re.S)
    error = re.search(r'<div class="flash flash-error">(.*?)</div>', html, re.S)
    assert warning and error, "the page shows no reasons"
    items = re.findall(r"<li>(.*?)</li>", error.group(1), re.S)
    return " ".join(warning.group(1).split()), items


def test_the_appraisal_page_words_the_reasons_in_the_readers_language(hr, login_as) -> None:
    cycle = services.create_cycle("2026Q3")
    streamer = make_streamer(level="senior")
    broadcast(make_account(streamer), hours=2, avg_watch_seconds=None)
    run_cycle(cycle)
    appraisal = db.session.scalars(select(Appraisal).where(Appraisal.cycle_id == cycle.id)).one()
    # What is stored is data: codes and facts, no sentence.
    assert appraisal.explanation["not_graded_reason"] == {
        "code": "below_min_hours",
        "hours": 2.0,
        "threshold": 30,
    }
    assert appraisal.explanation["incomplete_reasons"] == [WATCH]
    hr.locale = "zh_CN"
    db.session.commit()

    chinese = _reasons_on_page(login_as(hr).get(f"/appraisals/{appraisal.id}").text)
    hr.locale = "en"
    db.session.commit()
    english = _reasons_on_page(login_as(hr).get(f"/appraisals/{appraisal.id}").text)

    assert chinese == ("不评级： 本季度直播 2.00 小时，低于评级所需的 30 小时", [WATCH_ZH])
    assert not LATIN_OR_CODE.search(json.dumps(chinese, ensure_ascii=False))
    assert english == (
        "Not graded: on air 2.00 h in the quarter, below the 30 h a grade needs",
        ["Average watch time unknown in 1 of 1 session"],
    )


WATCH_ZH = "1 场直播中有 1 场的人均观看时长未知"


def test_the_what_if_page_words_the_not_graded_reason(hr, login_as) -> None:
    query = (
        "/appraisals/what-if?level=senior&net_gmv=1200000&watch_seconds=90"
        "&net_followers=15000&hours=20"
    )
    hr.locale = "zh_CN"
    db.session.commit()
    chinese = login_as(hr).get(query)
    hr.locale = "en"
    db.session.commit()
    english = login_as(hr).get(query)

    assert chinese.status_code == english.status_code == 200
    assert "不评级： 本季度直播 20.00 小时，低于评级所需的 30 小时" in chinese.text
    assert "Not graded: on air 20.00 h in the quarter, below the 30 h a grade needs" in english.text
    assert "below_min_hours" not in chinese.text + english.text


def test_the_what_if_command_prints_the_reason_as_a_sentence(cli) -> None:
    result = cli(
        "whatif",
        *("--level", "senior", "--net-gmv", "1200000", "--watch-seconds", "90"),
        *("--net-followers", "15000", "--hours", "20"),
    )

    assert result.exit_code == 0, result.output
    # The test runs in English (the appraisal tests' fixture); commands speak its language.
    reason = json.loads(result.stdout)["not_graded_reason"]
    assert reason == "on air 20.00 h in the quarter, below the 30 h a grade needs"


GATE = {"kind": "hours_gate", "factor": "0.5", "on_air_hours": 1239.99, "min_on_air_hours": 1240}


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (
            "en",
            [
                "Grade S",
                "Not graded",
                "On air 1,239.99 h, below the minimum of 1,240 h for the level",
            ],
        ),
        ("zh_CN", ["等级 S", "不评级", "直播 1,239.99 小时，低于该级别的最低要求 1,240 小时"]),
    ],
)
def test_a_multiplier_is_worded_from_its_kind_and_facts(
    app: Flask, locale: str, expected: list[str]
) -> None:
    factors = [{"kind": "grade", "grade": "S"}, {"kind": "grade", "grade": None}, GATE]
    with app.test_request_context(), force_locale(locale):
        assert [multiplier_text(f) for f in factors] == expected
