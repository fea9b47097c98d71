"""Roster import: the sample file, idempotence, all-or-nothing with row/column/reason, encodings."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re

import openpyxl
import pytest
from sqlalchemy import func, select

from hrapp.core.errors import ValidationFailed
from hrapp.core.messages import message
from hrapp.extensions import db
from hrapp.streamers.models import LevelChange, PlatformAccount, Streamer
from hrapp.streamers.roster_import import ImportRefused, apply_plan, plan_import
from tests.factories import make_account, make_streamer, make_user
from tests.hrapp.streamers.conftest import SAMPLE, audit_count, audit_entries, write

HEADER = "employee_no,name,stage_name,level,category,team,hire_date,platform,account_id,nickname"


def _import(data: bytes, source: str = "roster.csv"):
    summary = apply_plan(plan_import(data), source)
    db.session.commit()
    return summary


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return "\n".join([header, *rows]).encode()


def _problems(data: bytes) -> list[str]:
    return [str(p) for p in plan_import(data).problems]


def _roster() -> list[tuple]:
    """The roster as plain tuples, to compare imports with each other."""
    streamers = db.session.scalars(select(Streamer).order_by(Streamer.employee_no))
    return [
        (
            s.employee_no,
            s.legal_name,
            s.stage_name,
            s.level,
            s.category,
            s.team,
            s.hire_date,
            sorted((a.platform, a.account_id, a.nickname) for a in s.accounts),
        )
        for s in streamers
    ]


def _sample_rows() -> list[dict[str, str]]:
    """The sample as the csv module reads it: an oracle independent of the importer."""
    with SAMPLE.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _count(model) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


# --- the sample --------------------------------------------------------------------------------


def test_the_sample_imports_24_streamers_with_their_accounts(app, sample_bytes) -> None:
    summary = _import(sample_bytes)

    assert (summary.created, summary.updated, summary.unchanged) == (24, 0, 0)
    assert summary.accounts_created == 24
    assert _count(Streamer) == 24
    assert _count(PlatformAccount) == 24
    expected = {
        (row["employee_no"], row["platform"], row["account_id"], row["nickname"])
        for row in _sample_rows()
    }
    imported = {
        (a.streamer.employee_no, a.platform, a.account_id, a.nickname)
        for a in db.session.scalars(select(PlatformAccount))
    }
    assert imported == expected
    assert {"0439563", "04709137", "0554710"} <= {a[2] for a in imported}  # zeros kept
    first = db.session.scalar(select(Streamer).where(Streamer.employee_no == "E1001"))
    assert (first.legal_name, first.stage_name, first.level, first.hire_date) == (
        "张小红",
        "小红酱",
        "assistant",
        dt.date(2023, 6, 4),
    )
    assert first.level_since == first.hire_date
    assert audit_count("streamer.create") == 24
    assert audit_count("account.create") == 24
    assert len(audit_entries("roster.import")) == 1


def test_importing_the_same_file_again_changes_nothing(app, sample_bytes) -> None:
    _import(sample_bytes)
    before_audit = audit_count()
    stamps = list(db.session.scalars(select(Streamer.updated_at).order_by(Streamer.id)))

    summary = _import(sample_bytes)

    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 24)
    assert (summary.accounts_created, summary.accounts_updated) == (0, 0)
    assert audit_count() == before_audit
    assert list(db.session.scalars(select(Streamer.updated_at).order_by(Streamer.id))) == stamps
    assert _count(Streamer) == 24 and _count(LevelChange) == 24


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda text: text.encode("gb18030"), id="gb18030"),
        pytest.param(lambda text: codecs.BOM_UTF8 + text.encode("utf-8"), id="utf-8-bom"),
        pytest.param(lambda text: text.replace("\n", "\r\n").encode(), id="crlf"),
    ],
)
def test_other_encodings_import_identically(app, sample_bytes, encode) -> None:
    _import(sample_bytes)
    expected = _roster()
    db.session.execute(PlatformAccount.__table__.delete())
    db.session.execute(LevelChange.__table__.delete())
    db.session.execute(Streamer.__table__.delete())
    db.session.commit()

    _import(encode(sample_bytes.decode("utf-8")))

    assert _roster() == expected
    # And re-importing the UTF-8 original over it finds nothing to change.
    assert plan_import(sample_bytes).summary.unchanged == 24


def test_an_xlsx_with_text_cells_imports_like_the_csv(app, sample_bytes) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in csv.reader(io.StringIO(sample_bytes.decode())):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)

    plan = plan_import(buffer.getvalue())
    assert plan.problems == [] and plan.warnings == []
    _import(buffer.getvalue(), "roster.xlsx")
    assert plan_import(sample_bytes).summary.unchanged == 24


def test_account_ids_stored_as_numbers_in_xlsx_get_a_warning(app) -> None:
    book = openpyxl.Workbook()
    book.active.append(HEADER.split(","))
    book.active.append(
        ["E1", "甲", "", "assistant", "beauty", "", dt.datetime(2024, 1, 2), "douyin", 439563, ""]
    )
    buffer = io.BytesIO()
    book.save(buffer)

    plan = plan_import(buffer.getvalue())

    assert plan.problems == []
    [warning] = plan.warnings
    assert (warning.row, warning.column, warning.value) == (2, "account_id", "439563")
    assert "leading zeros" in warning.text
    assert plan.items[0].profile.hire_date == dt.date(2024, 1, 2)


# --- all or nothing ----------------------------------------------------------------------------


def test_a_file_with_one_bad_row_writes_nothing_and_names_row_column_reason(
    app, sample_bytes
) -> None:
    lines = sample_bytes.decode().splitlines()
    lines[4] = lines[4].replace(",assistant,", ",boss,")  # spreadsheet row 5
    bad = "\n".join(lines).encode()

    problems = plan_import(bad).problems
    assert [(p.row, p.column, p.value) for p in problems] == [(5, "level", "boss")]
    assert "Unknown level" in problems[0].text
    with pytest.raises(ImportRefused) as refused:
        apply_plan(plan_import(bad), "bad.csv")
    db.session.rollback()
    assert refused.value.problems == ["Row 5, column Level, value “boss”: " + problems[0].text]
    assert _count(Streamer) == 0 and audit_count() == 0


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("E1,甲,,assistant,beauty,,2024-02-30,douyin,1,", (2, "hire_date", "not a date")),
        ("E1,甲,,assistant,beauty,,2024/2/3,weibo,1,", (2, "platform", "Unknown platform")),
        ("E1,甲,,assistant,cars,,2024-02-03,douyin,1,", (2, "category", "Unknown category")),
        ("E1,,,assistant,beauty,,2024-02-03,douyin,1,", (2, "name", "value is required")),
        (",甲,,assistant,beauty,,2024-02-03,douyin,1,", (2, "employee_no", "value is required")),
        ("E1,甲,,assistant,beauty,,2024-02-03,douyin,,", (2, "account_id", "needs both")),
        ("E1,甲,,assistant,beauty,,2024-02-03,douyin,1 2,", (2, "account_id", "spaces")),
    ],
)
def test_cell_problems_are_reported_with_row_and_column(app, row, expected) -> None:
    [problem] = plan_import(_csv(row)).problems
    assert (problem.row, problem.column) == expected[:2]
    assert expected[2] in problem.text


def test_every_problem_of_the_file_is_reported(app) -> None:
    problems = plan_import(
        _csv(
            "E1,甲,,boss,beauty,,2024-02-03,douyin,1,",
            "E2,乙,,assistant,beauty,,yesterday,douyin,2,",
            "E3,丙,,assistant,beauty,,2024-02-03,tiktok,3,",
        )
    ).problems
    assert [(p.row, p.column) for p in problems] == [(2, "level"), (3, "hire_date")]


def test_conflicting_values_for_one_employee_are_refused(app) -> None:
    problems = _problems(
        _csv(
            "E1,甲,,assistant,beauty,一组,2024-02-03,douyin,1,",
            "E1,甲,,assistant,beauty,二组,2024-02-03,kuaishou,1,",
        )
    )
    assert problems == [
        "Row 3, column Team, value “二组”: Row 2 says “一组” for the same employee E1."
    ]


def test_one_account_on_two_streamers_in_the_file_is_refused(app) -> None:
    problems = _problems(
        _csv(
            "E1,甲,,assistant,beauty,,2024-02-03,douyin,0001,",
            "E2,乙,,assistant,beauty,,2024-02-03,douyin,0001,",
        )
    )
    assert problems == [
        "Row 3, column Account id, value “0001”: The same account is on row 2 for employee E1."
    ]


def test_an_account_owned_by_someone_else_is_not_moved_silently(app) -> None:
    owner = make_streamer(employee_no="E0900", legal_name="原主", stage_name="")
    make_account(owner, account_id="0001")
    db.session.commit()
    [problem] = plan_import(_csv("E1,甲,,assistant,beauty,,2024-02-03,douyin,0001,")).problems
    assert (problem.row, problem.column) == (2, "account_id")
    assert "belongs to 原主 (E0900)" in problem.text


def test_under_16_on_the_hire_date_is_refused(app) -> None:
    header = HEADER + ",date_of_birth"
    [problem] = plan_import(
        _csv("E1,甲,,assistant,beauty,,2024-02-03,douyin,1,,2009-01-01", header=header)
    ).problems
    assert (problem.row, problem.column, problem.value) == (2, "date_of_birth", "2009-01-01")
    assert "at least 16 years old on the hire date" in problem.text


def test_missing_and_repeated_columns_are_refused_before_any_row(app) -> None:
    problems = plan_import(_csv("E1,甲", header="employee_no,employee_no")).problems
    reasons = [(p.row, p.column, p.text) for p in problems]
    assert (1, "employee_no", "This column appears twice.") in reasons
    missing = {"name": "Legal name", "level": "Level", "category": "Category"}
    missing["hire_date"] = "Hire date"
    for column, label in missing.items():
        assert (1, column, f"The required column {label} is missing.") in reasons


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "The file is empty."),
        (b"employee_no,name\n\x80\x80\xff", "neither UTF-8 nor GB18030"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest-of-an-xls", "old-style .xls workbook"),
        (b"PK\x03\x04not-really-a-zip", "cannot be opened"),
    ],
)
def test_unreadable_files_get_a_clear_error(app, data, expected) -> None:
    with pytest.raises(ValidationFailed) as caught:
        plan_import(data)
    assert expected in caught.value.message


# --- updates -----------------------------------------------------------------------------------


def test_a_changed_file_updates_audits_and_records_the_level_change(app, sample_bytes) -> None:
    _import(sample_bytes)
    lines = sample_bytes.decode().splitlines()
    lines[1] = lines[1].replace(",assistant,beauty,一组,", ",senior,beauty,二组,")
    lines.append("E1001,张小红,小红酱,senior,beauty,二组,2023-06-04,kuaishou,000888,小红快手")

    summary = _import("\n".join(lines).encode(), "roster-oct.csv")

    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 23)
    assert (summary.accounts_created, summary.accounts_unchanged) == (1, 24)
    streamer = db.session.scalar(select(Streamer).where(Streamer.employee_no == "E1001"))
    assert (streamer.level, streamer.level_since, streamer.team) == (
        "senior",
        dt.date(2026, 9, 15),
        "二组",
    )
    change = streamer.level_changes[-1]
    assert (change.from_level, change.to_level) == ("assistant", "senior")
    assert change.reason == message("Roster import from %(file)s", file="roster-oct.csv")
    [update] = audit_entries("streamer.update")
    assert update.changes == {"team": ["一组", "二组"]}
    [level] = audit_entries("streamer.level_change")
    assert level.changes["level"] == ["assistant", "senior"]
    assert "000888" in {a.account_id for a in streamer.accounts}


def test_blank_optional_cells_keep_what_the_roster_has(app) -> None:
    _import(_csv("E1,甲,艺名,assistant,beauty,一组,2024-02-03,douyin,0001,甲的直播间"))
    summary = _import(_csv("E1,甲,,assistant,beauty,,2024-02-03,douyin,0001,"))
    assert summary.unchanged == 1 and summary.accounts_unchanged == 1
    streamer = db.session.scalar(select(Streamer))
    assert (streamer.stage_name, streamer.team, streamer.accounts[0].nickname) == (
        "艺名",
        "一组",
        "甲的直播间",
    )


def test_an_unowned_account_known_from_session_imports_is_linked(app) -> None:
    make_account(None, account_id="0042", nickname="")
    db.session.commit()
    summary = _import(_csv("E1,甲,,assistant,beauty,,2024-02-03,douyin,0042,甲号"))
    assert (summary.accounts_created, summary.accounts_updated) == (0, 1)
    assert _count(PlatformAccount) == 1
    assert db.session.scalar(select(PlatformAccount)).streamer.employee_no == "E1"


def test_chinese_headers_and_values_are_understood(app) -> None:
    header = "工号,姓名,艺名,岗位,直播领域,组别,入职日期,平台,账号,昵称"
    _import(_csv("E1,甲,,资深主播,美妆,一组,2024年2月3日,抖音,0007,", header=header))
    streamer = db.session.scalar(select(Streamer))
    assert (streamer.level, streamer.category, streamer.hire_date) == (
        "senior",
        "beauty",
        dt.date(2024, 2, 3),
    )
    assert (streamer.accounts[0].platform, streamer.accounts[0].account_id) == ("douyin", "0007")


def test_a_streamer_without_accounts_and_one_with_two(app) -> None:
    _import(
        _csv(
            "E1,甲,,assistant,beauty,,2024-02-03,,,",
            "E2,乙,,assistant,beauty,,2024-02-03,douyin,01,",
            "E2,乙,,assistant,beauty,,2024-02-03,taobao,01,",
        )
    )
    by_number = {s.employee_no: s for s in db.session.scalars(select(Streamer))}
    assert by_number["E1"].accounts == []
    assert sorted(a.platform for a in by_number["E2"].accounts) == ["douyin", "taobao"]


# --- the command -------------------------------------------------------------------------------


def _run(app, *args: str):
    return app.test_cli_runner().invoke(args=["roster", "import", *args])


def test_the_command_imports_and_prints_a_summary(app, tmp_path, sample_bytes) -> None:
    make_user(username="hr_zhao")
    db.session.commit()
    path = write(tmp_path, "roster.csv", sample_bytes)

    first = _run(app, str(path), "--as", "hr_zhao")
    second = _run(app, str(path))

    assert first.exit_code == 0, first.output
    assert "Streamers: 24 created, 0 updated, 0 unchanged." in first.output
    assert second.exit_code == 0, second.output
    assert f"Already imported as batch {_only_batch()}; nothing changed." in second.output
    assert _count(Streamer) == 24
    assert {e.actor_name for e in audit_entries("streamer.create")} == {"hr_zhao"}


def test_the_command_refuses_with_every_problem_and_exit_code_1(app, tmp_path) -> None:
    path = write(
        tmp_path,
        "bad.csv",
        _csv(
            "E1,甲,,boss,beauty,,2024-02-03,douyin,1,",
            "E2,乙,,assistant,beauty,,2024-02-31,douyin,2,",
        ),
    )
    result = _run(app, str(path))
    assert result.exit_code == 1
    assert "Row 2, column Level, value “boss”" in result.output
    assert "Row 3, column Hire date, value “2024-02-31”" in result.output
    assert "Nothing was imported" in result.output
    assert _count(Streamer) == 0


def test_a_dry_run_writes_nothing(app, tmp_path, sample_bytes) -> None:
    result = _run(app, str(write(tmp_path, "roster.csv", sample_bytes)), "--dry-run")
    assert result.exit_code == 0
    assert "new E1001 张小红" in result.output
    assert "24 created" in result.output
    assert _count(Streamer) == 0 and audit_count() == 0


# --- the upload page ---------------------------------------------------------------------------


def _upload(client, data: bytes, name: str = "roster.csv"):
    return client.post(
        "/streamers/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html)[1]


def test_upload_previews_then_imports_on_confirmation(app, login_as, hr, sample_bytes) -> None:
    client = login_as(hr)
    preview = _upload(client, sample_bytes)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Streamers: 24 created" in html and "0439563" in html
    assert _count(Streamer) == 0  # nothing before the confirmation

    confirm = {name: _hidden(html, name) for name in ("token", "fingerprint", "filename")}
    response = client.post("/streamers/import/confirm", data=confirm)
    assert response.status_code == 302
    assert _count(Streamer) == 24
    assert {e.actor_name for e in audit_entries("streamer.create")} == {"hr_wang"}
    # The stored upload is gone: confirming twice imports nothing twice.
    again = client.post("/streamers/import/confirm", data=confirm, follow_redirects=True)
    assert "no longer here" in again.get_data(as_text=True)


def test_upload_shows_the_problems_and_offers_no_confirmation(app, login_as, hr) -> None:
    response = _upload(login_as(hr), _csv("E1,甲,,boss,beauty,,2024-02-03,douyin,1,"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "boss" in html and "Unknown level" in html
    assert "/streamers/import/confirm" not in html


def test_a_stale_preview_is_shown_again_instead_of_imported(
    app, login_as, hr, sample_bytes
) -> None:
    client = login_as(hr)
    html = _upload(client, sample_bytes).get_data(as_text=True)
    confirm = {name: _hidden(html, name) for name in ("token", "fingerprint", "filename")}
    make_streamer(employee_no="E1001", legal_name="别人", hire_date=dt.date(2023, 6, 4))
    db.session.commit()

    response = client.post("/streamers/import/confirm", data=confirm)

    assert response.status_code == 200
    assert "changed since the preview" in response.get_data(as_text=True)
    assert _count(Streamer) == 1


def _only_batch() -> int:
    """The id of the one import batch (ids are not reset between tests on PostgreSQL)."""
    from hrapp.intake.batch_model import ImportBatch

    return db.session.scalars(db.select(ImportBatch.id)).one()
