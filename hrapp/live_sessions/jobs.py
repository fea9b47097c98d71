"""The background job behind the upload page: import (or, for a large file, check) an upload.

The file was stored under its hash when it was uploaded (`services.store_upload`), so the job
needs only the hash, the file name and the options. An import removes it (it will not be
confirmed again); a check removes it when the file can never be imported.
"""

from __future__ import annotations

from typing import Any

from hrapp.core.messages import Message, message
from hrapp.core.progress import ProgressFn
from hrapp.jobs.models import Job
from hrapp.jobs.services import handler, path_for
from hrapp.live_sessions.importer import import_sessions
from hrapp.live_sessions.services import read_upload, remove_upload, settle_checked_upload

KIND = "sessions_import"


def payload(
    sha256: str, filename: str, platform: str, *, accept_valid_rows: bool, dry_run: bool
) -> dict[str, Any]:
    return {
        "sha256": sha256,
        "filename": filename,
        "platform": platform,
        "accept_valid_rows": accept_valid_rows,
        "dry_run": dry_run,
    }


def title(filename: str, *, dry_run: bool) -> Message:
    if dry_run:
        return message("Checking %(file)s", file=filename)
    return message("Importing %(file)s", file=filename)


@handler(KIND)
def run_import(job: Job, progress: ProgressFn) -> dict[str, Any]:
    options = job.result["payload"]
    data = read_upload(options["sha256"])
    outcome = import_sessions(
        data,
        options["filename"],
        platform=options["platform"],
        dry_run=options["dry_run"],
        accept_valid_rows=options["accept_valid_rows"],
        user_id=job.created_by_id,
        progress=progress,
    )
    if options["dry_run"]:
        check = outcome.to_dict()
        settle_checked_upload(options["sha256"], data, options["filename"], check)
        # The preview page shows this stored check instead of parsing a large file again.
        url = path_for(
            "live_sessions.preview",
            sha256=options["sha256"],
            name=options["filename"],
            platform=options["platform"],
            job=job.id,
        )
        return {"url": url, "check": check}
    # Imported, refused, or already imported: nothing will confirm this upload again (a job
    # that failed keeps it, for its retry).
    remove_upload(options["sha256"])
    return {
        "url": path_for("live_sessions.batch", batch_id=outcome.batch_id),
        "status": outcome.status,
        "batch_id": outcome.batch_id,
        "inserted": outcome.inserted,
        "updated": outcome.updated,
        "unchanged": outcome.unchanged,
        "rejected": outcome.rejected,
    }
