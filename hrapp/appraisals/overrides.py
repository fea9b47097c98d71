"""Re-grading an appraisal from its effective score, and keeping its payable in step.

HR may override an appraisal's score (`Appraisal.score_override`). The override replaces the
score; the grade, the multiplier and the commission follow from it under the appraisal's own
scheme version, exactly as the run would have computed them for that score. `regrade` does that
from the stored appraisal alone, so the run can call it again after every re-run.

What the explanation holds afterwards:
- `score` stays the run's computed value (it justifies the metric rows above it);
- `score_override` = {score, computed_score, computed_grade, reason} while an override is set;
- `grade`, `grade_band` and `commission` are those of the effective score, as the page and
  sheet show (the run re-applying an override writes them the same way).

Not graded: fewer on-air hours than the scheme's threshold is "not graded" whatever the score
(domain guide: a score cannot make up for missing hours), so an override never grades such an
appraisal and `override_score` refuses it. An appraisal not graded only because a metric is
unknown has no computed score: there an override supplies the score and grades it.
"""

from __future__ import annotations

import functools
from typing import Any

import scoring
from hrapp.appraisals.models import Appraisal
from scoring.commission import SECONDS_PER_HOUR

# Adjustment kinds that move pay; `score` lines record overrides and carry no amount.
PAY_KINDS = ("pay", "settlement")


@functools.lru_cache(maxsize=16)
def scheme_of(toml_text: str) -> scoring.Scheme:
    """The parsed scheme (cached: the run re-grades every overridden appraisal of a cycle)."""
    return scoring.load_scheme(toml_text)


def computed_score(appraisal: Appraisal) -> float | None:
    """The score the run computed, whatever HR overrode."""
    return (appraisal.explanation or {}).get("score")


def effective_score(appraisal: Appraisal) -> float | None:
    if appraisal.score_override is not None:
        return appraisal.score_override
    return computed_score(appraisal)


def hours_graded(appraisal: Appraisal, scheme: scoring.Scheme) -> bool:
    """Whether the known on-air time reaches the not-graded threshold (unknown counts as 0)."""
    seconds = appraisal.on_air_seconds or 0
    return seconds >= scheme.scoring.not_graded_below_hours * SECONDS_PER_HOUR


def grade_for(score: float | None, graded_hours: bool, scheme: scoring.Scheme) -> str | None:
    """The first band (best first) whose minimum the score reaches; None when not graded."""
    if score is None or not graded_hours:
        return None
    return next((band.key for band in scheme.grades if score >= band.min_score), None)


def refresh_payable(appraisal: Appraisal) -> None:
    """adjustment = Σ pay and settlement lines; payable = commission + adjustment (None while
    the commission is unknown)."""
    appraisal.adjustment_fen = sum(
        a.amount_fen for a in appraisal.adjustments if a.kind in PAY_KINDS
    )
    commission = appraisal.commission_fen
    appraisal.payable_fen = None if commission is None else commission + appraisal.adjustment_fen


def regrade(appraisal: Appraisal) -> None:
    """Set score, grade, multiplier, commission and payable from the effective score (no flush).

    Works on any appraisal the run has written (it needs the explanation and scheme version).
    The rule itself is the scoring library's `with_score`, which the run's preview uses too.
    """
    scheme = scheme_of(appraisal.scheme_version.toml)
    explanation = dict(appraisal.explanation or {})
    score = effective_score(appraisal)
    graded_hours = hours_graded(appraisal, scheme)
    result = scoring.with_score(
        score,
        appraisal.net_gmv_fen,
        appraisal.on_air_seconds or 0,
        _min_on_air_hours(appraisal, scheme, explanation),
        appraisal.level,
        scheme,
    )
    appraisal.score, appraisal.grade = score, result["grade"]
    appraisal.not_graded = result["not_graded"]
    appraisal.tier_commission_fen = result["tier_commission_fen"]
    appraisal.multiplier = result["multiplier"]
    appraisal.commission_fen = result["commission_fen"]
    refresh_payable(appraisal)
    explanation["grade"], explanation["grade_band"] = result["grade"], result["grade_band"]
    explanation["commission"] = result["commission"]
    explanation.pop("score_override", None)
    if appraisal.score_override is not None:
        explanation["score_override"] = {
            "score": appraisal.score_override,
            "computed_score": computed_score(appraisal),
            # From the computed score: a run that re-applied the override already put the
            # overridden grade in explanation["grade"].
            "computed_grade": grade_for(computed_score(appraisal), graded_hours, scheme),
            "reason": latest_override_reason(appraisal),
        }
    # A new dict: SQLAlchemy does not see changes made inside a JSON value.
    appraisal.explanation = explanation


def latest_override_reason(appraisal: Appraisal) -> str:
    lines = [a for a in appraisal.adjustments if a.kind == "score" and a.score is not None]
    return max(lines, key=lambda a: a.id or 0).reason if lines else ""


def _min_on_air_hours(
    appraisal: Appraisal, scheme: scoring.Scheme, explanation: dict[str, Any]
) -> float:
    """The minimum on-air hours of the hours gate, as the run decided it.

    The run gates on the level(s) held during the quarter (a day-weighted blend when the level
    changed inside it), which the appraisal's one `level` cannot tell: the run states that
    minimum in the explanation; an explanation from before it did keeps the decision stored
    in its computed statement (the score does not move the gate).
    """
    if explanation.get("min_on_air_hours") is not None:  # the run's (blended) minimum
        return float(explanation["min_on_air_hours"])
    factors = (explanation.get("commission") or {}).get("multipliers") or []
    if not factors:
        return scheme.level(appraisal.level).min_on_air_hours
    gate = next((f for f in factors if f.get("kind") == "hours_gate"), None)
    return gate["min_on_air_hours"] if gate else 0
