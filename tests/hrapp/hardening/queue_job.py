"""A job for the queue tests: reports progress step by step, slowly enough to be watched.

Imported by the test and by the worker process the test starts.
"""

from __future__ import annotations

import time
from typing import Any

from hrapp.core.progress import ProgressFn
from hrapp.jobs import services
from hrapp.jobs.models import Job

KIND = "test-queue-steps"
STEP_SECONDS = 0.3


@services.handler(KIND)
def steps(job: Job, progress: ProgressFn) -> dict[str, Any]:
    total = int(job.result["payload"]["steps"])
    for n in range(1, total + 1):
        progress(n, total, f"step {n}")
        time.sleep(STEP_SECONDS)
    return {"steps": total}
