"""The background job behind the cycle page's "Run" button: `run_cycle` with a progress bar.

Its audit rows name the person who pressed the button: `jobs.services.run` acts on their behalf.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from hrapp.appraisals.models import AppraisalCycle
from hrapp.appraisals.runner import run_cycle
from hrapp.core.errors import NotFound, ValidationFailed
from hrapp.extensions import db
from hrapp.jobs.models import Job
from hrapp.jobs.services import ProgressFn, handler, path_for

KIND = "appraisal_cycle_run"
PROBLEMS_SHOWN = 20


def payload(cycle: AppraisalCycle) -> dict[str, Any]:
    return {"cycle_id": cycle.id, "code": cycle.code}


def title(cycle: AppraisalCycle) -> str:
    return _("Running appraisal cycle %(code)s", code=cycle.code)


@handler(KIND)
def run_cycle_job(job: Job, progress: ProgressFn) -> dict[str, Any]:
    cycle = db.session.get(AppraisalCycle, job.result["payload"]["cycle_id"])
    if cycle is None:
        raise NotFound(_("The cycle of this job no longer exists."))
    try:
        summary = run_cycle(cycle, progress)
    except ValidationFailed as exc:
        # The job page shows one message: carry the problems in it, not just the headline.
        shown = exc.problems[:PROBLEMS_SHOWN]
        raise ValidationFailed(" ".join([exc.message, *shown]), exc.problems) from None
    return {"url": path_for("appraisals.cycle", code=summary.cycle), **summary.to_dict()}
