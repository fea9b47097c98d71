"""Live-session imports, batches, exchange rates and sessions: HR and administrators only."""

from __future__ import annotations

import hashlib

from hrapp.extensions import db
from hrapp.intake.batch_model import ImportBatch
from hrapp.live_sessions.services import store_upload
from tests.permission_matrix.cases import STAFF_ONLY, Case, statuses

MISSING = "0" * 64
UPLOAD = b"platform,account_id,started_at,gmv\r\ndouyin,0439563,2026-09-03 19:00:00,100.00\r\n"
STAFF_404 = statuses(302, 403, 403, 404, 404)
STAFF_302 = statuses(302, 403, 403, 302, 302)
STAFF_422 = statuses(302, 403, 403, 422, 422)


def build(world) -> None:
    batch = ImportBatch(kind="sessions", filename="world.csv", sha256=MISSING, status="imported")
    db.session.add(batch)
    db.session.flush()
    world.objects["import_batch"] = batch
    world.objects["upload_sha"] = hashlib.sha256(UPLOAD).hexdigest()
    store_upload(UPLOAD, world.objects["upload_sha"])


CASES: dict[str, list[Case]] = {
    "live_sessions.index": [Case("GET", lambda w: "/imports/", STAFF_ONLY)],
    "live_sessions.upload": [Case("POST", lambda w: "/imports/upload", STAFF_422)],
    "live_sessions.preview": [
        Case("GET", lambda w: f"/imports/preview/{w.upload_sha}?name=s.csv", STAFF_ONLY),
        Case("GET", lambda w: f"/imports/preview/{MISSING}?name=s.csv", STAFF_404),
    ],
    "live_sessions.confirm": [
        # Without the form's fields nothing starts: back to the imports page.
        Case("POST", lambda w: f"/imports/preview/{w.upload_sha}/confirm", STAFF_302),
        Case("POST", lambda w: f"/imports/preview/{MISSING}/confirm", STAFF_404),
    ],
    "live_sessions.map_account": [Case("POST", lambda w: "/imports/accounts/map", STAFF_302)],
    # Without a filled row nothing is mapped: back to the page it came from.
    "live_sessions.map_accounts": [Case("POST", lambda w: "/imports/accounts/map-many", STAFF_302)],
    "live_sessions.template": [Case("GET", lambda w: "/imports/template.csv", STAFF_ONLY)],
    "live_sessions.batch": [
        Case("GET", lambda w: f"/imports/batches/{w.import_batch.id}", STAFF_ONLY),
        Case("GET", lambda w: "/imports/batches/999999", STAFF_404),
    ],
    "live_sessions.rollback": [
        Case("POST", lambda w: f"/imports/batches/{w.import_batch.id}/rollback", STAFF_302),
        Case("POST", lambda w: "/imports/batches/999999/rollback", STAFF_404),
    ],
    "live_sessions.rates": [
        Case("GET", lambda w: "/imports/rates", STAFF_ONLY),
        Case("POST", lambda w: "/imports/rates", STAFF_422),
    ],
    "live_sessions.sessions": [Case("GET", lambda w: "/sessions/", STAFF_ONLY)],
    "live_sessions.long_weeks": [Case("GET", lambda w: "/sessions/long-weeks", STAFF_ONLY)],
    "live_sessions.session": [
        Case("GET", lambda w: f"/sessions/{w.session_a.id}", STAFF_ONLY),
        Case("GET", lambda w: "/sessions/999999", STAFF_404),
    ],
    "live_sessions.edit_hosts": [
        Case("GET", lambda w: f"/sessions/{w.session_b.id}/hosts", STAFF_ONLY),
        Case("POST", lambda w: f"/sessions/{w.session_b.id}/hosts", STAFF_422),
        Case("GET", lambda w: "/sessions/999999/hosts", STAFF_404),
    ],
}
