"""Printing many sheets (issue 12, acceptance 4): the whole cycle or the rows the review's
filters select, as a ZIP of single PDFs or one merged PDF, built by a background job (rendered
by a pool of worker processes) whose page links the file for as long as it is kept."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import select

from hrapp.core.audit import AuditEntry
from hrapp.extensions import db
from hrapp.jobs.models import Job
from hrapp.reports.bulk import chosen_appraisals, write_bundle
from hrapp.reports.jobs import KIND
from tests.hrapp.sheets.conftest import NAME, NET_GMV, appraisal_of
from tests.hrapp.sheets.pdfcheck import reader, text_of


def _print(client, code: str = "2026Q3", **form: str):
    return client.post(f"/appraisals/cycles/{code}/sheets", data=form)


def _download(client, job: Job) -> bytes:
    """The job's file (the response streams it from disk: closed once read)."""
    response = client.get(f"/sheets/{job.id}")
    try:
        assert response.status_code == 200
        return response.data
    finally:
        response.close()


def _job(response) -> Job:
    assert response.status_code == 302
    job_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    job = db.session.get(Job, job_id)
    db.session.refresh(job)
    return job


def test_the_filtered_rows_as_a_zip_from_the_job_page(finalized, hr, login_as) -> None:
    client = login_as(hr)
    job = _job(_print(client, team="一组", format="zip"))

    assert (job.kind, job.status) == (KIND, "done")
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert f"/sheets/{job.id}" in page  # "See the result": the download
    response = client.get(f"/sheets/{job.id}")
    response.close()
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(_download(client, job))) as archive:
        assert archive.namelist() == [f"2026Q3_E2001_{NAME}.pdf"]  # E2002 is in 二组
        assert NET_GMV in text_of(archive.read(archive.namelist()[0]))


def test_the_whole_cycle_as_one_merged_pdf_with_a_bookmark_each(
    finalized, senior, other, hr, login_as
) -> None:
    client = login_as(hr)
    job = _job(_print(client, format="pdf", lang="en"))

    merged = _download(client, job)
    document = reader(merged)
    # One bookmark per sheet, holding the sheet's own headings.
    assert [item.title for item in document.outline if not isinstance(item, list)] == [
        f"2026Q3_E2001_{NAME}",
        "2026Q3_E2002_乙主播",
    ]
    assert len(document.pages) >= 4  # two pages a sheet at least
    text = text_of(merged)
    assert text.index("E2001") < text.index("E2002")
    assert "Appraisal sheet" in text
    assert job.result["outcome"]["count"] == 2


def test_printing_and_downloading_are_audited(finalized, hr, login_as) -> None:
    client = login_as(hr)
    job = _job(_print(client))
    _download(client, job)

    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity_type == "appraisal_cycle")
    ).all()
    assert "cycle.sheets" in actions and "cycle.sheets_download" in actions


def test_a_filter_nothing_matches_makes_an_empty_zip(finalized, hr, login_as) -> None:
    client = login_as(hr)
    job = _job(_print(client, q="nobody-is-called-this"))

    with zipfile.ZipFile(io.BytesIO(_download(client, job))) as archive:
        assert archive.namelist() == []


def test_the_cycle_page_offers_the_print_with_its_filters(finalized, hr, login_as) -> None:
    html = login_as(hr).get("/appraisals/cycles/2026Q3?team=一组&grade=A").get_data(as_text=True)

    assert 'action="/appraisals/cycles/2026Q3/sheets"' in html
    assert 'name="team" value="一组"' in html and 'name="grade" value="A"' in html
    assert "打印筛选出的 1 份考核表" in html


def test_an_unknown_format_is_refused_and_nothing_is_queued(finalized, hr, login_as) -> None:
    assert _print(login_as(hr), format="docx").status_code == 400
    assert db.session.scalars(select(Job).where(Job.kind == KIND)).all() == []


def test_no_file_for_a_job_of_another_kind_or_not_done(finalized, hr, login_as) -> None:
    from hrapp.jobs.services import submit

    other = submit("appraisal_cycle_run", "run", {"cycle_id": finalized.id}, user_id=None)
    db.session.commit()
    client = login_as(hr)
    assert client.get(f"/sheets/{other.id}").status_code == 404
    assert client.get("/sheets/999999").status_code == 404


def test_a_pathological_sheet_fails_the_job_with_a_clear_error(
    finalized, senior, hr, login_as, fast_timeout: float
) -> None:
    appraisal = appraisal_of(finalized, senior)
    appraisal.shared_comment = "a" * 100_000
    db.session.commit()

    job = _job(_print(login_as(hr)))

    assert job.status == "failed"
    assert "E2001" in (job.error or "")


def test_the_pool_renders_every_sheet_once_with_progress(finalized, tmp_path) -> None:
    steps: list[tuple[int, int, bool]] = []
    ids = chosen_appraisals(finalized)

    def progress(done: int, total: int, _step: object) -> None:
        # While the workers render, this process holds no transaction: on SQLite, outside a
        # GET request, one would hold the write lock for the whole print.
        steps.append((done, total, db.session().in_transaction()))

    bundle = write_bundle(finalized, ids, "zip", "zh", tmp_path / "all.zip", progress, 2)

    assert bundle.count == 2
    assert steps[0][:2] == (0, 2) and steps[-1][:2] == (2, 2)
    assert [in_transaction for *_counts, in_transaction in steps[1:]] == [False] * len(steps[1:])
    assert not (tmp_path / "all.zip.part").exists()


@pytest.mark.parametrize("file_format", ["zip", "pdf"])
def test_no_half_file_is_left_when_a_run_fails(
    finalized, senior, tmp_path, fast_timeout: float, file_format: str
) -> None:
    appraisal = appraisal_of(finalized, senior)
    appraisal.shared_comment = "a" * 100_000
    db.session.commit()

    with pytest.raises(Exception, match="E2001"):
        write_bundle(
            finalized,
            chosen_appraisals(finalized),
            file_format,
            "zh",
            tmp_path / f"all.{file_format}",
            lambda *_: None,
            1,
        )
    assert list(tmp_path.iterdir()) == []
