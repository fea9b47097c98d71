"""Issue 10, point 4: the job page's heading follows the job's state — the stored title
("Importing s.csv") only while the job works, then "Import finished: s.csv" or "Import
failed: s.csv"; the script swaps the heading too when its poll sees the end."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hrapp.core.db import utcnow
from hrapp.extensions import db
from hrapp.jobs.models import Job
from hrapp.live_sessions.jobs import KIND, payload


def _job(hr, status: str, *, dry_run: bool = False) -> Job:
    job = Job(
        kind=KIND,
        title="Checking s.csv" if dry_run else "Importing s.csv",  # stored when started
        status=status,
        done=10 if status != "queued" else 0,
        total=10,
        result={
            "payload": payload("0" * 64, "s.csv", "auto", accept_valid_rows=False, dry_run=dry_run)
        },
        error="boom" if status == "failed" else None,
        created_by_id=hr.id,
        # A job a worker has started holds a lease from then; without it "running" is lost.
        started_at=None if status == "queued" else utcnow(),
    )
    db.session.add(job)
    db.session.commit()
    return job


def _heading(page: str) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)
    assert match, page
    return " ".join(match.group(1).split())


@pytest.mark.parametrize(
    ("status", "dry_run", "heading"),
    [
        ("running", False, "Importing s.csv"),
        ("done", False, "Import finished: s.csv"),
        ("failed", False, "Import failed: s.csv"),
        ("done", True, "Check finished: s.csv"),
        ("failed", True, "Check failed: s.csv"),
    ],
)
def test_the_heading_follows_the_state(hr, hr_client, status, dry_run, heading) -> None:
    job = _job(hr, status, dry_run=dry_run)

    page = hr_client.get(f"/jobs/{job.id}")

    assert page.status_code == 200
    assert _heading(page.text) == heading


def test_other_jobs_say_finished_under_their_title(hr, hr_client) -> None:
    job = Job(
        kind="appraisal_cycle_run", title="Running 2026Q3", status="done", created_by_id=hr.id
    )
    db.session.add(job)
    db.session.commit()

    page = hr_client.get(f"/jobs/{job.id}").text

    assert _heading(page) == "Finished: Running 2026Q3"


def test_a_running_page_carries_the_headings_its_script_swaps_in(hr, hr_client) -> None:
    job = _job(hr, "running")

    page = hr_client.get(f"/jobs/{job.id}").text
    script = (Path(__file__).parents[3] / "hrapp/static/js/app.js").read_text()

    assert 'data-heading-done="Import finished: s.csv"' in page
    assert 'data-heading-failed="Import failed: s.csv"' in page
    assert "data-heading-" in script
