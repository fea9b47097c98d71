"""Downloading one sheet (issue 12, acceptance 3): HR any appraisal's (a draft is watermarked), a
streamer only their own finalized one — anything else answers 404, as if it did not exist;
trainers never see pay (403). `hrapp sheets` writes one PDF per streamer. Every download and
every file written is audited."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import select

from hrapp.core.audit import AuditEntry
from hrapp.extensions import db
from tests.hrapp.sheets.conftest import NAME, NET_GMV, appraisal_of
from tests.hrapp.sheets.pdfcheck import page_sizes, text_of


def _get(client, appraisal_id: int | str, query: str = ""):
    return client.get(f"/appraisals/{appraisal_id}/sheet.pdf{query}")


def test_hr_downloads_any_sheet_a_draft_watermarked(q3, senior, other, hr, login_as) -> None:
    client = login_as(hr)
    response = _get(client, appraisal_of(q3, senior).id)

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert quote(f"2026Q3_E2001_{NAME}.pdf") in disposition
    text = text_of(response.data)
    assert NET_GMV in text and "草稿" in text
    assert _get(client, appraisal_of(q3, other).id).status_code == 200


def test_english_on_request(q3, senior, hr, login_as) -> None:
    response = _get(login_as(hr), appraisal_of(q3, senior).id, "?lang=en")

    assert "Appraisal sheet" in text_of(response.data)
    assert page_sizes(response.data)[0] == (595, 842)


def test_a_streamer_downloads_their_own_finalized_sheet(
    finalized, senior, senior_user, login_as
) -> None:
    response = _get(login_as(senior_user), appraisal_of(finalized, senior).id)

    assert response.status_code == 200
    assert NAME in text_of(response.data)
    assert "HR-ONLY-SENTINEL" not in text_of(response.data)


def test_a_streamer_gets_404_for_a_draft_another_streamers_sheet_or_none(
    q3, senior, other, senior_user, hr, login_as
) -> None:
    client = login_as(senior_user)
    assert _get(client, appraisal_of(q3, senior).id).status_code == 404  # own, still a draft
    from hrapp.appraisals import closing

    closing.finalize_cycle(q3, hr)
    db.session.commit()
    assert _get(client, appraisal_of(q3, other).id).status_code == 404  # someone else's
    assert _get(client, 999_999).status_code == 404
    assert _get(client, appraisal_of(q3, senior).id).status_code == 200


def test_trainers_never_see_pay_and_anonymous_users_log_in(
    finalized, senior, trainer, login_as, client
) -> None:
    appraisal_id = appraisal_of(finalized, senior).id
    assert _get(login_as(trainer), appraisal_id).status_code == 403
    assert _get(client, appraisal_id).status_code == 302


def test_a_download_is_audited(finalized, senior, senior_user, login_as) -> None:
    appraisal = appraisal_of(finalized, senior)
    _get(login_as(senior_user), appraisal.id)

    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "appraisal.sheet")
    ).one()
    assert (entry.entity_type, entry.entity_id) == ("appraisal", str(appraisal.id))
    assert entry.actor_name == "e2001"


def test_the_appraisal_page_links_its_sheet(q3, senior, hr, login_as) -> None:
    appraisal = appraisal_of(q3, senior)
    html = login_as(hr).get(f"/appraisals/{appraisal.id}").get_data(as_text=True)

    assert f"/appraisals/{appraisal.id}/sheet.pdf" in html
    assert "考核表（PDF）" in html


# --- hrapp sheets -----------------------------------------------------------------------------


def test_the_command_writes_one_pdf_per_streamer(
    finalized, senior, other, cli, tmp_path: Path
) -> None:
    result = cli("sheets", "2026Q3", "--out", str(tmp_path / "out"), "--workers", "2")

    assert result.exit_code == 0, result.output
    written = sorted(path.name for path in (tmp_path / "out").iterdir())
    assert written == [f"2026Q3_E2001_{NAME}.pdf", "2026Q3_E2002_乙主播.pdf"]
    assert NET_GMV in text_of((tmp_path / "out" / written[0]).read_bytes())
    assert "2 sheets" in result.output or "2 份" in result.output
    assert "2/2" in result.output  # the progress line (on stderr, mixed in by the runner)


def test_the_command_for_one_streamer_in_english(finalized, senior, cli, tmp_path: Path) -> None:
    result = cli("sheets", "2026Q3", "--out", str(tmp_path), "--employee", "E2001", "--lang", "en")

    assert result.exit_code == 0, result.output
    (written,) = tmp_path.iterdir()
    assert written.name == f"2026Q3_E2001_{NAME}.pdf"
    assert "Appraisal sheet" in text_of(written.read_bytes())
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "cycle.sheets")).one()
    assert entry.entity_type == "appraisal_cycle"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("2031Q1",), "2031Q1"),
        (("2026Q3", "--employee", "E9999"), "E9999"),
    ],
)
def test_the_command_refuses_what_does_not_exist(
    q3, cli, tmp_path: Path, args: tuple[str, ...], says: str
) -> None:
    result = cli("sheets", *args, "--out", str(tmp_path))

    assert result.exit_code == 1
    assert says in result.output
    assert list(tmp_path.iterdir()) == []
