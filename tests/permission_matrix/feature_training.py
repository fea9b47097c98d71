"""Training: trainers, HR and admin use the workspace; only HR and admin assign mentors; a
streamer sees their own training and, as a mentor, their mentees' — never anyone else's."""

from __future__ import annotations

import datetime as dt

from hrapp.extensions import db
from hrapp.intake.batch_model import ImportBatch
from hrapp.jobs.models import Job
from hrapp.training.batches import import_training, preview_data
from hrapp.training.curriculum import ensure_default_curriculum
from hrapp.training.services import Attendee, ScoreInput, log_class, log_record, module_by_code
from tests.factories import make_streamer
from tests.permission_matrix.cases import Case, statuses

TRAINING_STAFF = statuses(302, 403, 200, 200, 200)
MISSING_FOR_STAFF = statuses(302, 403, 404, 404, 404)
HR_ONLY = statuses(302, 403, 403, 302, 302)  # the mentor form answers with a redirect
STREAMER_ONLY = statuses(302, 200, 403, 403, 403)
REFUSED_FOR_STAFF = statuses(302, 403, 422, 422, 422)  # empty forms change nothing
# Another trainer's record (here: one logged without a trainer): HR's and admin's to change.
NOT_THE_TRAINERS = statuses(302, 403, 403, 422, 422)
STAFF_REDIRECTED = statuses(302, 403, 302, 302, 302)
TRAINING_SHA = "2" * 64
TRAINING_FILE = b"employee_no,module_code,completed_on,score\nE0003,FANS-1,2026-03-04,90\n"


def build(world) -> None:
    ensure_default_curriculum()
    script = module_by_code("SCRIPT-1")
    world.objects["module"] = script
    world.objects["record_b"] = log_record(
        world.streamer_b, script, dt.date(2026, 3, 2), ScoreInput(score=88)
    )
    trainer = world.users["trainer"]
    world.objects["record_own"] = log_record(
        world.streamer_b, script, dt.date(2026, 3, 9), ScoreInput(score=90), trainer=trainer
    )
    world.objects["class_a"] = log_class(
        module_by_code("FANS-1"), dt.date(2026, 3, 3), [Attendee(world.streamer_a)], trainer=None
    )
    world.objects["mentee_of_a"] = make_streamer(employee_no="E0003", mentor_id=world.streamer_a.id)
    batch = ImportBatch(kind="training", filename="t.csv", sha256=TRAINING_SHA, status="imported")
    # A finished check of a one-row file, as the background job stores it for the preview.
    check = preview_data(import_training(TRAINING_FILE, "t.csv", dry_run=True))
    job = Job(
        kind="training_import",
        title="",
        status="done",
        result={
            "payload": {"sha256": TRAINING_SHA, "filename": "t.csv", "dry_run": True},
            "outcome": {"check": check},
        },
    )
    db.session.add_all([batch, job])
    db.session.flush()
    world.objects["training_batch"] = batch
    world.objects["training_check_job"] = job


def _record(w) -> str:
    return f"/training/records/{w.record_b.id}"


CASES: dict[str, list[Case]] = {
    "training.index": [Case("GET", lambda w: "/training/", TRAINING_STAFF)],
    "training.modules": [Case("GET", lambda w: "/training/modules", TRAINING_STAFF)],
    "training.new_module": [Case("GET", lambda w: "/training/modules/new", TRAINING_STAFF)],
    "training.edit_module": [
        Case("GET", lambda w: f"/training/modules/{w.module.id}", TRAINING_STAFF),
        Case("GET", lambda w: "/training/modules/999999", MISSING_FOR_STAFF),
        Case(
            "POST",
            lambda w: f"/training/modules/{w.module.id}",
            REFUSED_FOR_STAFF,
            data={"code": "", "title_zh": "话术技巧"},
        ),
    ],
    "training.new_record": [
        Case("GET", lambda w: "/training/records/new", TRAINING_STAFF),
        Case("GET", lambda w: f"/training/records/new?module={w.module.id}", TRAINING_STAFF),
        Case("POST", lambda w: f"/training/records/new?module={w.module.id}", REFUSED_FOR_STAFF),
    ],
    "training.show_record": [
        Case("GET", _record, TRAINING_STAFF),
        Case("GET", lambda w: "/training/records/999999", MISSING_FOR_STAFF),
    ],
    "training.correct_record": [
        Case("POST", lambda w: f"{_record(w)}/correct", NOT_THE_TRAINERS),
        Case("POST", lambda w: f"/training/records/{w.record_own.id}/correct", REFUSED_FOR_STAFF),
        Case("POST", lambda w: "/training/records/999999/correct", MISSING_FOR_STAFF),
    ],
    "training.void_record": [
        Case("POST", lambda w: f"{_record(w)}/void", NOT_THE_TRAINERS),
        Case("POST", lambda w: f"/training/records/{w.record_own.id}/void", REFUSED_FOR_STAFF),
        Case("POST", lambda w: "/training/records/999999/void", MISSING_FOR_STAFF),
    ],
    "training.new_class": [
        Case("GET", lambda w: f"/training/classes/new?module={w.module.id}", TRAINING_STAFF),
        Case("POST", lambda w: f"/training/classes/new?module={w.module.id}", REFUSED_FOR_STAFF),
    ],
    "training.classes": [Case("GET", lambda w: "/training/classes", TRAINING_STAFF)],
    "training.show_class": [
        Case("GET", lambda w: f"/training/classes/{w.class_a.id}", TRAINING_STAFF),
        Case("GET", lambda w: "/training/classes/999999", MISSING_FOR_STAFF),
    ],
    "training.streamers": [Case("GET", lambda w: "/training/streamers", TRAINING_STAFF)],
    "training.streamer": [
        Case("GET", lambda w: f"/training/streamers/{w.streamer_b.id}", TRAINING_STAFF),
        Case("GET", lambda w: "/training/streamers/999999", MISSING_FOR_STAFF),
    ],
    "training.assign_mentor": [
        Case("POST", lambda w: f"/training/streamers/{w.streamer_b.id}/mentor", HR_ONLY),
        Case(
            "POST", lambda w: "/training/streamers/999999/mentor", statuses(302, 403, 403, 404, 404)
        ),
    ],
    "training.me": [Case("GET", lambda w: "/training/me", STREAMER_ONLY)],
    "training.mentee": [
        Case("GET", lambda w: f"/training/me/mentees/{w.mentee_of_a.id}", STREAMER_ONLY),
        # B is nobody's mentee; asking for B (or for nobody) reveals nothing.
        Case(
            "GET",
            lambda w: f"/training/me/mentees/{w.streamer_b.id}",
            statuses(302, 404, 403, 403, 403),
        ),
        Case("GET", lambda w: "/training/me/mentees/999999", statuses(302, 404, 403, 403, 403)),
    ],
    "training.import_file": [
        Case("GET", lambda w: "/training/import", TRAINING_STAFF),
        Case("POST", lambda w: "/training/import", REFUSED_FOR_STAFF),
    ],
    "training.import_preview": [
        Case(
            "GET",
            lambda w: f"/training/import/preview/{TRAINING_SHA}?job={w.training_check_job.id}",
            TRAINING_STAFF,
        ),
        Case(
            "GET", lambda w: f"/training/import/preview/{TRAINING_SHA}?job=9999", MISSING_FOR_STAFF
        ),
    ],
    # Without the form's fields (or with an upload no longer kept): back to the import page.
    "training.import_confirm": [
        Case("POST", lambda w: "/training/import/confirm", STAFF_REDIRECTED)
    ],
    "training.import_batch": [
        Case("GET", lambda w: f"/training/import/batches/{w.training_batch.id}", TRAINING_STAFF),
        Case("GET", lambda w: "/training/import/batches/999999", MISSING_FOR_STAFF),
    ],
    # Without the confirming tick nothing is rolled back: back to the batch's page.
    "training.import_rollback": [
        Case(
            "POST",
            lambda w: f"/training/import/batches/{w.training_batch.id}/rollback",
            STAFF_REDIRECTED,
        ),
        Case("POST", lambda w: "/training/import/batches/999999/rollback", MISSING_FOR_STAFF),
    ],
}
