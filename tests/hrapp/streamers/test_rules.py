"""The roster's plain rules and the table reader: ages, masks, ID check digits, cells as text."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from hrapp.intake import ImportFileError, cell_text, limits, read_table
from hrapp.streamers import rules


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (dt.date(2008, 5, 6), dt.date(2024, 5, 5), 15),
        (dt.date(2008, 5, 6), dt.date(2024, 5, 6), 16),
        # Born on 29 February: a year older on 1 March in years without one.
        (dt.date(2008, 2, 29), dt.date(2024, 2, 28), 15),
        (dt.date(2008, 2, 29), dt.date(2024, 2, 29), 16),
        (dt.date(2008, 2, 29), dt.date(2025, 2, 28), 16),
    ],
)
def test_age_on(born, day, age) -> None:
    assert rules.age_on(born, day) == age


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("11010519491231002X", "****002X"),
        ("6222020200001234567", "****4567"),
        ("1234", "****"),  # too short to show anything of it
        ("", ""),
        (None, ""),
    ],
)
def test_mask_shows_at_most_the_last_four_characters(value, shown) -> None:
    assert rules.mask(value) == shown


def test_mainland_id_numbers_must_pass_their_check_digit(app) -> None:
    assert rules.id_number_problem("11010519491231002X") is None
    assert "check digit" in rules.id_number_problem("110105194912310021")
    assert rules.id_number_problem("E12345678") is None  # a passport number: no checksum


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (439563, "439563"),
        (439563.0, "439563"),
        (1.5, "1.5"),
        (dt.datetime(2024, 1, 2), "2024-01-02"),
        (dt.datetime(2024, 1, 2, 8, 30), "2024-01-02 08:30:00"),
        (dt.date(2024, 1, 2), "2024-01-02"),
        ("  0012 ", "0012"),
        (True, "TRUE"),
    ],
)
def test_spreadsheet_cells_become_the_text_a_person_sees(value, text) -> None:
    assert cell_text(value) == text


def test_csv_rows_keep_spreadsheet_numbers_and_skip_blank_rows(app) -> None:
    rows = read_table(b"a,b\n\n,\n0012,x\n")
    assert [(r.number, r.cells) for r in rows] == [(1, ("a", "b")), (4, ("0012", "x"))]


def test_tab_separated_utf16_text_is_read(app) -> None:
    rows = read_table("工号\t账号\nE1\t007\n".encode("utf-16"))
    assert [r.cells for r in rows] == [("工号", "账号"), ("E1", "007")]


def test_an_xlsx_that_unpacks_to_too_much_is_refused_before_parsing(app) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (limits.unpacked_budget(1_000) + 1))
    assert len(buffer.getvalue()) < 1024 * 1024
    with pytest.raises(ImportFileError) as caught:
        read_table(buffer.getvalue(), max_rows=1_000)
    assert "save it as CSV" in str(caught.value)
