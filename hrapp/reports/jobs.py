"""The background job behind the cycle page's "Print sheets" button: the chosen appraisals'
sheets as one ZIP or one merged PDF, with a progress bar; the file stays on disk and the job
page links to its download (`hrapp.reports.views.bundle`).

Registered by `hrapp.features.JOB_MODULES`; the audit row names the person who pressed the
button (`jobs.services.run` acts on their behalf).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app

from hrapp.appraisals.models import AppraisalCycle
from hrapp.appraisals.review import FLAGS, ReviewFilter
from hrapp.core import audit
from hrapp.core.errors import NotFound
from hrapp.core.messages import Message, message
from hrapp.core.progress import ProgressFn
from hrapp.extensions import db
from hrapp.jobs.models import Job
from hrapp.jobs.services import handler, path_for
from hrapp.reports.bulk import chosen_appraisals, write_bundle

KIND = "appraisal_sheets"
FILTER_FIELDS = ("text", "team", "level", "category", "grade")


def payload(
    cycle: AppraisalCycle, wanted: ReviewFilter, file_format: str, lang: str
) -> dict[str, Any]:
    return {
        "cycle_id": cycle.id,
        "code": cycle.code,
        "filter": {
            **{name: getattr(wanted, name) for name in FILTER_FIELDS},
            "flags": sorted(wanted.flags),
        },
        "format": file_format,
        "lang": lang,
    }


def title(cycle: AppraisalCycle, wanted: ReviewFilter) -> Message:
    if wanted.active:
        return message("Printing the filtered appraisal sheets of cycle %(code)s", code=cycle.code)
    return message("Printing the appraisal sheets of cycle %(code)s", code=cycle.code)


def review_filter(stored: dict[str, Any]) -> ReviewFilter:
    return ReviewFilter(
        **{name: str(stored.get(name) or "") for name in FILTER_FIELDS},
        flags=frozenset(flag for flag in stored.get("flags", []) if flag in FLAGS),
    )


def sheets_dir() -> Path:
    return Path(current_app.config.get("SHEETS_DIR") or Path(current_app.instance_path) / "sheets")


def bundle_path(job: Job) -> Path:
    """Where a job's file is kept: named by the job, never by anything a user typed."""
    return sheets_dir() / f"job-{job.id}.{job.result['payload']['format']}"


def download_name(code: str, file_format: str, filtered: bool) -> str:
    """`2026Q3_考核表.zip`, `2026Q3_考核表_筛选.pdf` (the language of the file's own name is
    Chinese, as the sheets' file names carry Chinese names)."""
    return f"{code}_考核表{'_筛选' if filtered else ''}.{file_format}"


@handler(KIND)
def print_sheets_job(job: Job, progress: ProgressFn) -> dict[str, Any]:
    options = job.result["payload"]
    cycle = db.session.get(AppraisalCycle, options["cycle_id"])
    if cycle is None:
        raise NotFound(message("The cycle of this job no longer exists."))
    wanted = review_filter(options["filter"])
    ids = chosen_appraisals(cycle, wanted)
    bundle = write_bundle(
        cycle, ids, options["format"], options["lang"], bundle_path(job), progress
    )
    audit.record(
        "cycle.sheets",
        "appraisal_cycle",
        cycle.id,
        summary=message(
            "Appraisal sheets of cycle %(code)s printed: %(n)d sheets in one %(format)s file.",
            code=cycle.code,
            n=bundle.count,
            format=bundle.file_format.upper(),
        ),
    )
    return {
        "url": path_for("sheets.bundle", job_id=job.id),
        "count": bundle.count,
        "format": bundle.file_format,
        "filename": download_name(cycle.code, bundle.file_format, wanted.active),
    }
