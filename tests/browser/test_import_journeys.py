"""HR's journeys through the data: a session export imported and rolled back, and the
explanation of one appraisal of the demo's open quarter (read only: another journey re-runs it).

The import's file is in hrapp's canonical template and names an account of the demo agency.
Its sessions start in a quarter after every cycle the journeys run (2027Q4; the closing
journeys finalize 2026Q4 and 2027Q1), so no finalized cycle depends on them and the rollback
is never refused, whatever ran before; each language imports its own sessions (own ids, own days).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from tests.browser.conftest import LiveServer
from tests.browser.helpers import (
    BOTH_LANGUAGES,
    DemoAgency,
    button,
    expect_heading,
    finish_job,
    goto,
    lang_of,
    link,
    login_as,
    unique,
    words,
)
from tests.hrapp.live_sessions.builders import TEMPLATE_COLUMNS

# The days each language's sessions start on (local time), far from the demo's cycles.
DAYS = {"zh": ("2027-11-03", "2027-11-05"), "en": ("2027-11-10", "2027-11-12")}


@dataclass(frozen=True)
class Explained:
    """An appraisal of the open quarter with a commission, and what its page must show."""

    appraisal_id: int
    employee_no: str
    name: str
    metrics: int  # rows of its metrics table


@dataclass(frozen=True)
class Account:
    platform: str
    account_id: str
    nickname: str
    employee_no: str


@BOTH_LANGUAGES
def test_hr_imports_a_session_export_and_rolls_it_back(
    page: Page, demo: DemoAgency, live_server: LiveServer
) -> None:
    account = _an_account_of_the_demo(live_server)
    name = f"{unique('sessions-')}.csv"
    data = _template_csv(account, DAYS[lang_of(page)], prefix=unique("bj"))
    login_as(page, "hr")

    # Upload: the check comes first, and writes nothing.
    goto(page, "/imports/")
    page.locator("input[type=file][name=file]").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": data}]
    )
    button(page, zh="上传并检查", en="Upload and check").click()
    expect_heading(page, zh=f"检查 {name}", en=f"Check {name}")
    new = page.locator(".tile", has_text=words(page, "新增场次", "new sessions"))
    expect(new.locator(".tile-value")).to_have_text("2")
    rejected = page.locator(".tile", has_text=words(page, "被拒绝的行", "rows rejected"))
    expect(rejected.locator(".tile-value")).to_have_text("0")
    preview = page.locator("main section", has_text=words(page, "前几行", "The first rows"))
    expect(preview.locator("tbody tr")).to_have_count(2)
    expect(preview.locator("tbody")).to_contain_text(account.account_id)

    # Import: a job, then the batch page.
    button(page, zh="导入", en="Import").click()
    finish_job(page)
    expect_heading(page, zh="导入批次", en="Import")
    expect(page.locator("h1")).to_contain_text(words(page, "已导入", "imported"))
    batch_url = page.url
    assert re.search(r"/imports/batches/\d+$", batch_url), batch_url
    inserted = page.locator(".tile", has_text=words(page, "新增", "inserted"))
    expect(inserted.locator(".tile-value").first).to_have_text("2")

    # Its sessions are in the session list, hosted by the account's streamer.
    link(page, zh="本次导入的场次", en="Sessions of this import").click()
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(2)
    for row in rows.all():
        expect(row).to_contain_text(account.account_id)

    # Roll it back (ticking a confirmation if the page asks for one).
    page.goto(batch_url)
    _roll_back(page)
    expect(page.locator("h1")).to_contain_text(words(page, "已回滚", "rolled back"))
    expect(page.locator(".flash").first).to_contain_text(
        words(page, "删除 2 个场次", "2 sessions removed")
    )
    expect(page.locator("form[action$='/rollback']")).to_have_count(0)

    # The sessions are gone.
    link(page, zh="本次导入的场次", en="Sessions of this import").click()
    expect(page.locator("main table tbody tr")).to_have_count(1)
    expect(page.locator("main table tbody")).to_contain_text(
        words(page, "没有符合条件的场次。", "No sessions match.")
    )
    page.locator("form.filters input[name=account]").fill(account.account_id)
    page.locator("form.filters input[name=since]").fill(DAYS[lang_of(page)][0])
    page.locator("form.filters button[type=submit]").click()
    expect(page.locator("main table tbody")).to_contain_text(
        words(page, "没有符合条件的场次。", "No sessions match.")
    )


@BOTH_LANGUAGES
def test_hr_maps_a_checks_unknown_accounts_in_one_submit(
    page: Page, demo: DemoAgency, live_server: LiveServer
) -> None:
    streamer_no, stage_name = _a_streamer_with_a_name_of_their_own(live_server)
    named, nameless = unique("77"), unique("78")
    account = Account("douyin", named, f"{stage_name}的直播间", "")
    other = Account("douyin", nameless, unique("无人认领"), "")
    rows = _template_csv(account, DAYS[lang_of(page)][:1], prefix=unique("bm"))
    rows += _template_csv(other, DAYS[lang_of(page)][1:], prefix=unique("bm")).split(b"\n", 1)[1]
    name = f"{unique('accounts-')}.csv"
    login_as(page, "hr")

    goto(page, "/imports/")
    page.locator("input[type=file][name=file]").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": rows}]
    )
    button(page, zh="上传并检查", en="Upload and check").click()
    expect_heading(page, zh=f"检查 {name}", en=f"Check {name}")

    # Each account once, the one whose nickname holds a streamer's name with them filled in.
    section = page.locator("section[data-unknown-accounts]")
    suggested = section.locator(f"tr[data-account='{named}']")
    expect(suggested.locator("input[name$='-employee_no']")).to_have_value(streamer_no)
    expect(suggested).to_contain_text(stage_name)
    expect(
        section.locator(f"tr[data-account='{nameless}'] input[name$='-employee_no']")
    ).to_have_value("")

    button(page, zh="关联这些账号", en="Map these accounts").click()
    expect(page.locator(".flash").first).to_contain_text(
        words(page, "已关联 1 个账号", "1 account mapped")
    )
    expect_heading(page, zh=f"检查 {name}", en=f"Check {name}")
    expect(section.locator("tr[data-account]")).to_have_count(1)
    expect(section.locator(f"tr[data-account='{nameless}']")).to_have_count(1)


@BOTH_LANGUAGES
def test_hr_opens_the_explanation_of_an_appraisal(
    page: Page, demo: DemoAgency, live_server: LiveServer
) -> None:
    quarter = demo.last_quarter
    explained = _an_appraisal_with_commission(live_server, quarter)
    login_as(page, "hr")
    page.locator("nav.nav").get_by_role("link", name=words(page, "绩效考核", "Appraisals")).click()
    link(page, zh=quarter, en=quarter).click()
    expect_heading(page, zh=f"考核周期 {quarter}", en=f"Cycle {quarter}")

    page.locator("main table").get_by_role("link", name=explained.employee_no, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/appraisals/{explained.appraisal_id}$"))
    expect_heading(page, zh=f"{explained.name} · {quarter}", en=f"{explained.name} · {quarter}")
    expect(page.locator("main")).to_contain_text(explained.employee_no)

    # The payable, as a tile.
    payable = page.locator(".tile", has_text=words(page, "应发金额", "Payable")).first
    expect(payable.locator(".tile-value")).to_have_text(re.compile(r"\d"))

    # The quarter's figures and the metrics table, labelled in the page's language.
    figures = _section(page, words(page, "季度数据", "Quarter figures"))
    expect(figures.locator("table th").first).to_have_text(words(page, "场次", "Sessions"))
    score = _section(page, words(page, "得分", "Score"))
    headers = score.locator("table thead th")
    expect(headers.first).to_have_text(words(page, "指标", "Metric"))
    expect(headers.nth(1)).to_have_text(words(page, "权重", "Weight"))
    metric_rows = score.locator("table tbody tr")
    expect(metric_rows).to_have_count(explained.metrics)
    labels = [row.locator("td").first.inner_text() for row in metric_rows.all()]
    raw = [label for label in labels if re.search(r"[a-z]+_[a-z]+", label)]
    assert not raw, f"metric codes shown instead of labels: {raw}"
    chinese = [label for label in labels if re.search(r"[\u4e00-\u9fff]", label)]
    assert len(chinese) == (len(labels) if lang_of(page) == "zh" else 0), labels

    # The commission statement: its tiers, the tier commission and the commission.
    statement = _section(page, words(page, "提成明细", "Commission statement"))
    expect(statement.locator("table thead th").first).to_have_text(words(page, "档位", "Tier"))
    expect(statement.locator("table tbody")).to_contain_text(
        words(page, "阶梯提成", "Tier commission")
    )
    expect(statement.locator("table tbody tr th").last).to_have_text(
        words(page, "提成", "Commission")
    )

    link(page, zh="返回考核周期", en="Back to the cycle").click()
    expect_heading(page, zh=f"考核周期 {quarter}", en=f"Cycle {quarter}")


def _section(page: Page, heading: str) -> Locator:
    """The card of the page whose h2 is `heading`."""
    card = page.locator("main section.card").filter(
        has=page.locator("h2", has_text=re.compile(rf"^{re.escape(heading)}$"))
    )
    expect(card).to_have_count(1)
    return card


def _an_appraisal_with_commission(live_server: LiveServer, quarter: str) -> Explained:
    """The open quarter's appraisal with the largest commission, graded, data complete."""
    from hrapp.appraisals.models import Appraisal, AppraisalCycle
    from hrapp.extensions import db
    from hrapp.streamers.models import Streamer

    with live_server.app.app_context():
        appraisal, streamer = db.session.execute(
            select(Appraisal, Streamer)
            .join(Streamer, Streamer.id == Appraisal.streamer_id)
            .join(AppraisalCycle, AppraisalCycle.id == Appraisal.cycle_id)
            .where(
                AppraisalCycle.code == quarter,
                Appraisal.not_graded.is_(False),
                Appraisal.data_incomplete.is_(False),
                Appraisal.commission_fen > 0,
            )
            .order_by(Appraisal.commission_fen.desc(), Appraisal.id)
            .limit(1)
        ).one()
        found = Explained(
            appraisal.id,
            streamer.employee_no,
            streamer.display_name,
            len(appraisal.explanation.get("metrics", [])),
        )
        db.session.remove()
    assert found.metrics > 0, found
    return found


def _roll_back(page: Page) -> None:
    """Click the batch page's rollback button; if the app asks to confirm (a box to tick, a
    dialog, or a page of its own), confirm, until the batch page shows the result."""
    page.on("dialog", lambda dialog: dialog.accept())
    for _ in range(3):
        form = page.locator("form[action$='/rollback']")
        if form.count() == 0:
            return
        for box in form.locator("input[type=checkbox]").all():
            if box.is_visible() and not box.is_checked():
                box.check()
        form.locator("button[type=submit]").last.click()
        page.wait_for_load_state()
        if page.locator(".flash").count():
            return
    raise AssertionError(f"the rollback did not finish: {page.url}")


def _an_account_of_the_demo(live_server: LiveServer) -> Account:
    """A platform account of an active streamer of the demo agency (the first by id)."""
    from hrapp.extensions import db
    from hrapp.streamers.models import PlatformAccount, Streamer

    with live_server.app.app_context():
        account, employee_no = db.session.execute(
            select(PlatformAccount, Streamer.employee_no)
            .join(Streamer, Streamer.id == PlatformAccount.streamer_id)
            .where(Streamer.status == "active")
            .order_by(PlatformAccount.id)
            .limit(1)
        ).one()
        found = Account(account.platform, account.account_id, account.nickname, employee_no)
        db.session.remove()
    return found


def _a_streamer_with_a_name_of_their_own(live_server: LiveServer) -> tuple[str, str]:
    """An active streamer of the demo whose stage name no other active streamer's name
    contains or is contained in: a nickname holding it suggests that streamer alone."""
    from hrapp.extensions import db
    from hrapp.streamers.models import Streamer

    with live_server.app.app_context():
        active = db.session.scalars(
            select(Streamer).where(Streamer.status == "active").order_by(Streamer.id)
        ).all()
        found = next(
            (s.employee_no, s.stage_name)
            for s in active
            if len(s.stage_name) >= 2
            and not any(
                name and (name in s.stage_name or s.stage_name in name)
                for other in active
                if other.id != s.id
                for name in (other.stage_name, other.legal_name)
            )
        )
        db.session.remove()
    return found


def _template_csv(account: Account, days: tuple[str, ...], prefix: str) -> bytes:
    """One evening session per day, in hrapp's canonical template."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=TEMPLATE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for number, day in enumerate(days, start=1):
        writer.writerow(
            {
                "platform": account.platform,
                "account_id": account.account_id,
                "nickname": account.nickname,
                "platform_session_id": f"{prefix}-{number}",
                "started_at": f"{day} 19:00:00",
                "ended_at": f"{day} 21:30:15",
                "viewers": "1000",
                "views": "1500",
                "buyers": "50",
                "orders": "60",
                "gmv": "10000.00",
                "refunds": "500.00",
                "currency": "",
                "hosts": account.employee_no,
            }
        )
    return buffer.getvalue().encode("utf-8")
