"""The roster's endpoints: HR and admin change it, trainers look, streamers are kept out.

POSTs here are refused by validation or change nothing lasting, so that each case leaves the
world as the next one expects; what each change really does is tested in tests/hrapp/streamers.
"""

from __future__ import annotations

from hrapp.extensions import db
from hrapp.intake.batch_model import ImportBatch
from hrapp.jobs.models import Job
from hrapp.streamers.roster_batches import import_roster, preview_data
from tests.factories import make_account
from tests.permission_matrix.cases import STAFF_ONLY, Case, statuses

VIEWERS = statuses(302, 404, 200, 200, 200)  # streamers: 404 on every detail page, own included
STAFF_POST = statuses(302, 403, 403, 302, 302)  # done (or refused) and sent back to the page
STAFF_REFUSED = statuses(302, 403, 403, 422, 422)
STAFF_MISSING = statuses(302, 403, 403, 404, 404)
NO_STREAMER = "/streamers/999999"


ROSTER_SHA = "1" * 64
ROSTER_FILE = (
    "employee_no,name,level,category,hire_date\nE7001,丁一,assistant,beauty,2024-03-01\n"
).encode()


def build(world) -> None:
    world.objects["roster_account_b"] = make_account(world.streamer_b, nickname="B room")
    world.objects["roster_spare_account"] = make_account(world.streamer_b, nickname="spare")
    batch = ImportBatch(kind="roster", filename="roster.csv", sha256=ROSTER_SHA, status="imported")
    # A finished check of a one-row file, as the background job stores it for the preview.
    check = preview_data(import_roster(ROSTER_FILE, "roster.csv", dry_run=True))
    job = Job(
        kind="roster_import",
        title="",
        status="done",
        result={
            "payload": {"sha256": ROSTER_SHA, "filename": "roster.csv", "dry_run": True},
            "outcome": {"check": check},
        },
    )
    db.session.add_all([batch, job])
    db.session.flush()
    world.objects["roster_batch"] = batch
    world.objects["roster_check_job"] = job


def _b(world) -> str:
    return f"/streamers/{world.streamer_b.id}"


def _account_url(world, account_name: str, action: str) -> str:
    return f"{_b(world)}/accounts/{world.objects[account_name].id}/{action}"


CASES: dict[str, list[Case]] = {
    "streamers.index": [Case("GET", lambda w: "/streamers/", statuses(302, 403, 200, 200, 200))],
    "streamers.show": [
        Case("GET", lambda w: f"/streamers/{w.streamer_a.id}", VIEWERS),
        Case("GET", _b, VIEWERS),
        Case("GET", lambda w: NO_STREAMER, statuses(302, 404, 404, 404, 404)),
    ],
    "streamers.new": [Case("GET", lambda w: "/streamers/new", STAFF_ONLY)],
    "streamers.edit": [
        Case("GET", lambda w: f"{_b(w)}/edit", STAFF_ONLY),
        Case("GET", lambda w: f"{NO_STREAMER}/edit", STAFF_MISSING),
    ],
    "streamers.change_level": [
        Case("POST", lambda w: f"{_b(w)}/level", STAFF_POST),
        Case("POST", lambda w: f"{NO_STREAMER}/level", STAFF_MISSING),
    ],
    "streamers.leave": [
        Case("POST", lambda w: f"{_b(w)}/leave", STAFF_POST),
        Case("POST", lambda w: f"{NO_STREAMER}/leave", STAFF_MISSING),
    ],
    "streamers.reactivate": [
        Case("POST", lambda w: f"{_b(w)}/reactivate", STAFF_POST),
        Case("POST", lambda w: f"{NO_STREAMER}/reactivate", STAFF_MISSING),
    ],
    "streamers.set_mentor": [
        Case("POST", lambda w: f"{_b(w)}/mentor", STAFF_POST, {"mentor_id": ""}),
        Case("POST", lambda w: f"{NO_STREAMER}/mentor", STAFF_MISSING),
    ],
    "streamers.add_account": [
        Case("POST", lambda w: f"{_b(w)}/accounts", STAFF_POST),
        Case("POST", lambda w: f"{NO_STREAMER}/accounts", STAFF_MISSING),
    ],
    "streamers.rename_account": [
        Case(
            "POST",
            lambda w: _account_url(w, "roster_account_b", "nickname"),
            STAFF_POST,
            {"nickname": "B room"},
        ),
        # Streamer A's account asked for under streamer B: not found.
        Case("POST", lambda w: _account_url(w, "account_a", "nickname"), STAFF_MISSING),
    ],
    "streamers.move_account": [
        Case("POST", lambda w: _account_url(w, "roster_account_b", "move"), STAFF_POST),
        Case("POST", lambda w: _account_url(w, "account_a", "move"), STAFF_MISSING),
    ],
    "streamers.unlink_account": [
        Case("POST", lambda w: _account_url(w, "roster_spare_account", "unlink"), STAFF_POST),
        Case("POST", lambda w: _account_url(w, "account_a", "unlink"), STAFF_MISSING),
    ],
    "streamers.login": [
        Case("GET", lambda w: f"{_b(w)}/login", STAFF_ONLY),
        Case("GET", lambda w: f"{NO_STREAMER}/login", STAFF_MISSING),
    ],
    "streamers.create_login": [
        Case("POST", lambda w: f"{_b(w)}/login/create", STAFF_REFUSED),
        Case("POST", lambda w: f"{NO_STREAMER}/login/create", STAFF_MISSING),
    ],
    "streamers.link_login": [
        Case("POST", lambda w: f"{_b(w)}/login/link", STAFF_REFUSED),
        Case("POST", lambda w: f"{NO_STREAMER}/login/link", STAFF_MISSING),
    ],
    "streamers.import_upload": [
        Case("GET", lambda w: "/streamers/import", STAFF_ONLY),
        Case("POST", lambda w: "/streamers/import", STAFF_REFUSED),
    ],
    "streamers.import_confirm": [Case("POST", lambda w: "/streamers/import/confirm", STAFF_POST)],
    "streamers.import_preview": [
        Case(
            "GET",
            lambda w: f"/streamers/import/preview/{ROSTER_SHA}?job={w.roster_check_job.id}",
            STAFF_ONLY,
        ),
        Case("GET", lambda w: f"/streamers/import/preview/{ROSTER_SHA}?job=999999", STAFF_MISSING),
    ],
    "streamers.import_batch": [
        Case("GET", lambda w: f"/streamers/import/batches/{w.roster_batch.id}", STAFF_ONLY),
        Case("GET", lambda w: "/streamers/import/batches/999999", STAFF_MISSING),
    ],
    # Without the confirming tick nothing is rolled back: back to the batch's page.
    "streamers.import_rollback": [
        Case(
            "POST", lambda w: f"/streamers/import/batches/{w.roster_batch.id}/rollback", STAFF_POST
        ),
        Case("POST", lambda w: "/streamers/import/batches/999999/rollback", STAFF_MISSING),
    ],
}
