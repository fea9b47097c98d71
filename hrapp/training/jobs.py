"""The background job behind the training upload page for large files
(`hrapp.intake.batch_jobs`)."""

from __future__ import annotations

from typing import Any

from hrapp.core.progress import ProgressFn
from hrapp.intake.batch_jobs import BatchJob, payload, run_batch_job, title
from hrapp.jobs.models import Job
from hrapp.jobs.services import handler
from hrapp.training.batches import KIND as BATCH_KIND
from hrapp.training.batches import import_training, preview_data

KIND = "training_import"
TRAINING = BatchJob(
    batch_kind=BATCH_KIND,
    run=import_training,
    preview_data=preview_data,
    preview_endpoint="training.import_preview",
    batch_endpoint="training.import_batch",
    upload_endpoint="training.import_file",
)
__all__ = ["KIND", "payload", "run_import", "title"]


@handler(KIND)
def run_import(job: Job, progress: ProgressFn) -> dict[str, Any]:
    return run_batch_job(TRAINING, job, progress)
