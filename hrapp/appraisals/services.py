"""Use cases of the appraisal quarter: create a cycle, find it, and the what-if calculator.

Running a cycle (turning sessions into appraisals) is `hrapp.appraisals.runner.run_cycle`;
scheme versions are `hrapp.appraisals.schemes`.
"""

from __future__ import annotations

import re
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import case, func, select

import scoring
from hrapp.appraisals.models import Appraisal, AppraisalCycle
from hrapp.appraisals.reasons import multiplier_text, not_graded_text
from hrapp.appraisals.schemes import active_scheme, active_version, parse_scheme
from hrapp.core import audit
from hrapp.core.errors import Conflict, NotFound, ValidationFailed
from hrapp.core.messages import day, message
from hrapp.core.money import yuan_text
from hrapp.extensions import db

CYCLE_CODE = re.compile(r"^(\d{4})Q([1-4])$")
FIRST_YEAR, LAST_YEAR = 2000, 2100


def parse_cycle_code(code: str) -> tuple[int, int]:
    """(year, quarter) of a code such as `2026Q3`; ValidationFailed saying what is expected."""
    match = CYCLE_CODE.match(code.strip().upper())
    if match is None or not FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR:
        raise ValidationFailed(
            _(
                "%(code)s is not a quarter: write the year and the quarter, e.g. 2026Q3 "
                "(years %(first)d to %(last)d, quarters 1 to 4).",
                code=code,
                first=FIRST_YEAR,
                last=LAST_YEAR,
            )
        )
    return int(match.group(1)), int(match.group(2))


def create_cycle(code: str) -> AppraisalCycle:
    """A new open cycle for the quarter `code`, dated in the organisation's time zone."""
    year, quarter = parse_cycle_code(code)
    code = f"{year}Q{quarter}"
    if db.session.scalar(select(AppraisalCycle.id).where(AppraisalCycle.code == code)):
        raise Conflict(_("Cycle %(code)s already exists.", code=code))
    zone = current_app.config["ORG_TIMEZONE"]
    period = scoring.Period.quarter(year, quarter, zone)
    cycle = AppraisalCycle(
        code=code, starts_on=period.start, ends_on=period.end, timezone=zone, status="open"
    )
    db.session.add(cycle)
    db.session.flush()
    audit.record(
        "cycle.create",
        "appraisal_cycle",
        cycle.id,
        changes=audit.diff({}, {"code": code, "starts_on": period.start, "ends_on": period.end}),
        summary=message(
            "Cycle %(code)s created (%(start)s to %(end)s, %(zone)s).",
            code=code,
            start=day(period.start),
            end=day(period.end),
            zone=zone,
        ),
    )
    return cycle


def cycle_by_code(code: str) -> AppraisalCycle:
    cycle = db.session.scalar(
        select(AppraisalCycle).where(AppraisalCycle.code == code.strip().upper())
    )
    if cycle is None:
        raise NotFound(_("There is no cycle %(code)s.", code=code))
    return cycle


def _how_many(flag: Any) -> Any:
    """SQL: how many appraisals have `flag` set."""
    return func.coalesce(func.sum(case((flag, 1), else_=0)), 0)


def cycle_totals(cycle_id: int) -> dict[str, int]:
    """The counts and the total payable (fen) of a cycle's appraisals, as the cycle page, the
    dashboard and the run's audit row state them."""
    appraised, not_graded, incomplete, eligible, payable = db.session.execute(
        select(
            func.count(Appraisal.id),
            _how_many(Appraisal.not_graded),
            _how_many(Appraisal.data_incomplete),
            _how_many(Appraisal.promotion_eligible),
            func.coalesce(func.sum(Appraisal.payable_fen), 0),
        ).where(Appraisal.cycle_id == cycle_id)
    ).one()
    return {
        "appraised": int(appraised),
        "not_graded": int(not_graded),
        "data_incomplete": int(incomplete),
        "eligible": int(eligible),
        "payable_fen": int(payable),
    }


def grade_counts(cycle: AppraisalCycle) -> list[tuple[str | None, int]]:
    """(grade, appraisals) in the order of the scheme's grade bands, best first, then grades
    that scheme does not have (from an earlier run under other rules), then None: not graded.

    The scheme is the version the cycle was last run with (the active one before any run).
    """
    rows = db.session.execute(
        select(Appraisal.grade, func.count())
        .where(Appraisal.cycle_id == cycle.id)
        .group_by(Appraisal.grade)
    ).all()
    scheme = scoring.load_scheme((cycle.scheme_version or active_version()).toml)

    def band_order(row: Any) -> tuple[bool, int, str]:
        grade = row[0]
        return grade is None, scheme.grade_rank(grade), grade or ""

    return [(grade, int(count)) for grade, count in sorted(rows, key=band_order)]


def list_cycles() -> list[dict[str, Any]]:
    """Every cycle, newest first, with how many appraisals it holds."""
    counts = (
        select(Appraisal.cycle_id, func.count().label("appraisals"))
        .group_by(Appraisal.cycle_id)
        .subquery()
    )
    rows = db.session.execute(
        select(AppraisalCycle, func.coalesce(counts.c.appraisals, 0))
        .outerjoin(counts, counts.c.cycle_id == AppraisalCycle.id)
        .order_by(AppraisalCycle.starts_on.desc())
    ).all()
    return [{"cycle": cycle, "appraisals": count} for cycle, count in rows]


def what_if_result(
    level: str,
    net_gmv_fen: int,
    avg_watch_seconds: float,
    net_followers: float,
    on_air_hours: float,
    scheme_text: str | None = None,
) -> dict[str, Any]:
    """The scoring library's what-if (money in fen, the shapes of an appraisal's explanation)
    under the active scheme or the scheme document given, with `scheme_version` (None for a
    document) and `scheme`. ValidationFailed lists every problem of the input or document."""
    if scheme_text is None:
        version, scheme = active_scheme()
        source: dict[str, Any] = {"scheme_version": version.version, "scheme": version.name}
    else:
        scheme = parse_scheme(scheme_text)
        source = {"scheme_version": None, "scheme": scheme.name}
    try:
        result = scoring.what_if(
            level, net_gmv_fen, avg_watch_seconds, net_followers, on_air_hours, scheme
        )
    except scoring.ScoringInputError as exc:
        raise ValidationFailed(_("The figures cannot be scored."), exc.problems) from None
    return {**source, **result}


def what_if(
    level: str,
    net_gmv_fen: int,
    avg_watch_seconds: float,
    net_followers: float,
    on_air_hours: float,
    scheme_text: str | None = None,
) -> dict[str, Any]:
    """`what_if_result` as JSON-ready data with money as yuan strings with two decimals and
    the not-graded reason as a sentence in the current language."""
    result = what_if_result(
        level, net_gmv_fen, avg_watch_seconds, net_followers, on_air_hours, scheme_text
    )
    return {
        "scheme_version": result["scheme_version"],
        "scheme": result["scheme"],
        **_yuan_statement(result),
    }


def _yuan_statement(result: dict[str, Any]) -> dict[str, Any]:
    """The library's what-if with money in yuan text (JSON keeps no fen and no floats money)."""
    commission = result["commission"]
    return {
        "level": result["level"],
        "score": None if result["score"] is None else round(result["score"], 2),
        "grade": result["grade"],
        "not_graded": result["not_graded"],
        "not_graded_reason": not_graded_text(result["not_graded_reason"]),
        "tier_commission": yuan_text(result["tier_commission_fen"]),
        "multiplier": result["multiplier"],
        "commission": yuan_text(result["commission_fen"]),
        "metrics": [_metric(m) for m in result["metrics"]],
        "tiers": [
            {
                "tier": line["tier"],
                "from": yuan_text(line["from_fen"]),
                "to": yuan_text(line["to_fen"]),
                "amount": yuan_text(line["amount_fen"]),
                "rate": line["rate"],
                "commission": yuan_text(line["commission_fen"]),
            }
            for line in commission["lines"]
        ],
        "multipliers": [{**f, "reason": multiplier_text(f)} for f in commission["multipliers"]],
        "capped": commission["capped"],
    }


MONEY_UNITS = ("fen", "fen_per_hour")


def _metric(row: dict[str, Any]) -> dict[str, Any]:
    money = row["unit"] in MONEY_UNITS
    shown = {k: row[k] for k in ("metric", "weight", "attainment", "points")}
    for key in ("actual", "target"):
        value = row[key]
        shown[key] = yuan_text(round(value)) if money and value is not None else value
    return shown
