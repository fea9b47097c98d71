"""The background job of a roster or training upload too large to check or import inside the
request: one runner for both kinds, told which import to call and which pages to lead to.
The kept upload (`hrapp.intake.batches.store_upload`) is named by its hash."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hrapp.core.errors import NotFound
from hrapp.core.messages import Message, message
from hrapp.core.progress import ProgressFn
from hrapp.intake import batches
from hrapp.jobs.models import Job
from hrapp.jobs.services import path_for


@dataclass(frozen=True)
class BatchJob:
    """What differs between the kinds: the batch kind, the import and its preview data, and
    the endpoints of the preview, the batch and the upload page."""

    batch_kind: str
    run: Callable[..., Any]
    preview_data: Callable[[Any], dict[str, Any]]
    preview_endpoint: str
    batch_endpoint: str
    upload_endpoint: str


def payload(sha256: str, filename: str, *, dry_run: bool, fingerprint: str = "") -> dict[str, Any]:
    return {"sha256": sha256, "filename": filename, "dry_run": dry_run, "fingerprint": fingerprint}


def title(filename: str, *, dry_run: bool) -> Message:
    if dry_run:
        return message("Checking %(file)s", file=filename)
    return message("Importing %(file)s", file=filename)


def run_batch_job(kind: BatchJob, job: Job, progress: ProgressFn) -> dict[str, Any]:
    options = job.result["payload"]
    sha256, filename = options["sha256"], options["filename"]
    data = batches.read_upload(kind.batch_kind, sha256)
    if data is None:
        raise NotFound(message("This upload is no longer kept; please upload the file again."))
    outcome = kind.run(
        data,
        filename,
        dry_run=options["dry_run"],
        user_id=job.created_by_id,
        expected_fingerprint=options["fingerprint"] or None,
        progress=progress,
    )
    check = kind.preview_data(outcome)
    preview_url = path_for(kind.preview_endpoint, sha256=sha256, name=filename, job=job.id)
    if check["problems"] or outcome.status == "duplicate":
        batches.remove_upload(kind.batch_kind, sha256)  # it will never be confirmed
    if options["dry_run"] or outcome.status == "stale":
        return {"url": preview_url, "check": check}
    batches.remove_upload(kind.batch_kind, sha256)
    return {
        "url": path_for(kind.batch_endpoint, batch_id=outcome.batch_id)
        if outcome.batch_id
        else path_for(kind.upload_endpoint),
        "status": outcome.status,
        "batch_id": outcome.batch_id,
    }
