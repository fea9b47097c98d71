"""我的考核: a streamer's own pages answer the streamer alone (staff and trainers get 403: HR
reads the same figures on the appraisal pages); anything naming another streamer's data, a
draft, or nothing answers 404. The dispute inbox, bulk logins and password resets are HR's and
admin's. Builds 2026Q2, run and finalized, with streamer A's dispute of it."""

from __future__ import annotations

from sqlalchemy import select

from hrapp.appraisals import closing
from hrapp.appraisals.models import Appraisal
from hrapp.appraisals.runner import run_cycle
from hrapp.appraisals.services import create_cycle
from hrapp.extensions import db
from hrapp.portal import responses
from tests.permission_matrix.cases import STAFF_ONLY, Case, statuses

OWN = statuses(302, 200, 403, 403, 403)
OWN_REDIRECTED = statuses(302, 302, 403, 403, 403)
OWN_REFUSED = statuses(302, 422, 403, 403, 403)
NOT_THEIRS = statuses(302, 404, 403, 403, 403)
REFUSED = statuses(302, 403, 403, 422, 422)
MISSING = statuses(302, 403, 403, 404, 404)


def build(world) -> None:
    cycle = create_cycle("2026Q2")
    run_cycle(cycle)
    closing.finalize_cycle(cycle, world.users["hr"])
    db.session.flush()

    def of(streamer):
        return db.session.scalars(
            select(Appraisal).where(
                Appraisal.cycle_id == cycle.id, Appraisal.streamer_id == streamer.id
            )
        ).one()

    world.objects["q2_a"], world.objects["q2_b"] = of(world.streamer_a), of(world.streamer_b)
    world.objects["dispute_a"] = responses.dispute(
        world.q2_a, world.users["streamer"], "A session is missing"
    )


def _quarter(tail: str, method: str, own: dict[str, int], data=None) -> list[Case]:
    return [
        Case(method, lambda w: f"/me/quarters/{w.q2_a.id}{tail}", own, data),
        Case(method, lambda w: f"/me/quarters/{w.q2_b.id}{tail}", NOT_THEIRS, data),
        # streamer A's draft of 2026Q3 (feature_appraisals): never shown, even to A.
        Case(method, lambda w: f"/me/quarters/{w.appraisal_a.id}{tail}", NOT_THEIRS, data),
        Case(method, lambda w: f"/me/quarters/999999{tail}", NOT_THEIRS, data),
    ]


CASES: dict[str, list[Case]] = {
    "portal.index": [
        Case("GET", lambda w: "/me/", OWN),
        Case("GET", lambda w: f"/me/?streamer_id={w.streamer_b.id}", OWN),
    ],
    "portal.quarter": _quarter("", "GET", OWN),
    "portal.reply": _quarter("/reply", "POST", OWN_REFUSED),  # no text: nothing added
    "portal.mark_read": _quarter("/read", "POST", OWN_REDIRECTED),
    "portal.dispute": _quarter("/dispute", "POST", OWN_REFUSED),  # no text
    "portal.acknowledge": _quarter("/acknowledge", "POST", OWN_REDIRECTED),
    "portal.what_if": [
        Case("GET", lambda w: "/me/what-if", OWN),
        Case("GET", lambda w: "/me/what-if?start=projection", OWN),
        Case(
            "GET",
            lambda w: "/me/what-if?net_gmv=x&watch_seconds=1&net_followers=1&hours=1",
            OWN_REFUSED,
        ),
    ],
    "portal.what_if_json": [
        Case("GET", lambda w: "/me/what-if.json", OWN),
        Case("GET", lambda w: "/me/what-if.json?net_gmv=-&hours=-1", OWN_REFUSED),
    ],
    "portal.promotion": [Case("GET", lambda w: "/me/promotion", OWN)],
    "portal.own_sessions": [
        Case("GET", lambda w: "/me/sessions", OWN),
        Case("GET", lambda w: "/me/sessions?month=all", OWN),
        Case("GET", lambda w: "/me/sessions?month=2026-13", OWN),
    ],
    "portal.sessions_csv": [
        Case("GET", lambda w: "/me/sessions.csv", OWN),
        Case("GET", lambda w: "/me/sessions.csv?month=2026-08", OWN),
    ],
    "portal.inbox": [
        Case("GET", lambda w: "/disputes/", STAFF_ONLY),
        Case("GET", lambda w: "/disputes/?show=all", STAFF_ONLY),
    ],
    "portal.dispute_thread": [
        Case("GET", lambda w: f"/disputes/{w.dispute_a.id}", STAFF_ONLY),
        Case("GET", lambda w: "/disputes/999999", MISSING),
    ],
    "portal.answer": [
        Case("POST", lambda w: f"/disputes/{w.dispute_a.id}/answer", REFUSED),  # no text
        Case("POST", lambda w: "/disputes/999999/answer", MISSING),
    ],
    "portal.adjust": [
        Case("POST", lambda w: f"/disputes/{w.dispute_a.id}/adjust", REFUSED),  # no amount
        Case("POST", lambda w: "/disputes/999999/adjust", MISSING),
    ],
    "portal.bulk_logins": [
        Case("GET", lambda w: "/logins/bulk", STAFF_ONLY),
        Case("POST", lambda w: "/logins/bulk", REFUSED),  # nobody chosen
    ],
    "portal.reset_password": [
        Case("POST", lambda w: f"/logins/{w.streamer_b.id}/reset", STAFF_ONLY),
        Case("POST", lambda w: "/logins/999999/reset", MISSING),
    ],
}
