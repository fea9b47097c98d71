"""Background jobs: a failed job is retried by whoever may see it (its creator, HR, admin).

The world's preview job (feature_appraisals) has finished, so a retry is refused and sent back
to its page; to anyone who may not see it, the job does not exist. What a retry does is tested
in tests/hrapp/hardening/test_job_lease.py.
"""

from __future__ import annotations

from tests.permission_matrix.cases import Case, statuses

CASES: dict[str, list[Case]] = {
    "jobs.retry": [
        Case(
            "POST", lambda w: f"/jobs/{w.preview_job.id}/retry", statuses(302, 404, 404, 302, 302)
        ),
        Case("POST", lambda w: "/jobs/999999/retry", statuses(302, 404, 404, 404, 404)),
    ],
}
