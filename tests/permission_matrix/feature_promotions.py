"""Promotions: HR and admin only. Streamers and trainers get 403; a quarter that does not exist
404s; a confirmation without a valid form changes nothing and goes back to the list."""

from __future__ import annotations

from tests.permission_matrix.cases import STAFF_ONLY, Case, statuses

MISSING = statuses(302, 403, 403, 404, 404)
REDIRECTED = statuses(302, 403, 403, 302, 302)


CASES: dict[str, list[Case]] = {
    "promotions.index": [
        Case("GET", lambda w: "/promotions/", STAFF_ONLY),
        # The appraisals feature's build runs 2026Q3.
        Case("GET", lambda w: "/promotions/?cycle=2026Q3", STAFF_ONLY),
        Case("GET", lambda w: "/promotions/?cycle=2031Q1", MISSING),
    ],
    "promotions.confirm": [
        Case("POST", lambda w: "/promotions/confirm", REDIRECTED),
        Case(
            "POST",
            lambda w: "/promotions/confirm",
            MISSING,
            data={
                "streamer_id": "999999",
                "to_level": "senior",
                "cycle": "2026Q3",
                "effective_on": "2026-10-01",
                "reason": "x",
            },
        ),
    ],
}
