"""Importing 直播大屏 per-session downloads: several files and ZIPs as one batch (command and
page), idempotent, refused whole with every problem named by file, sheet and cell; merged with
the 罗盘 list of the same sessions in either order."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hrapp.appraisals.models import AppraisalCycle
from hrapp.appraisals.sheet_facts import SheetFacts, buyer_paid_gmv_sessions
from hrapp.core.audit import AuditEntry
from hrapp.extensions import db
from hrapp.intake.batch_model import ImportBatch
from hrapp.jobs.models import Job
from hrapp.live_sessions import services
from hrapp.live_sessions.importer import import_session_files, import_sessions
from hrapp.live_sessions.models import LiveSession
from tests.live_sessions_parsing.builders import csv_bytes
from tests.live_sessions_parsing.dashboard_builders import (
    Session,
    month_of_sessions,
    session_workbook,
    zip_of,
)

from .builders import count

SAMPLES = Path(__file__).parents[3] / ".." / "shared" / "samples" / "dashboard"
SAMPLE_ZIP = SAMPLES / "dashboard_2026-07_three_sessions.zip"
THIRTY = month_of_sessions(30)


def invoke(app, *args: str):
    return app.test_cli_runner().invoke(args=["sessions", "import", *args])


def thirty_zip() -> bytes:
    return zip_of({s.filename(): session_workbook(s) for s in THIRTY})


def compass_list(sessions: list[Session]) -> bytes:
    """The 罗盘 list of the same sessions: 成交金额 above the buyer-paid amount, refunds, and
    a buyer count one above the per-session download's (the list's figure must win)."""
    header = [
        "主播昵称",
        "主播抖音号",
        "直播开始时间",
        "直播结束时间",
        "直播间观看人数",
        "直播间成交订单数",
        "直播间成交人数",
        "直播间成交金额",
        "直播间用户支付金额",
        "直播间退款金额",
    ]
    rows = [
        [
            s.nickname,
            s.account,
            f"{s.start:%Y/%m/%d %H:%M:%S}",
            f"{s.end:%Y/%m/%d %H:%M:%S}",
            str(s.viewers),
            str(s.orders),
            str(s.buyers + 1),
            f"{(s.paid_fen + 50_000) / 100:.2f}",
            f"{s.paid_fen / 100:.2f}",
            f"{(2_000 + 100 * n) / 100:.2f}",
        ]
        for n, s in enumerate(sessions)
    ]
    return csv_bytes([header, *rows])


def totals() -> dict[str, int]:
    sums = {
        name: db.session.scalar(select(func.sum(getattr(LiveSession, name))))
        for name in (
            "gmv_fen",
            "buyer_paid_fen",
            "refunds_fen",
            "viewers",
            "buyers",
            "orders",
            "items_sold",
            "avg_online",
            "on_air_seconds",
        )
    }
    sums["avg_watch_seconds"] = round(
        db.session.scalar(select(func.sum(LiveSession.avg_watch_seconds)))
    )
    sums["sessions"] = count(LiveSession)
    sums["marked"] = db.session.scalar(
        select(func.count()).where(LiveSession.gmv_basis == "buyer_paid")
    )
    return sums


# Hand-computed for THIRTY (n = 0 … 29; Σn = 435, Σ(n % 3) = 30, Σ(n % 7) = 4 × 21 + 0 + 1 = 85):
# buyer-paid 1,000,000 + 12,345n fen; the list's GMV that + 50,000; refunds 2,000 + 100n;
# viewers 1,500 + 10n; buyers 40 + n (list: + 1); orders 42 + n; items (30 + n) + (5 + n % 3);
# average online 10 + n % 7; watch 1分(10 + n)秒; on air 3 h + n minutes.
PAID = 30 * 1_000_000 + 12_345 * 435
DOWNLOAD_ONLY = {
    "gmv_fen": PAID,
    "buyer_paid_fen": PAID,
    "refunds_fen": None,
    "viewers": 30 * 1_500 + 10 * 435,
    "buyers": 30 * 40 + 435,
    "orders": 30 * 42 + 435,
    "items_sold": 30 * 30 + 435 + 30 * 5 + 30,
    "avg_online": 30 * 10 + 85,
    "on_air_seconds": 30 * 3 * 3600 + 60 * 435,
    "avg_watch_seconds": 30 * 70 + 435,
    "sessions": 30,
    "marked": 30,
}
MERGED = {
    **DOWNLOAD_ONLY,
    "gmv_fen": PAID + 30 * 50_000,  # the list's 成交金额
    "refunds_fen": 30 * 2_000 + 100 * 435,  # the list's refunds
    "buyers": 30 * 41 + 435,  # the list's figure wins where it has one
    "marked": 0,
}


def test_the_sample_zip_imports_from_the_command_and_again_changes_nothing(app, room):
    first = invoke(app, str(SAMPLE_ZIP))

    assert first.exit_code == 0, first.output
    assert "Inserted: 3  Updated: 0  Unchanged: 0  Rejected: 0" in first.output
    session = db.session.scalars(select(LiveSession).order_by(LiveSession.started_at)).first()
    assert (session.gmv_fen, session.gmv_basis, session.items_sold) == (
        3_960_424,
        "buyer_paid",
        195,
    )
    audits = count(AuditEntry)

    again = invoke(app, str(SAMPLE_ZIP))

    assert again.exit_code == 0, again.output
    assert f"Already imported as batch {_only_batch()}; nothing changed." in again.output
    assert count(LiveSession) == 3 and count(AuditEntry) == audits  # not even a batch


def test_several_files_and_a_zip_are_one_batch(app, room, tmp_path):
    paths = []
    for session in THIRTY[:2]:
        path = tmp_path / session.filename()
        path.write_bytes(session_workbook(session))
        paths.append(str(path))
    archive = tmp_path / "more.zip"
    archive.write_bytes(zip_of({s.filename(): session_workbook(s) for s in THIRTY[2:5]}))

    result = invoke(app, *paths, str(archive))

    assert result.exit_code == 0, result.output
    assert "Inserted: 5" in result.output
    batch = db.session.scalars(select(ImportBatch)).one()
    assert (batch.inserted, batch.format, batch.status) == (5, "douyin_session", "imported")
    assert count(Job) == 0  # in this process: no job, no worker


def test_one_bad_workbook_refuses_the_whole_batch_naming_file_sheet_and_cell(app, room, tmp_path):
    sessions = month_of_sessions(3)
    sessions[2].time_cell = "2026/07/03 晚上"
    archive = tmp_path / "july.zip"
    archive.write_bytes(zip_of({s.filename(): session_workbook(s) for s in sessions}))

    result = invoke(app, str(archive))

    assert result.exit_code == 1
    assert count(LiveSession) == 0
    expected = (
        f"[error] july.zip/{sessions[2].filename()}: sheet 基本信息, cell C2, 直播时间, "
        f'"2026/07/03 晚上": Not a time range'
    )
    assert expected in result.output
    assert db.session.scalars(select(ImportBatch)).one().status == "refused"


def test_an_unknown_account_is_named_by_its_file_and_cell(app, room):
    stranger = Session(THIRTY[0].start, THIRTY[0].end, account="0999999", nickname="陌生")
    outcome = import_session_files(
        [("a.xlsx", session_workbook(THIRTY[0])), ("b.xlsx", session_workbook(stranger))]
    )
    (problem,) = outcome.problems
    assert (problem.file, problem.sheet, problem.cell, problem.column) == (
        "b.xlsx",
        "基本信息",
        "B2",
        "抖音号or火山号",
    )
    assert outcome.status == "refused" and count(LiveSession) == 0


def test_the_progress_counts_files(app, room):
    seen = []
    import_session_files(
        [(s.filename(), session_workbook(s)) for s in THIRTY[:3]],
        dry_run=True,
        progress=lambda done, total, step: seen.append((done, total, step)),
    )
    reading = [(done, total) for done, total, step in seen if "Reading file" in str(step)]
    assert reading == [(0, 3), (1, 3), (2, 3), (3, 3)]


def test_a_zip_that_escapes_is_refused_and_writes_nothing(app, room, tmp_path):
    archive = tmp_path / "evil.zip"
    archive.write_bytes(zip_of({"../x.xlsx": session_workbook(THIRTY[0])}))
    result = invoke(app, str(archive))
    assert result.exit_code == 1 and count(LiveSession) == 0
    assert "member ../x.xlsx: the member's path leads outside the archive" in result.output


@pytest.mark.parametrize("order", ["download first", "list first"])
def test_thirty_downloads_and_the_list_of_them_merge_into_thirty_sessions(app, room, order):
    download = ("july.zip", thirty_zip())
    listing = ("罗盘_2026-07.csv", compass_list(THIRTY))
    steps = [download, listing] if order == "download first" else [listing, download]

    for name, data in steps:
        outcome = import_sessions(data, name)
        db.session.commit()
        assert outcome.status == "imported", outcome.problems

    assert totals() == MERGED
    updates = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "session.import_update")
    ).all()
    assert len(updates) == 30  # the second import changed every session, audited
    if order == "download first":
        assert set(updates[0].changes) >= {"gmv_fen", "gmv_basis", "refunds_fen", "buyers"}
    else:
        assert set(updates[0].changes) == {"items_sold", "avg_online", "avg_watch_seconds"}


def test_thirty_downloads_alone_have_the_buyer_paid_amount_as_gmv(app, room):
    outcome = import_sessions(thirty_zip(), "july.zip")
    db.session.commit()
    assert outcome.status == "imported" and outcome.inserted == 30
    assert totals() == DOWNLOAD_ONLY


def test_the_download_again_after_the_list_changes_nothing(app, room):
    download = thirty_zip()  # the same bytes twice (a ZIP built anew holds another time)
    first = import_sessions(download, "july.zip")
    import_sessions(compass_list(THIRTY), "罗盘.csv")
    db.session.commit()

    again = import_sessions(download, "july.zip")

    assert (again.status, again.unchanged, again.updated) == ("duplicate", 30, 0)
    assert again.batch_id == first.batch_id


# --- the pages ---------------------------------------------------------------------------------


@pytest.fixture
def hr_client(hr, login_as):
    hr.locale = "en"
    db.session.commit()
    return login_as(hr)


def test_the_upload_page_takes_several_files_and_imports_them_as_one_batch(room, hr_client):
    files = [(io.BytesIO(session_workbook(s)), s.filename()) for s in THIRTY[:2]]
    files.append((io.BytesIO(zip_of({THIRTY[2].filename(): session_workbook(THIRTY[2])})), "z.zip"))

    uploaded = hr_client.post(
        "/imports/upload",
        data={"file": files, "platform": "auto"},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 302
    preview = hr_client.get(uploaded.headers["Location"])
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "No problems found." in page
    assert THIRTY[0].filename() in page and f"z.zip/{THIRTY[2].filename()}" in page
    # Three files, not "3 data rows": each workbook is a session, not a row.
    assert "3 files read, 3 sessions in them." in page

    sha = re.search(r"/imports/preview/([0-9a-f]{64})", uploaded.headers["Location"]).group(1)
    name = re.search(r'name="name" value="([^"]*)"', page).group(1)
    hr_client.post(f"/imports/preview/{sha}/confirm", data={"name": name, "platform": "auto"})

    batch = db.session.scalars(select(ImportBatch)).one()
    assert (batch.status, batch.inserted) == ("imported", 3)
    session = db.session.scalars(select(LiveSession)).first()
    shown = hr_client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert "GMV from buyer-paid amount" in shown


def test_the_preview_names_a_problem_by_file_sheet_and_cell(room, hr_client):
    bad = Session(THIRTY[0].start, THIRTY[0].end, time_cell="昨天")
    files = [(io.BytesIO(session_workbook(bad)), "bad.xlsx"), (io.BytesIO(b"x,y\n1,2\n"), "b.csv")]
    uploaded = hr_client.post(
        "/imports/upload", data={"file": files}, content_type="multipart/form-data"
    )
    page = hr_client.get(uploaded.headers["Location"]).get_data(as_text=True)
    assert "bad.xlsx" in page and "sheet 基本信息, cell C2" in page and "b.csv" in page


def test_one_problem_in_several_files_is_summed_up_by_its_files(room, hr_client):
    strangers = [Session(s.start, s.end, account="0999999", nickname="陌生") for s in THIRTY[:3]]
    files = [(io.BytesIO(session_workbook(s)), f"{n}.xlsx") for n, s in enumerate(strangers)]
    uploaded = hr_client.post(
        "/imports/upload", data={"file": files}, content_type="multipart/form-data"
    )
    page = hr_client.get(uploaded.headers["Location"]).get_data(as_text=True)
    # Each is row 2 of its own file: "Rows 2, 2, 2" would say nothing.
    assert "In 3 files" in page and "Rows 2, 2, 2" not in page
    places = re.findall(r"<li>(.*?)</li>", page)
    assert [re.sub(r"<[^>]+>", "", p) for p in places] == [
        f"{n}.xlsx, sheet 基本信息, cell B2: 0999999" for n in range(3)
    ]


def test_the_appraisal_data_sources_count_sessions_whose_gmv_is_the_buyer_paid_amount(
    app, room, streamer
):
    cycle = AppraisalCycle(
        code="2026Q3",
        starts_on=dt.date(2026, 7, 1),
        ends_on=dt.date(2026, 9, 30),
        timezone="Asia/Shanghai",
        status="open",
    )
    db.session.add(cycle)
    import_sessions(thirty_zip(), "july.zip")
    import_sessions(compass_list(THIRTY[:10]), "罗盘.csv")  # the list of ten of them
    db.session.commit()

    assert buyer_paid_gmv_sessions(cycle, [streamer.id]) == {streamer.id: 20}
    facts = SheetFacts(buyer_paid_gmv_sessions=20).to_dict()
    assert facts["data_sources"]["buyer_paid_gmv_sessions"] == 20


def test_rolling_back_the_list_gives_the_download_figures_back(app, room):
    import_sessions(thirty_zip(), "july.zip")
    merged = import_sessions(compass_list(THIRTY), "罗盘.csv")
    db.session.commit()

    services.rollback_batch(merged.batch_id)
    db.session.commit()

    assert totals() == DOWNLOAD_ONLY


def test_the_audit_log_words_the_gmv_basis(app):
    from hrapp.audit.display import shown_value

    assert shown_value("gmv_basis", "buyer_paid") == "GMV from buyer-paid amount"


def _only_batch() -> int:
    """The id of the one import batch (ids are not reset between tests on PostgreSQL)."""
    from hrapp.intake.batch_model import ImportBatch

    return db.session.scalars(db.select(ImportBatch.id)).one()
