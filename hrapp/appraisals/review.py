"""HR's review of a cycle: which appraisals the table shows (filters and search read from the
query string, so that a filtered view is a link), the totals per team, the grade distribution
against the scheme's forced-distribution limits, the out-of-date notice, and a streamer's
appraisals across quarters.

Everything is filtered, counted and added up by the database: a cycle of 10,000 appraisals is
never loaded to be looped over. Read-only: nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from babel.lists import format_list
from flask_babel import get_locale
from sqlalchemy import ColumnElement, Select, case, func, or_, select
from sqlalchemy.orm import contains_eager

import scoring
from hrapp.appraisals.models import Appraisal, AppraisalCycle
from hrapp.appraisals.schemes import active_version
from hrapp.appraisals.services import grade_counts
from hrapp.appraisals.staleness import reason_texts
from hrapp.extensions import db
from hrapp.streamers.models import Streamer
from hrapp.streamers.teams import sorted_teams
from scoring.appraise import distribution_checks

# The yes/no filters: query parameter -> the condition it adds.
FLAGS: dict[str, Any] = {
    "eligible": lambda: Appraisal.promotion_eligible.is_(True),
    "not_graded": lambda: Appraisal.not_graded.is_(True),
    "incomplete": lambda: Appraisal.data_incomplete.is_(True),
    # Until disputes can be resolved (another part of the quarter's closing), any dispute counts.
    "disputed": lambda: Appraisal.disputed_at.is_not(None),
}
MAX_SEARCH = 100


@dataclass(frozen=True)
class ReviewFilter:
    """What the table is narrowed to; empty values mean "any"."""

    text: str = ""
    team: str = ""
    level: str = ""
    category: str = ""
    grade: str = ""
    flags: frozenset[str] = frozenset()

    @property
    def active(self) -> bool:
        return bool(
            self.text or self.team or self.level or self.category or self.grade or self.flags
        )


def filter_choices(cycle: AppraisalCycle) -> dict[str, list[str]]:
    """The values the cycle's appraisals hold (as appraised, not today's roster), for the
    selects: teams in counting order, levels and grades in the scheme's order."""
    scheme = cycle_scheme(cycle)

    def values(column: Any) -> list[str]:
        return [
            value
            for value in db.session.scalars(
                select(column).where(Appraisal.cycle_id == cycle.id).distinct()
            )
            if value
        ]

    order = {level.key: rank for rank, level in enumerate(scheme.levels)}
    return {
        "team": sorted_teams(values(Appraisal.team)),
        "level": sorted(values(Appraisal.level), key=lambda key: (order.get(key, len(order)), key)),
        "category": sorted(values(Appraisal.category)),
        "grade": [band.key for band in scheme.grades],
    }


def read_filter(args: Mapping[str, str], choices: dict[str, list[str]]) -> ReviewFilter:
    """The filter a query string asks for; a value that is not a choice counts as "any"."""

    def chosen(name: str) -> str:
        value = (args.get(name) or "").strip()
        return value if value in choices[name] else ""

    return ReviewFilter(
        text=(args.get("q") or "").strip()[:MAX_SEARCH],
        team=chosen("team"),
        level=chosen("level"),
        category=chosen("category"),
        grade=chosen("grade"),
        flags=frozenset(name for name in FLAGS if args.get(name) in ("1", "on", "yes")),
    )


def _conditions(cycle_id: int, wanted: ReviewFilter) -> list[ColumnElement[bool]]:
    """The WHERE clauses of the filter (the search needs the streamer joined)."""
    conditions: list[ColumnElement[bool]] = [Appraisal.cycle_id == cycle_id]
    if wanted.text:
        conditions.append(
            or_(
                Streamer.employee_no.icontains(wanted.text, autoescape=True),
                Streamer.legal_name.icontains(wanted.text, autoescape=True),
                Streamer.stage_name.icontains(wanted.text, autoescape=True),
            )
        )
    for name in ("team", "level", "category", "grade"):
        if value := getattr(wanted, name):
            conditions.append(getattr(Appraisal, name) == value)
    conditions.extend(FLAGS[name]() for name in sorted(wanted.flags))
    return conditions


def review_query(cycle_id: int, wanted: ReviewFilter) -> Select[tuple[Appraisal]]:
    """The cycle's appraisals that match, each with its streamer loaded (unordered)."""
    return (
        select(Appraisal)
        .join(Appraisal.streamer)
        .options(contains_eager(Appraisal.streamer))
        .where(*_conditions(cycle_id, wanted))
    )


def _sums() -> tuple[Any, ...]:
    """Count, net GMV, commission and payable (fen), and how many have net GMV unknown."""
    return (
        func.count(Appraisal.id),
        func.sum(Appraisal.net_gmv_fen),
        func.sum(Appraisal.commission_fen),
        func.sum(Appraisal.payable_fen),
        func.coalesce(func.sum(case((Appraisal.net_gmv_fen.is_(None), 1), else_=0)), 0),
    )


def _total(row: Any, **extra: Any) -> dict[str, Any]:
    count, net_gmv, commission, payable, unknown = row
    return {
        "appraisals": int(count or 0),
        "net_gmv_fen": None if net_gmv is None else int(net_gmv),
        "commission_fen": None if commission is None else int(commission),
        "payable_fen": None if payable is None else int(payable),
        "unknown": int(unknown or 0),
        **extra,
    }


def totals(cycle_id: int, wanted: ReviewFilter) -> dict[str, Any]:
    """Net GMV, commission and payable per team and for the whole cycle, added up by the
    database; with `matching`, the same for the appraisals the filter shows (None when the
    filter is empty). A sum leaves unknown (NULL) amounts out; `unknown` counts them, so a
    page can say the total is incomplete rather than pretend."""
    rows = db.session.execute(
        select(Appraisal.team, *_sums())
        .where(Appraisal.cycle_id == cycle_id)
        .group_by(Appraisal.team)
    ).all()
    by_team = {row[0] or "": _total(row[1:], team=row[0] or "") for row in rows}
    teams = [by_team[name] for name in sorted_teams(by_team)]
    overall = _total(
        db.session.execute(select(*_sums()).where(Appraisal.cycle_id == cycle_id)).one()
    )
    matching = None
    if wanted.active:
        matching = _total(
            db.session.execute(
                select(*_sums()).join(Appraisal.streamer).where(*_conditions(cycle_id, wanted))
            ).one()
        )
    return {"teams": teams, "overall": overall, "matching": matching}


def cycle_scheme(cycle: AppraisalCycle) -> scoring.Scheme:
    """The rules the cycle was last run with (the active scheme before any run)."""
    return scoring.load_scheme((cycle.scheme_version or active_version()).toml)


def grade_distribution(cycle: AppraisalCycle) -> dict[str, Any]:
    """The appraisals per grade (scheme order, not graded last) and the forced-distribution
    checks of the scheme (empty when it sets no limits); `over` holds the grades of a limit
    that is exceeded, so that the chart can mark them too."""
    counts = grade_counts(cycle)
    grades: list[str | None] = []
    for grade, count in counts:
        grades.extend([grade] * count)  # one entry per appraisal, built from a dozen rows
    checks = distribution_checks(grades, cycle_scheme(cycle))
    over = {grade for check in checks if check["violated"] for grade in check["grades"]}
    return {"counts": counts, "checks": checks, "over": over}


def stale_notice(cycle: AppraisalCycle) -> dict[str, Any] | None:
    """Since when the cycle's results are out of date and why, in the reader's language;
    None when they are up to date."""
    if cycle.stale_since is None:
        return None
    texts = reason_texts(cycle)
    return {
        "since": cycle.stale_since,
        "reasons": format_list(texts, locale=get_locale()) if texts else "",
        "finalized": cycle.status == "finalized",
    }


def streamer_appraisals(streamer_id: int) -> list[dict[str, Any]]:
    """Every appraisal of a streamer, the latest quarter first, as the profile lists them."""
    rows = db.session.execute(
        select(Appraisal, AppraisalCycle.code, AppraisalCycle.starts_on, AppraisalCycle.ends_on)
        .join(AppraisalCycle, Appraisal.cycle_id == AppraisalCycle.id)
        .where(Appraisal.streamer_id == streamer_id)
        .order_by(AppraisalCycle.starts_on.desc())
    ).all()
    return [
        {
            "id": appraisal.id,
            "cycle": code,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "level": appraisal.level,
            "score": appraisal.score,
            "grade": appraisal.grade,
            "not_graded": appraisal.not_graded,
            "data_incomplete": appraisal.data_incomplete,
            "payable_fen": appraisal.payable_fen,
            "status": appraisal.status,
            "disputed": appraisal.disputed_at is not None,
        }
        for appraisal, code, starts_on, ends_on in rows
    ]


def sessions_args(employee_no: str, starts_on: dt.date, ends_on: dt.date) -> dict[str, str]:
    """The query string of the sessions list that shows the sessions behind an appraisal:
    the streamer's, started inside the quarter (the list reads its days in the org's zone)."""
    return {
        "employee_no": employee_no,
        "since": starts_on.isoformat(),
        "until": ends_on.isoformat(),
    }
