"""What each role gets from each endpoint.

Every endpoint of the application must appear here; `test_every_endpoint_has_a_case` fails
when one is missing. A case is (method, url builder taking the World, {role: status}).
302 for anonymous means "sent to the login page". Feature packages keep their own table in a
module of this folder, merged below.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple


class Case(NamedTuple):
    method: str
    url: Callable[[Any], str]
    expect: dict[str, int]
    data: dict[str, Any] | None = None


def statuses(anonymous: int, streamer: int, trainer: int, hr: int, admin: int) -> dict[str, int]:
    return {
        "anonymous": anonymous,
        "streamer": streamer,
        "trainer": trainer,
        "hr": hr,
        "admin": admin,
    }


STAFF_ONLY = statuses(302, 403, 403, 200, 200)
ADMIN_ONLY = statuses(302, 403, 403, 403, 200)
EVERYONE_LOGGED_IN = statuses(302, 200, 200, 200, 200)
STAFF_SEE_JOBS = statuses(302, 404, 404, 200, 200)

CORE: dict[str, list[Case]] = {
    "static": [Case("GET", lambda w: "/static/css/app.css", statuses(200, 200, 200, 200, 200))],
    "main.index": [Case("GET", lambda w: "/", statuses(302, 302, 302, 302, 302))],
    "main.healthz": [Case("GET", lambda w: "/healthz", statuses(200, 200, 200, 200, 200))],
    "main.dashboard": [Case("GET", lambda w: "/dashboard", STAFF_ONLY)],
    "auth.login": [Case("GET", lambda w: "/login", statuses(200, 302, 302, 302, 302))],
    "auth.logout": [Case("POST", lambda w: "/logout", statuses(302, 302, 302, 302, 302))],
    "auth.change_password": [Case("GET", lambda w: "/account/password", EVERYONE_LOGGED_IN)],
    "auth.set_language": [
        Case("POST", lambda w: "/language/en", statuses(302, 302, 302, 302, 302)),
        Case("POST", lambda w: "/language/xx", statuses(404, 404, 404, 404, 404)),
    ],
    "auth.users": [Case("GET", lambda w: "/accounts", ADMIN_ONLY)],
    "auth.new_user": [Case("GET", lambda w: "/accounts/new", ADMIN_ONLY)],
    "auth.edit_user": [
        Case("GET", lambda w: f"/accounts/{w.users['hr'].id}", ADMIN_ONLY),
        Case("GET", lambda w: "/accounts/999999", statuses(302, 403, 403, 403, 404)),
    ],
    "audit.index": [Case("GET", lambda w: "/audit/", STAFF_ONLY)],
    # A job is its creator's and the staff's (the preview job feature_appraisals builds has no
    # creator); to anyone else it does not exist.
    "jobs.show": [
        Case("GET", lambda w: f"/jobs/{w.preview_job.id}", STAFF_SEE_JOBS),
        Case("GET", lambda w: "/jobs/999999", statuses(302, 404, 404, 404, 404)),
    ],
    "jobs.progress": [
        Case("GET", lambda w: f"/jobs/{w.preview_job.id}.json", STAFF_SEE_JOBS),
        Case("GET", lambda w: "/jobs/999999.json", statuses(302, 404, 404, 404, 404)),
    ],
}
