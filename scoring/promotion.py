"""Promotion eligibility as a checklist for the next step of the promotion path.

"What do I still need?" is the question streamers ask, so the result is one item per criterion:
what is required, what the streamer has, met or not. The "as of" date is an argument; nothing
here reads the clock.

`checklist` explains one streamer; `eligibility` gives the same verdict for every streamer of a
quarter at once, criterion by criterion over whole columns, for the appraisal table.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from scoring.exact import exact_sum, times
from scoring.frames import date_problems, dates, integer_problems, missing_columns, plain, rows
from scoring.keys import positions
from scoring.period import previous_quarter_codes
from scoring.scheme import PromotionRule, Scheme
from scoring.training import (
    PASSED,
    Attempt,
    ModuleRule,
    add_months,
    counts_as_pass,
    is_valid_on,
    standing,
)

HISTORY_COLUMNS = ("streamer_id", "cycle", "grade", "on_air_seconds", "gmv_fen", "refunds_fen")
TRAINING_COLUMNS = ("streamer_id", "module_code", "completed_on", "score", "passed")
MENTEE_COLUMNS = ("mentor_id", "mentee_id", "module_code", "completed_on", "score", "passed")
# Optional in the mentees frame: what the checklist calls each mentee (e.g. "E1003 王五").
MENTEE_NAME = "mentee_name"
_CYCLE = re.compile(r"^\d{4}Q[1-4]$")
SECONDS_PER_HOUR = 3600


@dataclass(frozen=True, eq=False)
class PromotionInputs:
    """Pure data for promotion checklists; the caller reads it from the database.

    as_of: the date the checklist is evaluated at (months at level, module validity).
    modules: the curriculum's rule of each module by code (`scoring.training.ModuleRule`: pass
        mark and validity). It decides whether a module a step requires is passed and still
        valid, and whether a mentee passed the mentee module — the same rule, with the same
        data, as the training pages. A module it does not list has no pass mark (recorded as
        passed is enough) and never lapses.
    history: one row per streamer and previous quarter — streamer_id int; cycle str `YYYYQn`
        (never the quarter being appraised, whose figures come from the sessions); grade str,
        None when not graded; on_air_seconds, gmv_fen, refunds_fen nullable integers.
        A quarter missing from the history counts as not graded with no hours.
    training: streamer_id int; module_code str; completed_on date; score float (nullable);
        passed bool (as recorded). The caller leaves voided records out; records of one day
        are in the order they were recorded.
    mentees: mentor_id int; mentee_id int; module_code str; completed_on date; score float
        (nullable); passed bool — training records of the people each mentor trains;
        optionally mentee_name str, which the mentees criterion lists.
    `None` stands for an empty frame.
    """

    as_of: dt.date
    history: pd.DataFrame | None = None
    training: pd.DataFrame | None = None
    mentees: pd.DataFrame | None = None
    modules: Mapping[str, ModuleRule] | None = None


class Quarter(NamedTuple):
    cycle: str
    grade: str | None
    on_air_seconds: int
    gmv_fen: int | None
    refunds_fen: int | None


@dataclass(frozen=True)
class Evidence:
    """Promotion inputs indexed once per appraisal, so each checklist is a few dict lookups.

    rules[module code]: the curriculum's rule of each module a step requires.
    attempts[module code][streamer id]: every record completed on or before as_of, passed or
        not, oldest first — what `scoring.training.standing` decides from.
    mentees[module code][mentor id]: distinct mentees who passed it on or before as_of, as
        (mentee id, name or None) ordered by id.
    """

    as_of: dt.date
    history: dict[int, dict[str, Quarter]]
    rules: dict[str, ModuleRule]
    attempts: dict[str, dict[int, list[Attempt]]]
    mentees: dict[str, dict[int, list[tuple[int, str | None]]]]


def promotion_problems(inputs: PromotionInputs, scheme: Scheme, current_cycle: str) -> list[str]:
    """Every problem in the promotion inputs."""
    problems = []
    if not isinstance(inputs.as_of, dt.date) or isinstance(inputs.as_of, dt.datetime):
        problems.append(f"promotion.as_of: must be a date, got {inputs.as_of!r}")
    for code, rule in (inputs.modules or {}).items():
        if not isinstance(rule, ModuleRule) or rule.code != code:
            problems.append(f"promotion.modules.{code}: must be the ModuleRule of {code}")
    if inputs.history is not None:
        problems += _history_problems(inputs.history, scheme, current_cycle)
    for name, frame, columns, id_column in (
        ("training", inputs.training, TRAINING_COLUMNS, "streamer_id"),
        ("mentees", inputs.mentees, MENTEE_COLUMNS, "mentor_id"),
    ):
        if frame is not None:
            problems += _training_problems(frame, name, columns, id_column)
    return problems


def _history_problems(history: pd.DataFrame, scheme: Scheme, current_cycle: str) -> list[str]:
    problems = missing_columns(history, "history", HISTORY_COLUMNS)
    if problems:
        return problems
    label = "streamer_id"
    problems += integer_problems(history, "history", "streamer_id", label, nullable=False)
    for column in ("on_air_seconds", "gmv_fen", "refunds_fen"):
        problems += integer_problems(history, "history", column, label, nullable=True)
    cycle = history["cycle"].astype(object)
    bad_cycle = ~cycle.map(lambda c: isinstance(c, str) and bool(_CYCLE.match(c))).to_numpy(
        dtype=bool
    )
    if bad_cycle.any():
        problems.append(
            f"history.cycle: not a cycle code like 2026Q3 in {rows(history, bad_cycle, label)}"
        )
    current = (cycle == current_cycle).to_numpy(dtype=bool)
    if current.any():
        where = rows(history, current, label)
        problems.append(f"history.cycle: holds the appraised quarter {current_cycle} in {where}")
    duplicated = history.duplicated(["streamer_id", "cycle"], keep=False).to_numpy()
    if duplicated.any():
        problems.append(f"history: a quarter listed twice in {rows(history, duplicated, label)}")
    grade = history["grade"].astype(object)
    bad_grade = (grade.notna() & ~grade.isin([band.key for band in scheme.grades])).to_numpy(
        dtype=bool
    )
    if bad_grade.any():
        problems.append(
            f"history.grade: not a grade of the scheme in {rows(history, bad_grade, label)}"
        )
    return problems


def _training_problems(
    frame: pd.DataFrame, name: str, columns: Sequence[str], label: str
) -> list[str]:
    problems = missing_columns(frame, name, columns)
    if problems:
        return problems
    for column in (c for c in columns if c.endswith("_id")):
        problems += integer_problems(frame, name, column, label, nullable=False)
    problems += date_problems(frame, name, "completed_on", label, nullable=False)
    no_code = frame["module_code"].isna().to_numpy()
    if no_code.any():
        problems.append(f"{name}.module_code: unknown in {rows(frame, no_code, label)}")
    if not pd.api.types.is_bool_dtype(frame["passed"].dtype) or frame["passed"].isna().any():
        problems.append(f"{name}.passed: must be true or false in every row")
    score = frame["score"] if "score" in columns else None
    if score is not None and not pd.api.types.is_numeric_dtype(score.dtype) and score.notna().any():
        problems.append(f"{name}.score: must be numbers, got dtype {score.dtype}")
    return problems


@dataclass(frozen=True)
class Records:
    """Promotion inputs reduced once per appraisal to what the criteria read, copied out of the
    caller's frames: the curriculum's rules, every training record completed on or before
    as_of (`attempts`, oldest first, with whether it counts as a pass and whether that pass is
    still valid on as_of), the mentees' records that count as passes, and the history."""

    as_of: dt.date
    history: pd.DataFrame | None
    rules: dict[str, ModuleRule]
    attempts: pd.DataFrame
    mentee_passes: pd.DataFrame


def promotion_records(inputs: PromotionInputs) -> Records:
    history = None if inputs.history is None else inputs.history[list(HISTORY_COLUMNS)].copy()
    rules = dict(inputs.modules or {})
    attempts = _dated(inputs.training, "streamer_id", inputs.as_of)
    attempts["counts"] = _counts_as_pass(attempts, rules)
    attempts["valid"] = _valid_on(attempts, rules, inputs.as_of)
    mentees = _dated(inputs.mentees, "mentor_id", inputs.as_of)
    return Records(inputs.as_of, history, rules, attempts, mentees[_counts_as_pass(mentees, rules)])


def rule_of(rules: Mapping[str, ModuleRule], code: str) -> ModuleRule:
    """The curriculum's rule of module `code`; one it does not list has neither pass mark nor
    validity."""
    return rules.get(code) or ModuleRule(code)


def _counts_as_pass(records: pd.DataFrame, rules: Mapping[str, ModuleRule]) -> np.ndarray:
    """`counts_as_pass` of each record under its module's rule, asked once per distinct
    (module, passed, score)."""
    keys = pd.DataFrame(
        {
            "module_code": records["module_code"],
            "passed": records["passed"],
            "score": records["score"].fillna(-np.inf),  # NaN never equals itself as a key
        }
    )
    distinct = keys.drop_duplicates()
    distinct["counts"] = [
        counts_as_pass(rule_of(rules, code), bool(passed), None if score == -np.inf else score)
        for code, passed, score in zip(
            plain(distinct["module_code"]),
            plain(distinct["passed"]),
            plain(distinct["score"]),
            strict=True,
        )
    ]
    found = keys.merge(distinct, on=["module_code", "passed", "score"], how="left")
    return found["counts"].to_numpy(dtype=bool)


def _valid_on(records: pd.DataFrame, rules: Mapping[str, ModuleRule], as_of: dt.date) -> np.ndarray:
    """`is_valid_on(rule, completed_on, as_of)` of each record (as if it were a pass), asked once
    per distinct (module, date)."""
    keys = records[["module_code", "completed_on"]]
    distinct = keys.drop_duplicates()
    distinct = distinct.assign(
        valid=[
            is_valid_on(rule_of(rules, code), day, as_of)
            for code, day in zip(
                plain(distinct["module_code"]),
                plain(distinct["completed_on"].dt.date),
                strict=True,
            )
        ]
    )
    found = keys.merge(distinct, on=["module_code", "completed_on"], how="left")
    return found["valid"].to_numpy(dtype=bool)


def index_inputs(inputs: PromotionInputs, scheme: Scheme) -> Evidence:
    """Vectorised indexing of the promotion inputs for the scheme's rules."""
    return evidence(promotion_records(inputs), scheme)


def evidence(records: Records, scheme: Scheme) -> Evidence:
    """The records as dicts, for `checklist`."""
    required = {m.code for r in scheme.promotion for m in r.modules}
    mentees = {
        code: _mentee_lists(records.mentee_passes, code)
        for code in {r.mentee_module for r in scheme.promotion if r.mentee_module is not None}
    }
    return Evidence(
        records.as_of,
        _history(records.history),
        {code: rule_of(records.rules, code) for code in required},
        {code: _attempt_lists(records.attempts, code) for code in required},
        mentees,
    )


def _mentee_lists(
    mentee_passes: pd.DataFrame, code: str
) -> dict[int, list[tuple[int, str | None]]]:
    """Per mentor, the distinct mentees who passed module `code`: (id, name), by id."""
    found = mentee_passes[mentee_passes["module_code"] == code]
    found = found.drop_duplicates(["owner", "mentee_id"]).sort_values(["owner", "mentee_id"])
    lists: dict[int, list[tuple[int, str | None]]] = defaultdict(list)
    for owner, mentee, name in zip(
        plain(found["owner"]), plain(found["mentee_id"]), plain(found[MENTEE_NAME]), strict=True
    ):
        lists[owner].append((mentee, name))
    return dict(lists)


def _attempt_lists(attempts: pd.DataFrame, code: str) -> dict[int, list[Attempt]]:
    """Per owner, the records of module `code` as `Attempt`s, oldest first (`record_id` is the
    record's position, so records of one day keep the caller's order)."""
    found = attempts[attempts["module_code"] == code]
    lists: dict[int, list[Attempt]] = defaultdict(list)
    for owner, day, score, passed, position in zip(
        plain(found["owner"]),
        plain(found["completed_on"].dt.date),
        plain(found["score"]),
        plain(found["passed"]),
        plain(found["position"]),
        strict=True,
    ):
        lists[owner].append(Attempt(day, score, bool(passed), position))
    return dict(lists)


def _mentee_counts(mentee_passes: pd.DataFrame, code: str) -> pd.Series:
    """Per mentor, the distinct mentees who passed module `code`."""
    found = mentee_passes[mentee_passes["module_code"] == code]
    return found.groupby("owner")["mentee_id"].nunique()


def _dated(frame: pd.DataFrame | None, owner: str, as_of: dt.date) -> pd.DataFrame:
    """Records completed on or before `as_of`, oldest first (records of one day in the
    caller's order, kept as `position`), owner column renamed."""
    records = _records(frame, owner)
    records["position"] = np.arange(len(records), dtype=np.int64)
    kept = records[(records["completed_on"] <= pd.Timestamp(as_of)).to_numpy(dtype=bool)]
    return kept.sort_values("completed_on", kind="stable").reset_index(drop=True)


def _records(frame: pd.DataFrame | None, owner: str) -> pd.DataFrame:
    """The records with the owner column renamed, dates as datetime64, scores as floats."""
    if frame is None:
        return pd.DataFrame(
            {
                "owner": pd.Series([], dtype=np.int64),
                "module_code": pd.Series([], dtype=object),
                "completed_on": pd.to_datetime([]),
                "score": pd.Series([], dtype=np.float64),
                "mentee_id": pd.Series([], dtype=np.int64),
                MENTEE_NAME: pd.Series([], dtype=object),
                "passed": pd.Series([], dtype=bool),
            }
        )
    return pd.DataFrame(
        {
            "owner": frame[owner].to_numpy(dtype=np.int64),
            "module_code": frame["module_code"].to_numpy(dtype=object),
            "completed_on": dates(frame["completed_on"]).to_numpy(),
            "score": frame["score"].to_numpy(dtype=np.float64, na_value=np.nan)
            if "score" in frame.columns
            else np.nan,
            "mentee_id": frame["mentee_id"].to_numpy(dtype=np.int64)
            if "mentee_id" in frame.columns
            else 0,
            MENTEE_NAME: frame[MENTEE_NAME].to_numpy(dtype=object)
            if MENTEE_NAME in frame.columns
            else None,
            "passed": frame["passed"].to_numpy(dtype=bool),
        }
    )


def _history(history: pd.DataFrame | None) -> dict[int, dict[str, Quarter]]:
    quarters: dict[int, dict[str, Quarter]] = defaultdict(dict)
    if history is None:
        return quarters
    columns = [plain(history[c]) for c in HISTORY_COLUMNS]
    for sid, cycle, grade, seconds, gmv, refunds in zip(*columns, strict=True):
        quarters[int(sid)][cycle] = Quarter(
            cycle, grade, _int(seconds) or 0, _int(gmv), _int(refunds)
        )
    return quarters


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def months_between(since: dt.date, as_of: dt.date) -> int:
    """Whole months from `since` to `as_of` (0 when `as_of` is earlier)."""
    months = (as_of.year - since.year) * 12 + as_of.month - since.month
    while months > 0 and add_months(since, months) > as_of:
        months -= 1
    return max(months, 0)


Item = dict[str, Any]


def checklist(
    rule: PromotionRule,
    streamer_id: int,
    level_since: dt.date | None,
    current: Quarter,
    evidence: Evidence,
    scheme: Scheme,
) -> list[Item]:
    """One item per criterion of `rule`: {criterion, required, actual, met, ...details}.

    months_at_level: whole months from level_since to as_of.
    grade: quarters of the window (the appraised one and the ones before it) whose grade is
        min_grade or better; details `min_grade` and `quarters` [{cycle, grade}].
    on_air_hours: Σ on-air hours over the window. refund_rate: Σrefunds ÷ ΣGMV over the window,
        compared exactly; unknown (no GMV, or unknown parts) is not met.
    module: met when the module is passed and still valid on as_of by the curriculum's rule
        (`scoring.training.standing`, as on the training pages); `required` is its pass mark
        (None: recorded as passed is enough), `actual` the score of the latest record that
        counts as a pass; details `module`, `valid_months` (the module's validity),
        `completed_on`, `valid_until` (the pass's last valid day; ISO dates or None). Without
        a pass, `actual` is the best score of the module's records on or before as_of, passed
        or not (None when there were none, or none was scored), and the detail `attempts`
        counts them: a failed 79 shows as 79, below the required 80.
    mentees: distinct mentees with a record of `mentee_module` on or before as_of that counts
        as a pass under that module's rule; detail `mentees` [{id, name}] (name None when the
        caller gave none), by id.
    """
    as_of = evidence.as_of
    window = _window(current, evidence.history.get(streamer_id, {}), rule.window_quarters)
    cycles = [quarter.cycle for quarter in window]
    items: list[Item] = []
    if rule.min_months_at_level is not None:
        required = rule.min_months_at_level
        months = None if level_since is None else months_between(level_since, as_of)
        met = months is not None and months >= required
        items.append(_item("months_at_level", required, months, met))
    if rule.min_grade is not None and rule.min_quarters_at_grade is not None:
        items.append(_grade_item(window, rule.min_grade, rule.min_quarters_at_grade, scheme))
    if rule.min_on_air_hours is not None:
        hours = sum(quarter.on_air_seconds for quarter in window) / SECONDS_PER_HOUR
        met = hours >= rule.min_on_air_hours
        items.append(
            _item("on_air_hours", rule.min_on_air_hours, round(hours, 2), met, quarters=cycles)
        )
    if rule.max_refund_rate is not None:
        items.append(_refund_item(window, rule.max_refund_rate, cycles))
    items += [_module_item(module.code, streamer_id, evidence) for module in rule.modules]
    if rule.min_mentees_passed is not None and rule.mentee_module is not None:
        passed = evidence.mentees[rule.mentee_module].get(streamer_id, [])
        met = len(passed) >= rule.min_mentees_passed
        named = [{"id": mentee, "name": name} for mentee, name in passed]
        items.append(
            _item(
                "mentees",
                rule.min_mentees_passed,
                len(passed),
                met,
                module=rule.mentee_module,
                mentees=named,
            )
        )
    return items


def _item(criterion: str, required: Any, actual: Any, met: bool, **details: Any) -> Item:
    return {"criterion": criterion, "required": required, "actual": actual, "met": met, **details}


def _window(current: Quarter, history: dict[str, Quarter], quarters: int | None) -> list[Quarter]:
    """The appraised quarter and the previous ones, newest first; absent quarters are empty."""
    codes = previous_quarter_codes(current.cycle, quarters or 1)[1:]
    return [current, *(history.get(code) or _absent(code) for code in codes)]


@functools.cache
def _absent(cycle: str) -> Quarter:
    """A quarter missing from the history: not graded, no hours, no money (shared: immutable)."""
    return Quarter(cycle, None, 0, 0, 0)


def _grade_item(window: list[Quarter], min_grade: str, required: int, scheme: Scheme) -> Item:
    limit = scheme.grade_rank(min_grade)
    count = sum(1 for q in window if q.grade is not None and scheme.grade_rank(q.grade) <= limit)
    quarters = [{"cycle": q.cycle, "grade": q.grade} for q in window]
    return _item(
        "grade", required, count, count >= required, min_grade=min_grade, quarters=quarters
    )


def _refund_item(window: list[Quarter], limit: Decimal, cycles: list[str]) -> Item:
    refunds = [q.refunds_fen for q in window]
    gmv = [q.gmv_fen for q in window]
    total_gmv = sum(g or 0 for g in gmv)
    if None in refunds or None in gmv or total_gmv == 0:
        return _item("refund_rate", float(limit), None, False, quarters=cycles)
    total_refunds = sum(r or 0 for r in refunds)
    numerator, denominator = limit.as_integer_ratio()
    met = total_refunds * denominator <= numerator * total_gmv
    return _item("refund_rate", float(limit), total_refunds / total_gmv, met, quarters=cycles)


def _module_item(code: str, streamer_id: int, evidence: Evidence) -> Item:
    """Where the streamer stands on module `code` (`scoring.training.standing`, the training
    pages' rule), with the latest pass, or else the best score and the attempts."""
    rule = evidence.rules[code]
    found = standing(rule, evidence.attempts[code].get(streamer_id, []), evidence.as_of)
    shown = {"module": code, "valid_months": rule.validity_months}
    if found.latest_pass is None:
        return _item(
            "module",
            rule.pass_mark,
            found.best_score,
            False,
            **shown,
            completed_on=None,
            valid_until=None,
            attempts=found.attempts,
        )
    valid_until = found.valid_until
    return _item(
        "module",
        rule.pass_mark,
        found.latest_pass.score,
        found.status == PASSED,
        **shown,
        completed_on=found.latest_pass.completed_on.isoformat(),
        valid_until=None if valid_until is None else valid_until.isoformat(),
    )


# --- eligibility of every streamer at once -----------------------------------------------------


class QuarterColumns(NamedTuple):
    """One quarter of a promotion window, one value per streamer: grade rank (`grade_rank`,
    so no grade ranks last), on-air seconds, GMV and refunds with their known masks."""

    rank: np.ndarray
    seconds: np.ndarray
    gmv: np.ndarray
    gmv_known: np.ndarray
    refunds: np.ndarray
    refunds_known: np.ndarray

    def rows(self, rows: np.ndarray) -> QuarterColumns:
        return QuarterColumns(*(column[rows] for column in self))


def current_quarter(figures: pd.DataFrame, grades: np.ndarray, scheme: Scheme) -> QuarterColumns:
    """The appraised quarter's columns from its figures (unknown on-air time counts as 0)."""
    gmv, refunds = figures["gmv_fen"], figures["refunds_fen"]
    return QuarterColumns(
        _ranks(grades, scheme),
        figures["on_air_seconds"].to_numpy(dtype=np.int64, na_value=0),
        gmv.to_numpy(dtype=np.int64, na_value=0),
        gmv.notna().to_numpy(),
        refunds.to_numpy(dtype=np.int64, na_value=0),
        refunds.notna().to_numpy(),
    )


def eligibility(
    records: Records,
    scheme: Scheme,
    cycle: str,
    streamers: pd.DataFrame,
    current: QuarterColumns,
) -> np.ndarray:
    """Per streamer (`streamers`: streamer_id, level, level_since as datetime64), whether every
    criterion of the next step is met — what `checklist` decides, computed column-wise: a
    criterion is a comparison over all streamers of a level at once, and dates are worked out
    once per distinct date with the same functions the checklist uses."""
    eligible = np.zeros(len(streamers), dtype=bool)
    levels = streamers["level"].to_numpy(dtype=object)
    for rule in scheme.promotion:
        rows = np.flatnonzero(levels == rule.from_level)
        if len(rows):
            chosen = streamers.iloc[rows]
            eligible[rows] = _rule_met(rule, chosen, current.rows(rows), records, scheme, cycle)
    return eligible


def _rule_met(
    rule: PromotionRule,
    streamers: pd.DataFrame,
    current: QuarterColumns,
    records: Records,
    scheme: Scheme,
    cycle: str,
) -> np.ndarray:
    ids = streamers["streamer_id"].to_numpy(dtype=np.int64)
    met = np.ones(len(ids), dtype=bool)
    if rule.min_months_at_level is not None:
        months, known = months_column(streamers["level_since"], records.as_of)
        met &= known & (months >= rule.min_months_at_level)
    previous = previous_quarter_codes(cycle, rule.window_quarters or 1)[1:]
    window = [current, *(_history_quarter(records.history, code, ids, scheme) for code in previous)]
    if rule.min_grade is not None and rule.min_quarters_at_grade is not None:
        limit = scheme.grade_rank(rule.min_grade)
        count = sum((quarter.rank <= limit).astype(np.int64) for quarter in window)
        met &= count >= rule.min_quarters_at_grade
    if rule.min_on_air_hours is not None:
        met &= _hours_reach(exact_sum([q.seconds for q in window]), rule.min_on_air_hours)
    if rule.max_refund_rate is not None:
        met &= _refund_rate_met(window, rule.max_refund_rate)
    for module in rule.modules:
        met &= _module_met(module.code, ids, records)
    if rule.min_mentees_passed is not None and rule.mentee_module is not None:
        counts = _mentee_counts(records.mentee_passes, rule.mentee_module)
        found = positions(counts.index.to_numpy(dtype=np.int64), ids)
        mentees = np.zeros(len(ids), dtype=np.int64)
        mentees[found >= 0] = counts.to_numpy(dtype=np.int64)[found[found >= 0]]
        met &= mentees >= rule.min_mentees_passed
    return met


def months_column(level_since: pd.Series, as_of: dt.date) -> tuple[np.ndarray, np.ndarray]:
    """`months_between(day, as_of)` for a datetime64 column, and where the day is known.

    The months between the calendar months, less one when the day of the month (clamped to
    as_of's month) is not yet reached — the only step `months_between` can take back.
    """
    days = level_since.to_numpy(dtype="datetime64[D]")
    known = ~np.isnat(days)
    month_start = days.astype("datetime64[M]")
    day = (days - month_start.astype("datetime64[D]")).astype(np.int64) + 1
    months = (as_of.year - 1970) * 12 + as_of.month - 1 - month_start.astype(np.int64)
    last_day = calendar.monthrange(as_of.year, as_of.month)[1]
    early = (months > 0) & (np.minimum(day, last_day) > as_of.day)
    return np.where(known, np.maximum(months - early, 0), 0), known


def _ranks(grades: np.ndarray, scheme: Scheme) -> np.ndarray:
    """`scheme.grade_rank` of each grade (None and unknown grades rank last)."""
    codes, distinct = pd.factorize(grades, use_na_sentinel=True)
    ranks = np.array([scheme.grade_rank(grade) for grade in distinct], dtype=np.int64)
    return np.where(codes >= 0, ranks[codes] if len(ranks) else 0, len(scheme.grades))


def _whole_numbers(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(values with unknown as 0, known mask) of a nullable integer column, exact at any size
    (as `int()` of each value)."""
    known = series.notna().to_numpy()
    if pd.api.types.is_integer_dtype(series.dtype):
        return series.to_numpy(dtype=np.int64, na_value=0), known
    values = series.to_numpy(dtype=np.float64, na_value=0.0)
    if np.abs(values).max(initial=0) < 2**63:
        return values.astype(np.int64), known
    return np.array([int(value) for value in values], dtype=object), known


def _history_quarter(
    history: pd.DataFrame | None, cycle: str, ids: np.ndarray, scheme: Scheme
) -> QuarterColumns:
    """Quarter `cycle` of the history for the streamers `ids`; an absent quarter is not graded,
    with no hours and no money (known zeros)."""
    count = len(ids)
    rank = np.full(count, len(scheme.grades), dtype=np.int64)
    columns = [np.zeros(count, dtype=np.int64) for _ in range(3)]
    known = [np.ones(count, dtype=bool) for _ in range(2)]
    if history is not None:
        quarter = history[(history["cycle"] == cycle).to_numpy(dtype=bool)]
        row = positions(ids, quarter["streamer_id"].to_numpy(dtype=np.int64))
        found = row >= 0
        rank[row[found]] = _ranks(quarter["grade"].to_numpy(dtype=object), scheme)[found]
        for index, name in enumerate(("on_air_seconds", "gmv_fen", "refunds_fen")):
            values, value_known = _whole_numbers(quarter[name])
            columns[index] = columns[index].astype(values.dtype)
            columns[index][row[found]] = values[found]
            if index:
                known[index - 1][row[found]] = value_known[found]
    seconds, gmv, refunds = columns
    return QuarterColumns(rank, seconds, gmv, known[0], refunds, known[1])


def _hours_reach(seconds: np.ndarray, hours: int) -> np.ndarray:
    """Σ seconds ÷ 3600 >= hours, with the checklist's float division."""
    if seconds.dtype == np.int64 and seconds.max(initial=0) < 2**53:
        return np.asarray(seconds / SECONDS_PER_HOUR >= hours)
    return np.array([value / SECONDS_PER_HOUR >= hours for value in seconds.tolist()], dtype=bool)


def _refund_rate_met(window: list[QuarterColumns], limit: Decimal) -> np.ndarray:
    """Σ refunds ÷ Σ GMV <= limit, exactly; unknown (no GMV, unknown parts) is not met."""
    known = np.logical_and.reduce([q.gmv_known & q.refunds_known for q in window])
    gmv = exact_sum([q.gmv for q in window])
    refunds = exact_sum([q.refunds for q in window])
    numerator, denominator = limit.as_integer_ratio()
    within = times(refunds, denominator) <= times(gmv, numerator)
    return np.asarray(known & (gmv != 0) & within, dtype=bool)


def _module_met(code: str, ids: np.ndarray, records: Records) -> np.ndarray:
    """Per streamer, whether module `code` is passed and still valid: some record counts as a
    pass and is valid on as_of — `standing(...).status == "passed"` over whole columns (the
    latest pass is valid exactly when some pass is, all lasting the same months)."""
    attempts = records.attempts
    chosen = (attempts["module_code"] == code).to_numpy(dtype=bool)
    good = attempts[chosen & attempts["counts"].to_numpy() & attempts["valid"].to_numpy()]
    return positions(np.unique(good["owner"].to_numpy(dtype=np.int64)), ids) >= 0
