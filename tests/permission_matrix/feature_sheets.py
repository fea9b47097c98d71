"""Appraisal sheets (考核表): HR and admin download any appraisal's sheet and print a cycle's in
bulk; a streamer downloads only their own finalized sheet (their draft, another streamer's or
one that does not exist: 404); trainers never see pay (403). Uses streamer A's draft of 2026Q3
(feature_appraisals) and the finalized 2026Q2 of A and B (feature_portal, or built here), and a
finished print job whose filter matched nothing (so the matrix renders no PDF)."""

from __future__ import annotations

from sqlalchemy import select

from hrapp.appraisals import closing
from hrapp.appraisals.models import Appraisal, AppraisalCycle
from hrapp.appraisals.review import ReviewFilter
from hrapp.appraisals.runner import run_cycle
from hrapp.appraisals.services import create_cycle
from hrapp.extensions import db
from hrapp.jobs.services import run, submit
from hrapp.reports.jobs import KIND, payload
from tests.permission_matrix.cases import Case, statuses

STAFF_ANY = statuses(302, 404, 403, 200, 200)
OWN_FINALIZED = statuses(302, 200, 403, 200, 200)
MISSING = statuses(302, 404, 403, 404, 404)
STAFF_MISSING = statuses(302, 403, 403, 404, 404)
STAFF_FILE = statuses(302, 403, 403, 200, 200)
STAFF_REDIRECTED = statuses(302, 403, 403, 302, 302)  # to the print job's page
STAFF_REFUSED = statuses(302, 403, 403, 400, 400)
NOBODY = {"q": "no-such-streamer"}  # a print that selects no sheet: cheap, same answers


def _finalized_q2(world) -> None:
    if "q2_a" in world.objects:  # feature_portal built it
        return
    cycle = create_cycle("2026Q2")
    run_cycle(cycle)
    closing.finalize_cycle(cycle, world.users["hr"])
    db.session.flush()
    for key, streamer in (("q2_a", world.streamer_a), ("q2_b", world.streamer_b)):
        world.objects[key] = db.session.scalars(
            select(Appraisal).where(
                Appraisal.cycle_id == cycle.id, Appraisal.streamer_id == streamer.id
            )
        ).one()


def build(world) -> None:
    _finalized_q2(world)
    cycle = db.session.scalars(select(AppraisalCycle).where(AppraisalCycle.code == "2026Q3")).one()
    job = submit(
        KIND,
        "print",
        payload(cycle, ReviewFilter(text=NOBODY["q"]), "zip", "zh"),
        user_id=world.users["hr"].id,
    )
    db.session.flush()
    world.objects["print_job"] = run(job.id)


CASES: dict[str, list[Case]] = {
    "sheets.sheet": [
        Case("GET", lambda w: f"/appraisals/{w.q2_a.id}/sheet.pdf", OWN_FINALIZED),
        Case("GET", lambda w: f"/appraisals/{w.q2_a.id}/sheet.pdf?lang=en", OWN_FINALIZED),
        Case("GET", lambda w: f"/appraisals/{w.q2_b.id}/sheet.pdf", STAFF_ANY),
        Case("GET", lambda w: f"/appraisals/{w.appraisal_a.id}/sheet.pdf", STAFF_ANY),  # draft
        Case("GET", lambda w: "/appraisals/999999/sheet.pdf", MISSING),
    ],
    "sheets.print_sheets": [
        Case("POST", lambda w: "/appraisals/cycles/2026Q3/sheets", STAFF_REDIRECTED, NOBODY),
        Case("POST", lambda w: "/appraisals/cycles/2026Q3/sheets", STAFF_REFUSED, {"format": "x"}),
        Case("POST", lambda w: "/appraisals/cycles/2031Q1/sheets", STAFF_MISSING, NOBODY),
    ],
    "sheets.bundle": [
        Case("GET", lambda w: f"/sheets/{w.print_job.id}", STAFF_FILE),
        Case("GET", lambda w: "/sheets/999999", STAFF_MISSING),
    ],
}
