"""The column-mapping page of a session upload no format fits: HR and administrators only."""

from __future__ import annotations

import hashlib

from hrapp.live_sessions.services import store_upload
from tests.permission_matrix.cases import STAFF_ONLY, Case, statuses

MISSING = "0" * 64
UNKNOWN_LAYOUT = "达人抖音号,开播,销售额\r\n0439563,2026-09-03 19:00,¥100\r\n".encode()
STAFF_404 = statuses(302, 403, 403, 404, 404)
STAFF_422 = statuses(302, 403, 403, 422, 422)


def build(world) -> None:
    world.objects["unmapped_sha"] = hashlib.sha256(UNKNOWN_LAYOUT).hexdigest()
    store_upload(UNKNOWN_LAYOUT, world.objects["unmapped_sha"])


CASES: dict[str, list[Case]] = {
    "mappings.map_columns": [
        Case("GET", lambda w: f"/imports/map/{w.unmapped_sha}?name=x.csv", STAFF_ONLY),
        Case("GET", lambda w: f"/imports/map/{MISSING}?name=x.csv", STAFF_404),
    ],
    "mappings.preview_rows": [
        Case("POST", lambda w: f"/imports/map/{w.unmapped_sha}/preview", STAFF_ONLY, {"name": "x"}),
        Case("POST", lambda w: f"/imports/map/{MISSING}/preview", STAFF_404, {"name": "x.csv"}),
    ],
    "mappings.save": [
        # Without a name nothing is saved: the page again, saying why.
        Case(
            "POST",
            lambda w: f"/imports/map/{w.unmapped_sha}",
            STAFF_422,
            {"name": "x.csv", "action": "save"},
        ),
        Case("POST", lambda w: f"/imports/map/{w.unmapped_sha}", STAFF_ONLY, {"name": "x.csv"}),
        Case("POST", lambda w: f"/imports/map/{MISSING}", STAFF_404, {"name": "x.csv"}),
    ],
}
