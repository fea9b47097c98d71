"""The background jobs behind the cycle page's "Run" button: a re-run's preview (what it
would change) and `run_cycle` itself, each with a progress bar.

Its audit rows name the person who pressed the button: `jobs.services.run` acts on their behalf.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from hrapp.appraisals.models import AppraisalCycle
from hrapp.appraisals.runner import preview_run, run_cycle
from hrapp.core.errors import NotFound, ValidationFailed
from hrapp.core.messages import Message, message
from hrapp.core.progress import ProgressFn
from hrapp.extensions import db
from hrapp.jobs.models import Job
from hrapp.jobs.services import handler, path_for

KIND = "appraisal_cycle_run"
PREVIEW_KIND = "appraisal_cycle_preview"
PROBLEMS_SHOWN = 20


def payload(cycle: AppraisalCycle, expected: str | None = None) -> dict[str, Any]:
    """`expected`: the fingerprint of the preview HR confirmed (a run applies only that)."""
    return {"cycle_id": cycle.id, "code": cycle.code, "expected": expected}


def title(cycle: AppraisalCycle) -> Message:
    return message("Running appraisal cycle %(code)s", code=cycle.code)


def preview_title(cycle: AppraisalCycle) -> Message:
    return message("What a re-run of cycle %(code)s would change", code=cycle.code)


def _cycle_of(job: Job) -> AppraisalCycle:
    cycle = db.session.get(AppraisalCycle, job.result["payload"]["cycle_id"])
    if cycle is None:
        raise NotFound(message("The cycle of this job no longer exists."))
    return cycle


@contextmanager
def _problems_in_message() -> Iterator[None]:
    """The job page shows one message: carry the problems in it, not just the headline."""
    try:
        yield
    except ValidationFailed as exc:
        shown = exc.problems[:PROBLEMS_SHOWN]
        raise ValidationFailed(
            message(
                "%(error)s %(problems)s", error=exc.stored or exc.message, problems=" ".join(shown)
            ),
            exc.problems,
        ) from None


@handler(KIND)
def run_cycle_job(job: Job, progress: ProgressFn) -> dict[str, Any]:
    with _problems_in_message():
        expected = job.result["payload"].get("expected")
        summary = run_cycle(_cycle_of(job), progress, expected=expected)
    return {"url": path_for("appraisals.cycle", code=summary.cycle), **summary.to_dict()}


@handler(PREVIEW_KIND)
def preview_cycle_job(job: Job, progress: ProgressFn) -> dict[str, Any]:
    with _problems_in_message():
        preview = preview_run(_cycle_of(job), progress)
    url = path_for("appraisals.run_preview", code=preview.cycle, job_id=job.id)
    return {"url": url, "preview": preview.to_dict()}
