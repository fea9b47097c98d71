"""Appraisals written directly (exact figures, flags and teams) for the review tests."""

from __future__ import annotations

import re
from typing import Any

from hrapp.appraisals.models import Appraisal, AppraisalCycle
from hrapp.appraisals.schemes import ensure_default_scheme
from hrapp.extensions import db
from hrapp.streamers.models import Streamer
from tests.factories import make_streamer


def appraise(cycle: AppraisalCycle, streamer: Streamer | None = None, **fields: Any) -> Appraisal:
    """One stored appraisal of `cycle` (a new streamer unless given); the figures given or
    zero. Team, level and category default to the streamer's."""
    streamer = streamer or make_streamer()
    values: dict[str, Any] = {
        "cycle_id": cycle.id,
        "streamer_id": streamer.id,
        "scheme_version_id": cycle.scheme_version_id or ensure_default_scheme().id,
        "level": streamer.level,
        "team": streamer.team,
        "category": streamer.category,
        "score": 75.0,
        "grade": "B",
        "net_gmv_fen": 0,
        "commission_fen": 0,
        "payable_fen": 0,
    }
    values.update(fields)
    appraisal = Appraisal(**values)
    db.session.add(appraisal)
    db.session.flush()
    # An INSERT leaves out a None whose column has a default (0): unknown amounts are NULL.
    for name, value in values.items():
        if value is None:
            setattr(appraisal, name, None)
    db.session.flush()
    return appraisal


def listed(html: str) -> list[str]:
    """The employee numbers of the appraisal table, in order."""
    return re.findall(r'<td class="nowrap"><a href="/appraisals/\d+">([^<]+)</a></td>', html)
