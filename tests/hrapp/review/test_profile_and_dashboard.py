"""Issue 9, point 3 beyond the cycle page: a streamer's profile lists every appraisal of theirs
(HR only), the dashboard says when the quarter's results are out of date, and the review page
works in Chinese."""

from __future__ import annotations

import datetime as dt
import re

from flask_babel import force_locale

from hrapp.appraisals import schemes
from hrapp.appraisals.services import create_cycle
from hrapp.auth.models import Role
from hrapp.core.timeutil import org_today
from hrapp.extensions import db
from hrapp.main.dashboard import quarter_to_appraise
from tests.factories import make_streamer, make_user
from tests.hrapp.review.helpers import appraise


def test_the_profile_lists_all_the_streamers_appraisals_latest_first(hr_client, login_as) -> None:
    streamer = make_streamer(employee_no="E5001")
    q2, q3 = create_cycle("2026Q2"), create_cycle("2026Q3")
    old = appraise(q2, streamer, level="assistant", score=71.5, grade="B", payable_fen=123_456)
    old.status = "finalized"
    new = appraise(
        q3,
        streamer,
        level="senior",
        score=None,
        grade=None,
        not_graded=True,
        payable_fen=98_700,
        disputed_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    )
    appraise(q3, make_streamer(employee_no="E5002"), payable_fen=777_777)  # someone else's
    db.session.commit()

    html = hr_client.get(f"/streamers/{streamer.id}").text

    section = html[html.index('id="appraisals"') :]
    section = section[: section.index("</section>")]
    rows = re.findall(r"<tr>(.*?)</tr>", section, re.DOTALL)[1:]
    assert [re.search(r">(\d{4}Q\d)</a>", row).group(1) for row in rows] == ["2026Q3", "2026Q2"]
    assert f'href="/appraisals/{new.id}"' in rows[0] and f'href="/appraisals/{old.id}"' in rows[1]
    for text in ("Senior streamer", "Not graded", "¥987.00", "Draft", "Disputed"):
        assert text in rows[0], text
    for text in ("Assistant streamer", "71.5", "B", "¥1,234.56", "Finalized"):
        assert text in rows[1], text
    assert "since=2026-04-01" in rows[1] and "until=2026-06-30" in rows[1]
    assert "7,777.77" not in section

    trainer = login_as(make_user(Role.TRAINER, username="trainer_sun"))
    trainer_page = trainer.get(f"/streamers/{streamer.id}")
    assert trainer_page.status_code == 200
    assert 'id="appraisals"' not in trainer_page.text and "1,234.56" not in trainer_page.text


def test_a_profile_without_appraisals_says_so(hr_client) -> None:
    streamer = make_streamer()
    db.session.commit()

    assert "No appraisal yet." in hr_client.get(f"/streamers/{streamer.id}").text


def test_the_dashboard_says_the_quarter_is_out_of_date_and_why(hr_client) -> None:
    cycle = create_cycle(quarter_to_appraise(org_today()).code)
    cycle.last_run_at = dt.datetime(2026, 10, 2, 1, 0, tzinfo=dt.UTC)
    cycle.scheme_version_id = schemes.ensure_default_scheme().id
    db.session.commit()
    fresh = hr_client.get("/dashboard").text
    assert "out of date" not in fresh

    cycle.stale_since = dt.datetime(2026, 10, 3, 17, 30, tzinfo=dt.UTC)
    cycle.stale_reasons = [{"key": "scheme_changed", "at": "x", "version": 4}]
    db.session.commit()
    html = hr_client.get("/dashboard").text

    assert "Results out of date (since 4 Oct 2026 01:30" in html
    assert "scheme version 4 was saved" in html
    step = html[html.index("stale-banner") - 600 : html.index("stale-banner")]
    assert "step-todo" in step  # not ticked as done while out of date


def test_the_review_page_renders_in_chinese(app, login_as) -> None:
    hr = make_user(Role.HR, username="hr_zh")
    hr.locale = "zh_CN"
    cycle = create_cycle("2026Q3")
    appraise(cycle, make_streamer(legal_name="周七"), grade="A", payable_fen=10_000)
    db.session.commit()

    with force_locale("zh_CN"):
        response = login_as(hr).get("/appraisals/cycles/2026Q3?grade=A&q=周")

    assert response.status_code == 200
    assert "周七" in response.text
    assert "工号" in response.text and "应发金额" in response.text  # headers in Chinese
    assert "¥100.00" in response.text
