"""Appraisals: HR and admin only. Streamers and trainers get 403 on every page (a streamer's
own scorecard is the portal's); cycles, appraisals and scheme versions that do not exist 404."""

from __future__ import annotations

from sqlalchemy import select

from hrapp.appraisals.jobs import PREVIEW_KIND, payload
from hrapp.appraisals.models import Appraisal
from hrapp.appraisals.runner import run_cycle
from hrapp.appraisals.services import create_cycle
from hrapp.extensions import db
from hrapp.jobs.services import run, submit
from tests.permission_matrix.cases import STAFF_ONLY, Case, statuses

MISSING = statuses(302, 403, 403, 404, 404)
REFUSED = statuses(302, 403, 403, 422, 422)  # empty forms change nothing
REDIRECTED = statuses(302, 403, 403, 302, 302)
CYCLE = "/appraisals/cycles/2026Q3"
NO_CYCLE = "/appraisals/cycles/2031Q1"


def build(world) -> None:
    cycle = create_cycle("2026Q3")
    run_cycle(cycle)
    preview = submit(PREVIEW_KIND, "preview", payload(cycle), user_id=None)
    db.session.flush()
    world.objects["preview_job"] = run(preview.id)
    world.objects["appraisal_a"] = db.session.scalars(
        select(Appraisal).where(Appraisal.streamer_id == world.streamer_a.id)
    ).one()


CASES: dict[str, list[Case]] = {
    "appraisals.index": [Case("GET", lambda w: "/appraisals/", STAFF_ONLY)],
    "appraisals.create_cycle": [Case("POST", lambda w: "/appraisals/cycles", REFUSED)],
    "appraisals.cycle": [
        Case("GET", lambda w: CYCLE, STAFF_ONLY),
        Case("GET", lambda w: f"{CYCLE}?sort=payable&dir=desc", STAFF_ONLY),
        # A filtered view is a link: the same answers, whatever the query string holds.
        Case(
            "GET", lambda w: f"{CYCLE}?team=一组&grade=A&eligible=1&disputed=1&page=2", STAFF_ONLY
        ),
        Case("GET", lambda w: f"{CYCLE}?q=%25&level=nope&not_graded=1&incomplete=1", STAFF_ONLY),
        Case("GET", lambda w: f"{NO_CYCLE}?team=一组", MISSING),
        Case("GET", lambda w: NO_CYCLE, MISSING),
    ],
    "appraisals.run_cycle": [
        Case("POST", lambda w: f"{CYCLE}/run", REDIRECTED),  # to the job's progress page
        Case("POST", lambda w: f"{NO_CYCLE}/run", MISSING),
    ],
    "appraisals.run_preview": [
        Case("GET", lambda w: f"{CYCLE}/changes/{w.preview_job.id}", STAFF_ONLY),
        Case("GET", lambda w: f"{CYCLE}/changes/999999", MISSING),
        Case("GET", lambda w: f"{NO_CYCLE}/changes/{w.preview_job.id}", MISSING),
    ],
    "appraisals.export_cycle": [
        Case("POST", lambda w: f"{CYCLE}/export", STAFF_ONLY),
        Case("POST", lambda w: f"{NO_CYCLE}/export", MISSING),
    ],
    "appraisals.appraisal": [
        # Even streamer A's own appraisal: the HR page is not the streamer's scorecard.
        Case("GET", lambda w: f"/appraisals/{w.appraisal_a.id}", STAFF_ONLY),
        Case("GET", lambda w: "/appraisals/999999", MISSING),
    ],
    "appraisals.schemes_index": [Case("GET", lambda w: "/appraisals/schemes", STAFF_ONLY)],
    "appraisals.scheme": [
        Case("GET", lambda w: "/appraisals/schemes/1", STAFF_ONLY),
        Case("GET", lambda w: "/appraisals/schemes/99", MISSING),
    ],
    "appraisals.scheme_toml": [
        Case("GET", lambda w: "/appraisals/schemes/1.toml", STAFF_ONLY),
        Case("GET", lambda w: "/appraisals/schemes/99.toml", MISSING),
    ],
    "appraisals.upload_scheme": [Case("POST", lambda w: "/appraisals/schemes/upload", REFUSED)],
    "appraisals.edit_scheme": [
        Case("GET", lambda w: "/appraisals/schemes/edit", STAFF_ONLY),
        Case("GET", lambda w: "/appraisals/schemes/edit?from=99", MISSING),
        Case("POST", lambda w: "/appraisals/schemes/edit", REFUSED),
    ],
    "appraisals.compare_schemes": [
        Case("GET", lambda w: "/appraisals/schemes/compare", STAFF_ONLY),
        Case("GET", lambda w: "/appraisals/schemes/compare?old=1&new=99", MISSING),
    ],
    "appraisals.what_if": [
        Case("GET", lambda w: "/appraisals/what-if", STAFF_ONLY),
        Case("GET", lambda w: "/appraisals/what-if?level=senior&net_gmv=x", REFUSED),
    ],
}
