"""Explanations are built when read, and hold exactly what the per-streamer rules give.

The reference below builds every explanation eagerly, streamer by streamer, with the scalar
rules (`Tariff.statement`, `checklist` on `index_inputs`) — the way `appraise` built them before
it computed its table column by column. Populations vary every kind of input (see
`scoring_populations`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scoring_factories import (
    CURRICULUM,
    quarter_sessions,
    sessions_frame,
    solo_hosts,
    streamers_frame,
)
from scoring_populations import Population, population

from scoring import AppraisalResult, Period, PromotionInputs, Scheme, appraise
from scoring.commission import Tariff
from scoring.explain import commission_dict, grade_band
from scoring.frames import dates, plain
from scoring.promotion import Quarter, checklist, index_inputs
from scoring.scheme import METRIC_UNITS
from scoring.score import score_streamers

AS_OF = (dt.date(2026, 9, 30), dt.date(2026, 5, 31))
FIGURES = [
    "sessions",
    "test_sessions",
    "on_air_seconds",
    "gmv_fen",
    "refunds_fen",
    "net_gmv_fen",
    "viewers",
    "views",
    "avg_watch_seconds",
    "new_followers",
    "unfollows",
    "net_followers",
    "buyers",
    "orders",
    "conversion",
    "refund_rate",
    "gpm",
    "uv_value",
    "gmv_per_hour",
    "follow_rate",
]
METRIC_FIELDS = ("actual", "target", "attainment", "points", "cohort", "cohort_size")


def _schemes(scheme: Scheme) -> dict[str, Scheme]:
    commission = dataclasses.replace(scheme.commission, mode="whole", cap_fen=1_000_000)
    scoring_rules = dataclasses.replace(scheme.scoring, method="percentile")
    return {
        "default": scheme,
        "whole, capped": dataclasses.replace(scheme, commission=commission),
        "percentile": dataclasses.replace(scheme, scoring=scoring_rules),
    }


def _reference(
    result: AppraisalResult,
    people: Population,
    scheme: Scheme,
    period: Period,
    inputs: PromotionInputs | None,
) -> dict[int, dict[str, Any]]:
    """Every explanation, eagerly, from the table and the scalar rules."""
    table = result.table
    columns = {c: plain(table[c]) for c in table.columns}
    rows = [
        dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)
    ]
    scores = score_streamers(table, scheme)
    metrics = {
        key: (metric, {field: plain(frame[field]) for field in METRIC_FIELDS})
        for metric in scheme.metrics
        for key, frame in [(metric.key, scores.metrics[metric.key])]
    }
    tariff = Tariff(scheme.commission)
    since = plain(dates(people.streamers["level_since"]).dt.date)
    evidence = None if inputs is None else index_inputs(inputs, scheme)
    explanations = {}
    for index, row in enumerate(rows):
        shown = {c: row[c] for c in FIGURES}
        seconds = shown["on_air_seconds"]
        shown["on_air_hours"] = None if seconds is None else round(seconds / 3600, 2)
        base = row["net_gmv_fen"]
        statement = (
            None
            if base is None
            else tariff.statement(base, row["grade"], seconds or 0, scheme.level(row["level"]))
        )
        promotion = None
        if evidence is not None:
            rule = scheme.promotion_from(row["level"])
            quarter = Quarter(
                period.code, row["grade"], seconds or 0, row["gmv_fen"], row["refunds_fen"]
            )
            items = (
                []
                if rule is None
                else checklist(rule, row["streamer_id"], since[index], quarter, evidence, scheme)
            )
            promotion = {
                "from_level": row["level"],
                "to_level": scheme.next_level(row["level"]),
                "eligible": rule is not None and all(item["met"] for item in items),
                "checklist": items,
            }
        explanations[row["streamer_id"]] = {
            "streamer_id": row["streamer_id"],
            "period": {
                "cycle": period.code,
                "start": period.start.isoformat(),
                "end": period.end.isoformat(),
                "tz": period.tz,
            },
            "scheme": scheme.name,
            "level": row["level"],
            # No level history given: the roster's level for every day of the quarter.
            "level_segments": [
                {
                    "level": row["level"],
                    "from": period.start.isoformat(),
                    "to": period.end.isoformat(),
                    "days": (period.end - period.start).days + 1,
                }
            ],
            "min_on_air_hours": scheme.level(row["level"]).min_on_air_hours,
            "category": row["category"],
            "figures": shown,
            "data_incomplete": row["data_incomplete"],
            "incomplete_reasons": list(row["incomplete_reasons"]),
            "metrics": [_metric(*metrics[key], scheme, index) for key in metrics],
            "score": row["score"],
            "max_score": scheme.scoring.max_score,
            "grade": row["grade"],
            "grade_band": grade_band(row["grade"], scheme),
            "not_graded": row["not_graded"],
            "not_graded_reason": row["not_graded_reason"],
            "commission": commission_dict(statement),
            "promotion": promotion,
        }
    return explanations


def _metric(
    metric: Any, columns: dict[str, list[Any]], scheme: Scheme, index: int
) -> dict[str, Any]:
    size = columns["cohort_size"][index]
    return {
        "metric": metric.key,
        "unit": METRIC_UNITS[metric.key],
        "weight": metric.weight,
        "method": scheme.scoring.method,
        "lower_is_better": metric.lower_is_better,
        **{field: columns[field][index] for field in METRIC_FIELDS[:-1]},
        "cohort_size": None if size is None else int(size),
    }


def _same(built: Any, expected: Any, path: str = "explanation") -> None:
    """Equal values of the same types, keys in the same order (NaN equals NaN)."""
    assert type(built) is type(expected), f"{path}: {type(built)} != {type(expected)}"
    if isinstance(expected, dict):
        assert list(built) == list(expected), path
        for key in expected:
            _same(built[key], expected[key], f"{path}.{key}")
    elif isinstance(expected, list | tuple):
        assert len(built) == len(expected), path
        for index, (a, b) in enumerate(zip(built, expected, strict=True)):
            _same(a, b, f"{path}[{index}]")
    elif not (isinstance(expected, float) and np.isnan(expected)):
        assert built == expected, f"{path}: {built!r} != {expected!r}"


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_explanations_equal_the_per_streamer_rules(scheme: Scheme, q3: Period, seed: int) -> None:
    people = population(seed)
    for name, variant in _schemes(scheme).items():
        for inputs in (None, people.inputs(AS_OF[seed % 2])):
            result = appraise(people.sessions, people.hosts, people.streamers, variant, q3, inputs)
            expected = _reference(result, people, variant, q3, inputs)
            assert list(result.explanations) == list(expected), name
            for streamer_id, explanation in expected.items():
                built = result.explanations[streamer_id]
                _same(built, explanation, f"{name}, streamer {streamer_id}")
                assert json.loads(json.dumps(built, allow_nan=False)) == built
            if inputs is not None:
                verdicts = [e["promotion"]["eligible"] for e in expected.values()]
                assert result.table["promotion_eligible"].tolist() == verdicts


CRITERIA: dict[str, dict[str, Any]] = {
    "months at level": {"min_months_at_level": 12},
    "grade": {"min_grade": "A", "min_quarters_at_grade": 2},
    "on-air hours": {"min_on_air_hours": 450},
    "refund rate": {"max_refund_rate": Decimal("0.1")},
    "modules": {},  # each rule keeps its modules
    "mentees": {"min_mentees_passed": 2, "mentee_module": "PRACTICAL-1"},
}


SWITCHED_OFF: dict[str, Any] = {
    "min_months_at_level": None,
    "window_quarters": None,
    "min_grade": None,
    "min_quarters_at_grade": None,
    "min_on_air_hours": None,
    "max_refund_rate": None,
    "modules": (),
    "min_mentees_passed": None,
    "mentee_module": None,
}


def _only(scheme: Scheme, criterion: str) -> Scheme:
    """Every step of the path judged by one criterion alone (over its own window)."""
    rules = tuple(
        dataclasses.replace(
            rule,
            **{
                **SWITCHED_OFF,
                "window_quarters": rule.window_quarters,
                "modules": rule.modules if criterion == "modules" else (),
                **CRITERIA[criterion],
            },
        )
        for rule in scheme.promotion
    )
    return dataclasses.replace(scheme, promotion=rules)


@pytest.mark.parametrize("criterion", list(CRITERIA))
def test_each_criterion_alone_decides_like_the_checklist(
    scheme: Scheme, q3: Period, criterion: str
) -> None:
    decided = []
    for seed, as_of in ((0, AS_OF[0]), (1, AS_OF[1]), (2, AS_OF[0])):
        people = population(seed)
        result = appraise(
            people.sessions,
            people.hosts,
            people.streamers,
            _only(scheme, criterion),
            q3,
            people.inputs(as_of),
        )
        verdicts = [
            result.explanations[sid]["promotion"]["eligible"] for sid in result.explanations
        ]
        assert result.table["promotion_eligible"].tolist() == verdicts
        decided += verdicts
    assert True in decided and False in decided  # both outcomes are exercised


def test_explanations_behave_as_a_dict_of_kept_explanations(scheme: Scheme, q3: Period) -> None:
    people = population(3)
    result = appraise(people.sessions, people.hosts, people.streamers, scheme, q3)
    ids = result.table["streamer_id"].tolist()
    assert list(result.explanations) == ids and len(result.explanations) == len(ids)
    assert ids[0] in result.explanations and -1 not in result.explanations
    first = result.explanations[ids[0]]
    assert result.explanations[ids[0]] is first  # kept: read twice, built once
    first["scheme_version"] = 7  # what the app adds before storing it
    assert result.explanations[ids[0]]["scheme_version"] == 7
    assert "scheme_version" not in result.explanations[ids[1]]
    with pytest.raises(KeyError):
        result.explanations[-1]


def test_explanations_ignore_inputs_changed_after_appraise(scheme: Scheme, q3: Period) -> None:
    people = population(4)
    frames = (people.sessions, people.hosts, people.streamers)
    records = (people.history, people.training, people.mentees)
    untouched = appraise(
        *(frame.copy(deep=True) for frame in frames),
        scheme,
        q3,
        PromotionInputs(
            AS_OF[0], *(frame.copy(deep=True) for frame in records), modules=CURRICULUM
        ),
    )
    result = appraise(*frames, scheme, q3, PromotionInputs(AS_OF[0], *records, modules=CURRICULUM))
    # The caller reuses its frames before anybody reads an explanation.
    people.sessions.loc[:, "gmv_fen"] = 0
    people.streamers.loc[:, "level_since"] = pd.Timestamp("2026-09-01")
    people.streamers.loc[:, "category"] = "changed"
    people.history.loc[:, "grade"] = "D"
    people.training.loc[:, "passed"] = False
    people.mentees.loc[:, "mentee_id"] = 1
    for streamer_id in untouched.explanations:
        _same(result.explanations[streamer_id], untouched.explanations[streamer_id])


def _history(*rows: tuple[str, str | None, int, int, int]) -> pd.DataFrame:
    """(cycle, grade, on_air_seconds, gmv_fen, refunds_fen) rows of streamer 1."""
    return pd.DataFrame(
        [(1, *row) for row in rows],
        columns=["streamer_id", "cycle", "grade", "on_air_seconds", "gmv_fen", "refunds_fen"],
    )


def _training(*rows: tuple[str, dt.date, float]) -> pd.DataFrame:
    return pd.DataFrame(
        [(1, code, day, score, True) for code, day, score in rows],
        columns=["streamer_id", "module_code", "completed_on", "score", "passed"],
    )


# case -> (fields of the only rule, level_since, data, eligible). The quarter: 20 sessions of
# 10 h, ¥10,000 GMV and ¥1,000 refunds each (unless `data` says otherwise); as of 2026-09-30.
ON_THE_LINE: dict[str, tuple[Any, ...]] = {
    "six months to the day": ({"min_months_at_level": 6}, dt.date(2026, 3, 31), {}, True),
    "a day short of six months": ({"min_months_at_level": 6}, dt.date(2026, 4, 1), {}, False),
    "400 h exactly": (
        {"min_on_air_hours": 400, "window_quarters": 2},
        None,
        {"history": _history(("2026Q2", None, 200 * 3600, 0, 0))},
        True,
    ),
    "a second short of 400 h": (
        {"min_on_air_hours": 400, "window_quarters": 2},
        None,
        {"history": _history(("2026Q2", None, 200 * 3600 - 1, 0, 0))},
        False,
    ),
    "refund rate exactly the limit": (
        {"max_refund_rate": Decimal("0.25"), "window_quarters": 2},
        None,
        {"history": _history(("2026Q2", None, 0, 20_000_000, 8_000_000))},
        True,
    ),
    "a fen above the limit": (
        {"max_refund_rate": Decimal("0.25"), "window_quarters": 2},
        None,
        {"history": _history(("2026Q2", None, 0, 20_000_000, 8_000_001))},
        False,
    ),
    "no GMV at all": (
        {"max_refund_rate": Decimal("0.25"), "window_quarters": 2},
        None,
        {"gmv_fen": 0, "refunds_fen": 0},
        False,
    ),
    "compliance valid until as of": (
        {"modules": "COMPLIANCE-1"},
        None,
        {"training": _training(("COMPLIANCE-1", dt.date(2025, 10, 1), 90.0))},
        True,
    ),
    "compliance expired the day before": (
        {"modules": "COMPLIANCE-1"},
        None,
        {"training": _training(("COMPLIANCE-1", dt.date(2025, 9, 30), 90.0))},
        False,
    ),
    "two mentees exactly": (
        {"min_mentees_passed": 2, "mentee_module": "PRACTICAL-1"},
        None,
        {"mentees": [10, 11, 11]},
        True,
    ),
    "one mentee twice": (
        {"min_mentees_passed": 2, "mentee_module": "PRACTICAL-1"},
        None,
        {"mentees": [10, 10]},
        False,
    ),
}


@pytest.mark.parametrize("case", list(ON_THE_LINE))
def test_criteria_on_the_line(scheme: Scheme, q3: Period, case: str) -> None:
    fields, since, data, eligible = ON_THE_LINE[case]
    money = {key: data[key] for key in ("gmv_fen", "refunds_fen") if key in data}
    rows = quarter_sessions(1, 20, 10, **{"gmv_fen": 1_000_000, "refunds_fen": 100_000, **money})
    sessions = sessions_frame(rows)
    modules = {m.code: m for r in scheme.promotion for m in r.modules}
    chosen = {**fields, "modules": (modules[fields["modules"]],) if "modules" in fields else ()}
    rule = dataclasses.replace(scheme.promotion[0], **{**SWITCHED_OFF, **chosen})
    mentees = pd.DataFrame(
        [
            (1, mentee, "PRACTICAL-1", dt.date(2026, 6, 1), 80.0, True)
            for mentee in data.get("mentees", [])
        ],
        columns=["mentor_id", "mentee_id", "module_code", "completed_on", "score", "passed"],
    )
    inputs = PromotionInputs(
        AS_OF[0],
        data.get("history"),
        data.get("training"),
        mentees if len(mentees) else None,
        modules=CURRICULUM,
    )
    result = appraise(
        sessions,
        solo_hosts(sessions, 1),
        streamers_frame([(1, "assistant", "beauty", since)]),
        dataclasses.replace(scheme, promotion=(rule,)),
        q3,
        inputs,
    )
    assert result.table["promotion_eligible"].tolist() == [eligible]
    assert result.explanations[1]["promotion"]["eligible"] is eligible
