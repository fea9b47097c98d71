"""Knowing when a cycle's results are out of date, and why.

Every write that changes what a cycle's run reads calls `inputs_changed` with the days it
touches: the cycles that were run and whose quarter those days can affect are marked stale
since that instant, with the reason. The next run clears the mark of an open cycle; a finalized
cycle keeps it — that is late data, settled by the next cycle's run
(`hrapp.appraisals.settlement`), and the mark then says what arrived after finalizing.

The reasons are message keys with parameters (never sentences), so that a page renders them
in its reader's language.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from hrapp.appraisals.models import AppraisalCycle
from hrapp.core.db import utcnow
from hrapp.extensions import db

# How many reasons a cycle keeps: the first ones say when it became stale; later repeats of a
# key only count.
MAX_REASONS = 20

REASON_TEXTS = {
    "sessions_imported": _l("%(n)s sessions imported or updated (import %(batch)s)"),
    "sessions_rolled_back": _l("import %(batch)s rolled back"),
    "sessions_edited": _l("the hosts or shares of a session changed"),
    "exchange_rate": _l("an exchange rate changed"),
    "training_changed": _l("training records changed"),
    "module_changed": _l("the pass mark or validity of module %(module)s changed"),
    "level_changed": _l("the level history of %(who)s changed"),
    "mentorship_changed": _l("a mentorship changed"),
    "roster_changed": _l("the roster entry of %(who)s changed"),
    "scheme_changed": _l("scheme version %(version)s was saved"),
    "late_data": _l("late data for the finalized quarter %(quarter)s: its settlement changes"),
}


def inputs_changed(
    key: str,
    first_day: dt.date | None = None,
    last_day: dt.date | None = None,
    *,
    open_only: bool = False,
    **params: Any,
) -> None:
    """Mark the cycles whose quarter overlaps [first_day, last_day] (None: unbounded) and that
    have been run as out of date because of `key` (a key of REASON_TEXTS) with `params`
    (plain JSON values). `open_only`: a change that never reaches a finalized quarter (a new
    scheme version: finalized cycles keep theirs). Flushes nothing itself beyond the update."""
    assert key in REASON_TEXTS, key
    query = select(AppraisalCycle).where(AppraisalCycle.last_run_at.is_not(None))
    if first_day is not None:
        query = query.where(AppraisalCycle.ends_on >= first_day)
    if last_day is not None:
        query = query.where(AppraisalCycle.starts_on <= last_day)
    if open_only:
        query = query.where(AppraisalCycle.status == "open")
    now = utcnow()
    for cycle in list(db.session.scalars(query)):
        _note(cycle, now, {"key": key, "at": now.isoformat(), **params})
        if cycle.status == "finalized":
            _note_settling_cycles(cycle, now)
    db.session.flush()


def _note_settling_cycles(finalized: AppraisalCycle, now: dt.datetime) -> None:
    """Late data for a finalized quarter changes the settlement lines of the open cycles after
    it that were run: they are out of date too."""
    later = select(AppraisalCycle).where(
        AppraisalCycle.status == "open",
        AppraisalCycle.last_run_at.is_not(None),
        AppraisalCycle.starts_on > finalized.ends_on,
    )
    for cycle in db.session.scalars(later):
        _note(cycle, now, {"key": "late_data", "at": now.isoformat(), "quarter": finalized.code})


def instants_changed(key: str, instants: list[dt.datetime], **params: Any) -> None:
    """`inputs_changed` for changes to sessions starting at these instants (UTC): the days
    are taken in each cycle's own zone by widening a day either side."""
    if not instants:
        return
    one_day = dt.timedelta(days=1)
    inputs_changed(
        key, (min(instants) - one_day).date(), (max(instants) + one_day).date(), **params
    )


def _note(cycle: AppraisalCycle, now: dt.datetime, reason: dict[str, Any]) -> None:
    reasons = list(cycle.stale_reasons or [])
    same = next((r for r in reasons if _same(r, reason)), None)
    if same is not None:
        same["times"] = int(same.get("times", 1)) + 1
    elif len(reasons) < MAX_REASONS:
        reasons.append(reason)
    cycle.stale_reasons = reasons  # a new list: JSON columns see assignment, not mutation
    if cycle.stale_since is None:
        cycle.stale_since = now


def _same(old: dict[str, Any], new: dict[str, Any]) -> bool:
    ignored = {"at", "times"}
    return {k: v for k, v in old.items() if k not in ignored} == {
        k: v for k, v in new.items() if k not in ignored
    }


def cleared(cycle: AppraisalCycle) -> None:
    """The run read everything: the cycle is up to date again."""
    cycle.stale_since = None
    cycle.stale_reasons = []


def settled_by(cycle: AppraisalCycle) -> None:
    """`cycle` is being finalized, and its last run (the cycle is not out of date) settled
    the late data of every finalized quarter before it: their marks are done with."""
    earlier = select(AppraisalCycle).where(
        AppraisalCycle.status == "finalized",
        AppraisalCycle.ends_on < cycle.starts_on,
        AppraisalCycle.stale_since.is_not(None),
    )
    for finalized in db.session.scalars(earlier):
        cleared(finalized)


def reason_texts(cycle: AppraisalCycle) -> list[str]:
    """Each stored reason as a sentence in the current language."""
    texts = []
    for reason in cycle.stale_reasons or []:
        template = REASON_TEXTS.get(reason.get("key", ""))
        if template is None:
            continue
        params = {k: v for k, v in reason.items() if k not in {"key", "at", "times"}}
        try:
            texts.append(str(template) % params)
        except (KeyError, TypeError, ValueError):  # a reason stored by an older version
            texts.append(str(template))
    return texts
