"""The intake's pure floor (no Flask, no database): one reader, one problem type, one set of
limits, one header rule."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from hrapp import intake
from hrapp.intake import ImportFileError, Problem, limits, read_table
from hrapp.intake.headers import header_key

ROOT = Path(__file__).parents[2]
PURE_MODULES = (
    "__init__",
    "headers",
    "limits",
    "problems",
    "sniff",
    "table",
    "xlsx_guard",
    "xlsx_sheets",
)
FORBIDDEN = ("flask", "flask_babel", "flask_sqlalchemy", "sqlalchemy", "hrapp.extensions")


@pytest.mark.parametrize("name", PURE_MODULES)
def test_the_readers_limits_and_problems_import_neither_flask_nor_sqlalchemy(name):
    tree = ast.parse((ROOT / "hrapp" / "intake" / f"{name}.py").read_text(encoding="utf-8"))
    imported = set()
    for node in tree.body:  # what importing the module loads (functions may load the edge's)
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imported.add(node.module)
    # The only hrapp module they load is the message builders' (plain data); `Problem.text`
    # renders through hrapp.core.messages from inside a function, at the edge.
    for module in imported:
        assert not module.startswith(FORBIDDEN), (name, module)
        assert not module.startswith("hrapp.") or module == "hrapp.core.message_data", module


def test_reading_a_file_loads_no_web_or_database_library():
    code = (
        "import sys\n"
        "from hrapp.intake import read_table\n"
        "rows = read_table(b'employee_no,name\\nE1,x\\n')\n"
        "assert [r.cells for r in rows] == [('employee_no', 'name'), ('E1', 'x')]\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'flask_babel', 'flask_sqlalchemy', 'sqlalchemy'}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_one_problem_type_for_every_upload():
    from hrapp.live_sessions.parsing import Problem as SessionProblem
    from hrapp.streamers.roster_import import Problem as RosterProblem
    from hrapp.training.imports import read_rows

    assert SessionProblem is Problem
    assert issubclass(RosterProblem, Problem)  # adding only how the roster names columns
    with pytest.raises(Exception) as refused:
        read_rows("records.csv", b"")
    assert all(type(p) is Problem for p in refused.value.rows)


def test_a_problem_is_a_message_id_and_parameters_worded_at_the_edge(app):
    with pytest.raises(ImportFileError) as refused:
        read_table(b"a,b\n" + b"1,2\n" * 4, max_rows=3)
    reason = refused.value.reason
    assert reason == {
        "id": "The file has more than %(n)d rows; split it into smaller files.",
        "params": {"n": 3},
    }
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert str(refused.value) == "The file has more than 3 rows; split it into smaller files."
    assert len(read_table(b"a,b\n" + b"1,2\n" * 3, max_rows=3)) == 4


def test_one_limit_for_how_far_a_workbook_may_unpack():
    assert limits.unpacked_budget(1_000) == limits.BASE_BYTES + 1_000 * limits.BYTES_PER_ROW
    assert limits.unpacked_budget() == limits.unpacked_budget(limits.MAX_ROWS)


def test_a_file_path_is_read_like_its_bytes(tmp_path):
    path = tmp_path / "records.csv"
    path.write_bytes("工号,姓名\r\nE1,张三\r\n".encode("gb18030"))

    assert read_table(path) == read_table(path.read_bytes())
    assert [r.cells for r in read_table(str(path))] == [("工号", "姓名"), ("E1", "张三")]


def test_a_text_file_named_like_a_workbook_is_refused_by_its_path(tmp_path):
    path = tmp_path / "records.xlsx"
    path.write_bytes(b"a,b\n1,2\n")

    with pytest.raises(ImportFileError) as refused:
        read_table(path)
    assert refused.value.reason["params"] == {"file": "records.xlsx"}


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("直播间成交金额", "成交金额"),
        (" 直播间 观看人数 ", "观看人数"),
        ("直播间（成交）金额", "(成交)金额"),
        ("直播间", "直播间"),  # nothing but the prefix: kept
        ("Avg. Viewing Duration", "avg.viewingduration"),
    ],
)
def test_header_keys_ignore_spaces_case_widths_and_the_room_prefix(header, key):
    assert header_key(header) == key


def test_the_package_names_its_entry_points():
    assert {"read_table", "Problem", "ImportFileError", "detect_container"} <= set(intake.__all__)


def _workbook_from_column_b() -> bytes:
    import datetime as dt
    import io

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([None, "employee_no", "level_since", "score", "note"])
    sheet.append([None, "0012", dt.datetime(2024, 1, 2), 87.5, "夜班"])
    sheet.append([None, 12, dt.date(2024, 3, 4), 90, None])
    sheet.append([])
    sheet.append([None, "E3", "2024-05-06", 0.1 + 0.2, "  spaced  "])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_workbook_reads_alike_with_calamine_and_openpyxl(monkeypatch):
    from hrapp.intake import xlsx_guard, xlsx_sheets

    data = _workbook_from_column_b()
    fast = read_table(data)

    def unfit(*args, **kwargs):
        raise xlsx_guard.CalamineUnfit("forced")

    monkeypatch.setattr(xlsx_sheets, "calamine_sheets", unfit)
    assert read_table(data) == fast
    assert [(r.number, r.cells, r.numeric) for r in fast] == [
        (1, ("", "employee_no", "level_since", "score", "note"), frozenset()),
        (2, ("", "0012", "2024-01-02", "87.5", "夜班"), frozenset({3})),
        (3, ("", "12", "2024-03-04", "90"), frozenset({1, 3})),
        (5, ("", "E3", "2024-05-06", "0.3", "spaced"), frozenset({3})),
    ]
