"""The background job behind the roster upload page for large files (`hrapp.intake.batch_jobs`)."""

from __future__ import annotations

from typing import Any

from hrapp.core.progress import ProgressFn
from hrapp.intake.batch_jobs import BatchJob, payload, run_batch_job, title
from hrapp.jobs.models import Job
from hrapp.jobs.services import handler
from hrapp.streamers.roster_batches import KIND as BATCH_KIND
from hrapp.streamers.roster_batches import import_roster, preview_data

KIND = "roster_import"
ROSTER = BatchJob(
    batch_kind=BATCH_KIND,
    run=import_roster,
    preview_data=preview_data,
    preview_endpoint="streamers.import_preview",
    batch_endpoint="streamers.import_batch",
    upload_endpoint="streamers.import_upload",
)
__all__ = ["KIND", "payload", "run_import", "title"]


@handler(KIND)
def run_import(job: Job, progress: ProgressFn) -> dict[str, Any]:
    return run_batch_job(ROSTER, job, progress)
