"""Closing a quarter: adjusting, overriding and commenting on an appraisal and finalizing a
cycle are HR's and admin's; reopening is the administrator's alone. Streamers and trainers get
403; appraisals, adjustments and cycles that do not exist 404. Empty forms change nothing (422).
Uses the 2026Q3 cycle and streamer A's appraisal built by feature_appraisals."""

from __future__ import annotations

from tests.permission_matrix.cases import ADMIN_ONLY, STAFF_ONLY, Case, statuses

REFUSED = statuses(302, 403, 403, 422, 422)
MISSING = statuses(302, 403, 403, 404, 404)
ADMIN_REFUSED = statuses(302, 403, 403, 403, 422)
ADMIN_MISSING = statuses(302, 403, 403, 403, 404)
CYCLE = "/appraisals/cycles/2026Q3"
NO_CYCLE = "/appraisals/cycles/2031Q1"
NO_APPRAISAL = "/appraisals/999999"


def _on_appraisal(tail: str) -> list[Case]:
    return [
        Case("POST", lambda w: f"/appraisals/{w.appraisal_a.id}{tail}", REFUSED),
        Case("POST", lambda w: f"{NO_APPRAISAL}{tail}", MISSING),
    ]


CASES: dict[str, list[Case]] = {
    "appraisals.add_adjustment": _on_appraisal("/adjustments"),
    "appraisals.remove_adjustment": _on_appraisal("/adjustments/999999/remove"),
    "appraisals.override_score": _on_appraisal("/score"),
    "appraisals.clear_score_override": _on_appraisal("/score/clear"),
    "appraisals.save_comments": _on_appraisal("/comments"),
    "appraisals.finalize_cycle": [
        Case("GET", lambda w: f"{CYCLE}/finalize", STAFF_ONLY),
        Case("POST", lambda w: f"{CYCLE}/finalize", REFUSED),  # the box not ticked
        Case("GET", lambda w: f"{NO_CYCLE}/finalize", MISSING),
        Case("POST", lambda w: f"{NO_CYCLE}/finalize", MISSING),
    ],
    "appraisals.reopen_cycle": [
        Case("GET", lambda w: f"{CYCLE}/reopen", ADMIN_ONLY),
        Case("POST", lambda w: f"{CYCLE}/reopen", ADMIN_REFUSED),  # no reason given
        Case("POST", lambda w: f"{NO_CYCLE}/reopen", ADMIN_MISSING),
    ],
}
