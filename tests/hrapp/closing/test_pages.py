"""The closing forms in the browser, in Chinese (the default) and English: adjusting,
overriding, commenting, a conflict that keeps the user's input, finalize behind a ticked box,
and reopening by an administrator with a reason."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from hrapp.appraisals.models import AppraisalAdjustment
from hrapp.extensions import db
from tests.hrapp.closing.conftest import WORKED_COMMISSION_FEN, appraisal_of

CSS_ESCAPED = "&lt;script&gt;"


def _page(client, appraisal) -> str:
    response = client.get(f"/appraisals/{appraisal.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _lock_version(html: str, prefix: str) -> str:
    match = re.search(rf'name="{prefix}-lock_version"[^>]*value="(\d+)"', html) or re.search(
        rf'value="(\d+)"[^>]*name="{prefix}-lock_version"', html
    )
    assert match, f"no {prefix} lock_version in the page"
    return match.group(1)


def _adjust(client, appraisal, amount: str, reason: str, version: str):
    return client.post(
        f"/appraisals/{appraisal.id}/adjustments",
        data={"adjust-amount": amount, "adjust-reason": reason, "adjust-lock_version": version},
    )


def test_a_pay_adjustment_in_chinese(appraisal, hr, login_as) -> None:
    client = login_as(hr)  # no language chosen: Chinese
    html = _page(client, appraisal)
    assert "调整项" in html and "应发金额" in html
    response = _adjust(client, appraisal, "-200.50", "直播迟到两次", _lock_version(html, "adjust"))
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "直播迟到两次" in html and hr.username in html
    found = appraisal_of(appraisal.cycle, appraisal.streamer)
    assert found.payable_fen == WORKED_COMMISSION_FEN - 20_050


@pytest.mark.usefixtures("english")
def test_a_score_override_and_comments_in_english(appraisal, hr, login_as) -> None:
    client = login_as(hr)
    html = _page(client, appraisal)
    response = client.post(
        f"/appraisals/{appraisal.id}/score",
        data={
            "score-score": "96",
            "score-reason": "Calibration meeting",
            "score-lock_version": _lock_version(html, "score"),
        },
    )
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Score overridden: grade S." in html
    assert "the computed score is 90.00" in html
    response = client.post(
        f"/appraisals/{appraisal.id}/comments",
        data={
            "comments-hr_notes": "Watch the refunds",
            "comments-shared_comment": "<script>alert(1)</script>",
            "comments-lock_version": _lock_version(html, "comments"),
        },
    )
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Comments saved." in html and CSS_ESCAPED in html and "<script>alert" not in html
    found = appraisal_of(appraisal.cycle, appraisal.streamer)
    assert (found.grade, found.commission_fen) == ("S", 1_380_000)
    assert found.hr_notes == "Watch the refunds"


@pytest.mark.usefixtures("english")
def test_the_second_save_gets_a_conflict_and_keeps_its_input(appraisal, hr, admin, login_as):
    first, second = login_as(admin), login_as(hr)
    page_of_second = _page(second, appraisal)
    stale = _lock_version(page_of_second, "adjust")
    saved = first.post(
        f"/appraisals/{appraisal.id}/comments",
        data={
            "comments-hr_notes": "Admin was here",
            "comments-shared_comment": "",
            "comments-lock_version": _lock_version(_page(first, appraisal), "comments"),
        },
    )
    assert saved.status_code == 302

    response = _adjust(second, appraisal, "-1,234.56", "Damaged sample kit", stale)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else saved this appraisal" in html
    assert 'value="-1,234.56"' in html and 'value="Damaged sample kit"' in html
    assert "Admin was here" in html  # the other person's save is shown
    assert db.session.scalar(select(AppraisalAdjustment.id)) is None
    # The kept form now carries the current version: sending it again is a deliberate save.
    retried = _adjust(
        second, appraisal, "-1,234.56", "Damaged sample kit", _lock_version(html, "adjust")
    )
    assert retried.status_code == 302
    assert appraisal_of(appraisal.cycle, appraisal.streamer).adjustment_fen == -123_456


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    ("amount", "reason", "message"),
    [
        ("twelve", "Bonus", "Write the amount in yuan"),
        ("0", "Bonus", "changes nothing"),
        ("1.005", "Bonus", "Write the amount in yuan"),
        ("100", "", "This field is required."),
    ],
)
def test_bad_input_is_refused_and_kept(appraisal, hr, login_as, amount, reason, message):
    client = login_as(hr)
    version = _lock_version(_page(client, appraisal), "adjust")
    response = _adjust(client, appraisal, amount, reason, version)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html and f'value="{amount}"' in html
    assert db.session.scalar(select(AppraisalAdjustment.id)) is None


@pytest.mark.usefixtures("english")
def test_finalize_needs_the_ticked_box_then_reopen_needs_an_admin_and_a_reason(
    q3, appraisal, hr, admin, login_as
) -> None:
    client = login_as(hr)
    cycle_page = client.get("/appraisals/cycles/2026Q3").get_data(as_text=True)
    assert 'name="understood"' in cycle_page

    refused = client.post("/appraisals/cycles/2026Q3/finalize", data={})
    assert refused.status_code == 422 and "Tick the box to confirm." in refused.get_data(True)
    assert appraisal_of(q3, appraisal.streamer).status == "draft"
    done = client.post("/appraisals/cycles/2026Q3/finalize", data={"understood": "y"})
    assert done.status_code == 302
    html = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "finalized: 1 appraisals are final (revision 1)" in html
    html = _page(client, appraisal)
    assert "as revision 1" in html and 'name="adjust-amount"' not in html

    assert client.post("/appraisals/cycles/2026Q3/reopen", data={"reason": "x"}).status_code == 403
    boss = login_as(admin)
    assert boss.post("/appraisals/cycles/2026Q3/reopen", data={"reason": ""}).status_code == 422
    reopened = boss.post("/appraisals/cycles/2026Q3/reopen", data={"reason": "Refunds arrived"})
    assert reopened.status_code == 302
    html = _page(boss, appraisal)
    assert "Revision 1 against the current figures" in html and 'name="adjust-amount"' in html
    assert appraisal_of(q3, appraisal.streamer).status == "draft"


@pytest.mark.usefixtures("english")
def test_the_confirmation_page_says_why_finalizing_is_refused(senior, hr, login_as) -> None:
    from hrapp.appraisals import services

    services.create_cycle("2026Q3")
    db.session.commit()
    client = login_as(hr)
    html = client.get("/appraisals/cycles/2026Q3/finalize").get_data(as_text=True)
    assert "has never been run" in html and 'name="understood"' not in html
    response = client.post("/appraisals/cycles/2026Q3/finalize", data={"understood": "y"})
    assert response.status_code == 409 and "has never been run" in response.get_data(True)
