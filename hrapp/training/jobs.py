"""The background job behind the training upload page for large files: check or import a
kept upload (`hrapp.intake.batches.store_upload`), named by its hash."""

from __future__ import annotations

from typing import Any

from hrapp.core.errors import NotFound
from hrapp.core.messages import Message, message
from hrapp.core.progress import ProgressFn
from hrapp.intake import batches
from hrapp.jobs.models import Job
from hrapp.jobs.services import handler, path_for
from hrapp.training.batches import KIND as BATCH_KIND
from hrapp.training.batches import import_training, preview_data

KIND = "training_import"


def payload(sha256: str, filename: str, *, dry_run: bool, fingerprint: str = "") -> dict[str, Any]:
    return {"sha256": sha256, "filename": filename, "dry_run": dry_run, "fingerprint": fingerprint}


def title(filename: str, *, dry_run: bool) -> Message:
    if dry_run:
        return message("Checking %(file)s", file=filename)
    return message("Importing %(file)s", file=filename)


@handler(KIND)
def run_import(job: Job, progress: ProgressFn) -> dict[str, Any]:
    options = job.result["payload"]
    sha256, filename = options["sha256"], options["filename"]
    data = batches.read_upload(BATCH_KIND, sha256)
    if data is None:
        raise NotFound(message("This upload is no longer kept; please upload the file again."))
    outcome = import_training(
        data,
        filename,
        dry_run=options["dry_run"],
        user_id=job.created_by_id,
        expected_fingerprint=options["fingerprint"] or None,
        progress=progress,
    )
    check = preview_data(outcome)
    preview_url = path_for("training.import_preview", sha256=sha256, name=filename, job=job.id)
    if check["problems"] or outcome.status == "duplicate":
        batches.remove_upload(BATCH_KIND, sha256)  # it will never be confirmed
    if options["dry_run"] or outcome.status == "stale":
        return {"url": preview_url, "check": check}
    batches.remove_upload(BATCH_KIND, sha256)
    return {
        "url": path_for("training.import_batch", batch_id=outcome.batch_id)
        if outcome.batch_id
        else path_for("training.import_file"),
        "status": outcome.status,
        "batch_id": outcome.batch_id,
    }
