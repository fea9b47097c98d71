"""A job handler for the worker-death tests: writes one row per step, slowly, with progress.

Imported by the test and by the worker process the test starts (and kills).
"""

from __future__ import annotations

import time
from typing import Any

from hrapp.core import audit
from hrapp.core.messages import message
from hrapp.core.progress import ProgressFn
from hrapp.extensions import db
from hrapp.jobs import services
from hrapp.jobs.models import Job

KIND = "test-slow-rows"
STEP_SECONDS = 0.3


@services.handler(KIND)
def slow_rows(job: Job, progress: ProgressFn) -> dict[str, Any]:
    rows = int(job.result["payload"]["rows"])
    for n in range(1, rows + 1):
        audit.record("test.slow_row", "job", job.id, summary=message("row %(n)d", n=n))
        db.session.flush()  # written to the job's transaction, committed only at its end
        progress(n, rows, message("row %(n)d", n=n))
        time.sleep(STEP_SECONDS)
    return {"rows": rows}
