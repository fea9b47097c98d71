"""The two XLSX readers: calamine reads what it reads exactly as openpyxl does; openpyxl the rest.

Most tests read one workbook with both readers and compare the texts cell by cell; the others
check that each construct calamine reads differently (or could not hold in memory) sends the
workbook to openpyxl, so `parse_export` gives what openpyxl gives.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import zipfile

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH

from hrapp.intake import xlsx_guard as xlsx_checks
from hrapp.intake.xlsx_guard import CalamineUnfit, check_safety, pattern_past
from hrapp.live_sessions.parsing import ImportFileError, parse_export, template_columns
from hrapp.live_sessions.parsing import xlsx_source as xlsx
from hrapp.live_sessions.parsing.profiles import candidate_profiles
from hrapp.live_sessions.parsing.xlsx_source import (
    calamine_text,
    read_with_calamine,
    read_with_openpyxl,
)

from .builders import (
    JULY_XLSX,
    csv_bytes,
    rewritten,
    sample,
    september_rows,
    xlsx_bytes,
    zip_bytes,
)

PROFILES = candidate_profiles("auto")
LIMIT = 200_000
SHEET = "xl/worksheets/sheet1.xml"
TITLE = template_columns().index("title")


def texts(table):
    """Everything a reader hands on: the layout found and each used column's cell texts."""
    (chunk,) = table.chunks
    columns = {index: cells.tolist() for index, cells in chunk.columns.items()}
    return table.layout.profile.name, table.layout.header_row, chunk.rows.tolist(), columns


def read_by_both(data, max_rows=LIMIT):
    calamine = texts(read_with_calamine(data, PROFILES, max_rows))
    return calamine, texts(read_with_openpyxl(data, PROFILES, max_rows))


def template_workbook(titles, epoch=WINDOWS_EPOCH):
    """Template rows whose ``title`` cells hold ``titles``: (value, number format or None)."""
    workbook = openpyxl.Workbook()
    workbook.epoch = epoch
    sheet = workbook.active
    sheet.append(template_columns())
    for row, (value, number_format) in enumerate(titles, start=2):
        sheet.cell(row, 1, "taobao")
        sheet.cell(row, 2, "A1")
        cell = sheet.cell(row, TITLE + 1, value)
        if number_format:
            cell.number_format = number_format
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def title_texts(data, read=read_with_calamine):
    _, _, _, columns = texts(read(data, PROFILES, LIMIT))
    return columns[TITLE]


def test_a_real_export_is_read_by_calamine_as_by_openpyxl():
    calamine, openpyxl_texts = read_by_both(sample(JULY_XLSX))

    assert calamine == openpyxl_texts
    assert len(calamine[2]) == 480


def test_a_plain_export_never_needs_openpyxl(monkeypatch):
    def refuse(*_args):
        raise AssertionError("openpyxl should not read this workbook")

    monkeypatch.setattr(xlsx, "read_with_openpyxl", refuse)

    assert parse_export(sample(JULY_XLSX), JULY_XLSX).total_rows == 480


@pytest.mark.parametrize("epoch", [WINDOWS_EPOCH, MAC_EPOCH], ids=["1900", "1904"])
def test_typed_cells_read_alike(epoch):
    cells = [
        ("0042", None),
        (42, None),
        (42.0, None),
        (8772.35, None),
        (0.1 + 0.2, None),
        (-0.0, None),
        (-12.5, None),
        (1e-7, None),
        (2**53 - 1, None),
        (True, None),
        (False, None),
        ("  padded  ", None),  # openpyxl marks it xml:space="preserve"
        ("", None),
        (None, None),
    ]
    dates = [
        (dt.datetime(2026, 9, 3, 19, 13, 12, 999_999), None),
        (dt.datetime(2026, 9, 3), None),
        (dt.date(2026, 9, 3), None),
        (dt.time(8, 5, 1), None),
        (dt.timedelta(hours=30, minutes=2, seconds=5), None),
        (45903.5, "yyyy/mm/dd hh:mm"),
        (45903, 'yyyy"年"m"月"d"日"'),
        (0.25, "h:mm"),
        (1.5, "[h]:mm:ss"),
        (0.125, "0.00%"),
        (1234.5, "#,##0.00"),
        (3_000_000, "#,##0"),
    ]

    calamine, openpyxl_texts = read_by_both(template_workbook(cells + dates, epoch))

    assert calamine == openpyxl_texts
    assert calamine[3][TITLE][len(cells) : len(cells) + 5] == [
        "2026-09-03 19:13:13",
        "2026-09-03 00:00:00",
        "2026-09-03 00:00:00",
        "08:05:01",
        "30:02:05",
    ]


@pytest.mark.parametrize("epoch", [WINDOWS_EPOCH, MAC_EPOCH], ids=["1900", "1904"])
@pytest.mark.parametrize("number_format", ["yyyy-mm-dd hh:mm:ss", "h:mm:ss", "[h]:mm:ss"])
def test_dates_to_the_second_or_millisecond_read_alike(epoch, number_format):
    # calamine rounds a serial to the millisecond over its whole value, openpyxl over its day
    # fraction; both land on the same millisecond unless a serial lies half-way between two,
    # which no typed or exported time does (only arithmetic could put one there).
    rng = random.Random(20260907)
    serials = []
    for _ in range(400):
        day = rng.choice([0, 1, 59, 60, 61, 45000, rng.randrange(1, 60000)])
        seconds = rng.randrange(86400)
        serials.append(day + seconds / 86400)
        serials.append(day + (seconds + rng.randrange(1000) / 1000) / 86400)

    data = template_workbook([(serial, number_format) for serial in serials], epoch)

    assert title_texts(data) == title_texts(data, read_with_openpyxl)


def _to_the_millisecond(value):
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


_CELL_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**53) + 1, 2**53 - 1),
    st.floats(-1e15, 1e15),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=6),
    st.datetimes(dt.datetime(1904, 1, 1), dt.datetime(4600, 1, 1)).map(_to_the_millisecond),
    st.times().map(_to_the_millisecond),
    st.timedeltas(dt.timedelta(0), dt.timedelta(days=99_999)).map(
        lambda delta: dt.timedelta(milliseconds=delta // dt.timedelta(milliseconds=1))
    ),
)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(_CELL_VALUES, min_size=1, max_size=25), st.sampled_from([WINDOWS_EPOCH, MAC_EPOCH]))
def test_any_cells_calamine_takes_come_out_as_openpyxl_reads_them(values, epoch):
    """Numbers a double holds, text, booleans, dates 1904–4600 and times to the millisecond
    (as typed or exported; see above): calamine reads them all, to openpyxl's texts."""
    data = template_workbook([(value, None) for value in values], epoch)

    calamine, openpyxl_texts = read_by_both(data)

    assert calamine == openpyxl_texts


def test_rows_and_columns_before_the_data_keep_their_numbers():
    # python-calamine's rows begin at row 1 but at the first column holding a value.
    header, first, second = september_rows(2)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.cell(3, 3, "罗盘 直播间列表")
    for row, values in [(5, header), (6, first), (8, second)]:
        for column, value in enumerate(values, start=3):
            sheet.cell(row, column, value)
    buffer = io.BytesIO()
    workbook.save(buffer)

    calamine, openpyxl_texts = read_by_both(buffer.getvalue())

    assert calamine == openpyxl_texts
    assert calamine[1:3] == (5, [6, 8])
    assert min(calamine[3]) == 2  # column C
    result = parse_export(buffer.getvalue(), "offset.xlsx")
    assert result.rows["source_row"].tolist() == [6, 8]
    plain = parse_export(csv_bytes([header, first, second]), "plain.csv").rows
    pd.testing.assert_frame_equal(
        result.rows.drop(columns="source_row"), plain.drop(columns="source_row")
    )


def test_an_empty_first_sheet_is_passed_over():
    calamine, openpyxl_texts = read_by_both(xlsx_bytes([], september_rows(2)))

    assert calamine == openpyxl_texts
    assert calamine[2] == [2, 3]


def test_the_row_limit_holds_without_a_declared_size():
    header, *rows = september_rows(30)
    workbook = openpyxl.Workbook(write_only=True)  # writes no <dimension>
    sheet = workbook.create_sheet()
    for row in [header, *rows]:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)

    with pytest.raises(ImportFileError, match="more than 20 data rows"):
        read_with_calamine(buffer.getvalue(), PROFILES, 20)


def cell_replaced(cell_xml):
    """A template workbook whose title cell is replaced by ``cell_xml`` (``{ref}`` its place)."""
    data = template_workbook([("MARK", None)])

    def change(xml):
        found = re.search(r'<c r="([A-Z]+[0-9]+)" t="inlineStr"><is><t>MARK</t></is></c>', xml)
        return xml.replace(found[0], cell_xml.format(ref=found[1]))

    return rewritten(data, SHEET, change)


@pytest.mark.parametrize(
    ("cell", "reason", "text"),
    [
        ('<c r="{ref}" t="e"><v>#N/A</v></c>', "error or ISO-date", "#N/A"),
        ('<c r="{ref}" t="d"><v>2026-09-03T19:13:12Z</v></c>', "ISO-date", "2026-09-03 19:13:12"),
        ('<c r="{ref}" t="inlineStr"><is><t> a </t></is></c>', "edge whitespace", " a "),
        (
            '<c r="{ref}" t="inlineStr"><is><r><t>ab</t></r><r><t> cd</t></r></is></c>',
            "edge whitespace",
            "ab cd",
        ),
        ('<c r="{ref}" t="inlineStr"><is><t>a_x000D_b</t></is></c>', "_xHHHH_", "a_x000D_b"),
        ('<c r="{ref}"><is><t>zz</t></is></c>', "inline text outside", ""),
        ('<c r="{ref}"><v>9007199254740993</v></c>', "too long for a double", "9007199254740993"),
        # openpyxl counts it into the column after the last one named (nickname), as before.
        ('<c t="inlineStr"><is><t>x</t></is></c>', "does not name its place", ""),
    ],
)
def test_what_calamine_reads_otherwise_is_read_by_openpyxl(cell, reason, text):
    data = cell_replaced(cell)

    with pytest.raises(CalamineUnfit, match=reason):
        read_with_calamine(data, PROFILES, LIMIT)
    assert title_texts(data, read_with_openpyxl) == [text]
    assert texts(xlsx.open_xlsx(data, PROFILES, LIMIT)) == texts(
        read_with_openpyxl(data, PROFILES, LIMIT)
    )


def test_an_id_beyond_a_double_keeps_every_digit():
    rows = [["LIVE analysis"], ["Creator ID", "Creator", "Launched Time", "Revenue ($)"]]
    rows.append([7012345678901234567, "shop_anna", "2026/09/03/ 19:30", 1234.56])
    data = rewritten(
        xlsx_bytes(rows),
        SHEET,
        lambda xml: re.sub(r"<v>[0-9.e+]+</v>", "<v>7012345678901234567</v>", xml, count=1),
    )

    result = parse_export(data, "tiktok.xlsx")

    assert result.rows["account_id"].tolist() == ["7012345678901234567"]


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ('<c r="{ref}"><v>12abc</v></c>', "damaged and cannot be read (ValueError)"),
        ('<c r="{ref}" t="s"><v>7</v></c>', "damaged and cannot be read (IndexError)"),
    ],
)
def test_a_damaged_sheet_gets_the_same_message_as_ever(cell, message):
    data = cell_replaced(cell)

    with pytest.raises(CalamineUnfit):
        read_with_calamine(data, PROFILES, LIMIT)
    with pytest.raises(ImportFileError, match=re.escape(message)):
        parse_export(data, "damaged.xlsx")


@pytest.mark.parametrize(
    ("value", "number_format", "reason", "text"),
    [
        (-1.5, "yyyy-mm-dd hh:mm:ss", "outside 1900–4637", "1899-12-28 12:00:00"),
        (45903, "#,##0*d", "number format calamine reads differently", "2025-09-03 00:00:00"),
    ],
)
def test_dates_the_readers_convert_differently_are_read_by_openpyxl(
    value, number_format, reason, text
):
    data = template_workbook([(value, number_format)])

    with pytest.raises(CalamineUnfit, match=reason):
        read_with_calamine(data, PROFILES, LIMIT)
    assert title_texts(data, read_with_openpyxl) == [text]


class _Untouchable:
    @staticmethod
    def from_filelike(_file):
        raise AssertionError("calamine must not read this workbook")


@pytest.mark.parametrize(
    ("far_cell", "max_rows", "reason"),
    [
        ("DP2", LIMIT, "beyond the rows and columns"),  # 120 columns × 200,020 rows
        ("A41", 20, "beyond the rows and columns"),
        ("XFD1048576", LIMIT, "beyond the rows and columns"),
        ("A99999999", LIMIT, "beyond the rows and columns"),
        ("a1048576", LIMIT, "does not name its place"),  # calamine reads lower case too
        ("A1x", LIMIT, "beyond the rows and columns"),
    ],
)
def test_a_sheet_too_large_to_hold_never_reaches_calamine(monkeypatch, far_cell, max_rows, reason):
    # calamine would allocate the whole rectangle up to the far cell, 32 bytes a cell, and
    # abort the process when that fails.
    data = cell_replaced(f'<c r="{far_cell}" t="inlineStr"><is><t>far</t></is></c>')
    monkeypatch.setattr(xlsx.python_calamine, "CalamineWorkbook", _Untouchable)

    with pytest.raises(CalamineUnfit, match=reason):
        check_safety(data, max_rows)
    if far_cell in ("DP2", "A41"):  # openpyxl reads these quickly
        assert texts(xlsx.open_xlsx(data, PROFILES, max_rows)) == texts(
            read_with_openpyxl(data, PROFILES, max_rows)
        )


def test_shared_strings_are_bounded_like_the_cells(monkeypatch):
    sheet = b'<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData>'
    strings = b"<sst>" + b"<si><t>x</t></si>" * 40 + b"</sst>"
    data = zip_bytes({SHEET: sheet + b"</worksheet>", "xl/sharedStrings.xml": strings})
    monkeypatch.setattr(xlsx_checks, "MAX_CALAMINE_CELLS", 39)

    with pytest.raises(CalamineUnfit, match="more shared strings"):
        check_safety(data, 1)
    monkeypatch.setattr(xlsx_checks, "MAX_CALAMINE_CELLS", 40)
    assert check_safety(data, 1).shared_strings == strings


def test_a_sheet_in_utf16_is_left_to_openpyxl(monkeypatch):
    # calamine decodes UTF-16 XML; the byte searches that bound its cells would not see them.
    with zipfile.ZipFile(io.BytesIO(template_workbook([("wide", None)]))) as archive:
        entries = {info.filename: archive.read(info) for info in archive.infolist()}
    entries[SHEET] = entries[SHEET].decode().encode("utf-16")
    data = zip_bytes(entries)
    monkeypatch.setattr(xlsx.python_calamine, "CalamineWorkbook", _Untouchable)

    with pytest.raises(CalamineUnfit, match="UTF-16"):
        check_safety(data, LIMIT)
    assert title_texts(data, xlsx.open_xlsx) == ["wide"]


@pytest.mark.parametrize("limit", ["0", "9", "10", "99", "120", "200020"])
def test_numbers_counted_past_a_limit(limit):
    pattern = re.compile(pattern_past(limit, "0123456789"))
    candidates = [*range(1000), *range(199_000, 201_000), 999_999, 1_000_000, 12_345_678]

    assert [n for n in candidates if pattern.fullmatch(str(n).encode())] == [
        n for n in candidates if n > int(limit)
    ]


@pytest.mark.parametrize("limit", ["A", "Z", "AD", "DO", "XFD"])
def test_columns_counted_past_a_limit(limit):
    pattern = re.compile(pattern_past(limit, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    columns = range(1, 18_279)  # A to ZZZ
    letter = openpyxl.utils.get_column_letter
    position = openpyxl.utils.column_index_from_string(limit)

    assert [c for c in columns if pattern.fullmatch(letter(c).encode())] == [
        c for c in columns if c > position
    ]


def test_calamine_values_become_openpyxl_texts():
    assert calamine_text(dt.date(2026, 9, 3)) == "2026-09-03 00:00:00"
    assert calamine_text(9007199254740991.0) == "9007199254740991"
    assert calamine_text(-0.0) == "0"
    assert calamine_text(8772.35) == "8772.35"
    assert calamine_text(None) == ""
    with pytest.raises(CalamineUnfit, match="too long"):
        calamine_text(2.0**53)


def tiktok_workbook(data_rows: int, declared_last_row: int | None = None, sheets: int = 1):
    """A TikTok LIVE analysis export: a title row above the header (row 2), then data rows;
    its <dimension> optionally rewritten to claim ``declared_last_row`` rows."""
    rows = [["LIVE analysis"], ["Creator ID", "Creator", "Launched Time", "Revenue ($)"]]
    for n in range(data_rows):
        rows.append([f"70{n:05d}", "shop_anna", f"2026/09/{1 + n % 28:02d}/ 19:30", 12.5 + n])
    data = xlsx_bytes(*([rows] * sheets))
    if declared_last_row is not None:
        for index in range(1, sheets + 1):
            data = rewritten(
                data,
                f"xl/worksheets/sheet{index}.xml",
                lambda xml: re.sub(
                    r'<dimension ref="[^"]+"', f'<dimension ref="A1:D{declared_last_row}"', xml
                ),
            )
    return data


def test_title_rows_over_a_full_sheet_leave_it_to_calamine(monkeypatch):
    # 20 data rows under the header on row 2: 22 rows declared, more than 20 + 1.
    data = tiktok_workbook(20)
    calamine, openpyxl_texts = read_by_both(data, max_rows=20)

    def refuse(*_args):
        raise AssertionError("openpyxl should not read this workbook")

    monkeypatch.setattr(xlsx, "read_with_openpyxl", refuse)

    result = parse_export(data, "tiktok.xlsx", max_xlsx_rows=20)

    assert calamine == openpyxl_texts and calamine[1] == 2
    assert result.total_rows == 20 and result.rows["source_row"].tolist()[-1] == 22


@pytest.mark.parametrize(
    ("declared", "refused"), [(22, False), (23, True), (20 + xlsx.HEADER_SCAN_ROWS, True)]
)
def test_a_declared_size_is_judged_against_the_header_by_both_readers(declared, refused):
    data = tiktok_workbook(10, declared_last_row=declared)

    outcomes = []
    for read in (read_with_calamine, read_with_openpyxl):
        try:
            outcomes.append(texts(read(data, PROFILES, 20)))
        except ImportFileError as error:
            outcomes.append(str(error))

    assert outcomes[0] == outcomes[1]
    assert ("more than 20 data rows" in str(outcomes[0])) is refused


def test_a_declared_size_near_the_limit_in_several_sheets_is_left_to_openpyxl():
    data = tiktok_workbook(10, declared_last_row=30, sheets=2)

    with pytest.raises(CalamineUnfit, match="several sheets"):
        read_with_calamine(data, PROFILES, 20)
    with pytest.raises(ImportFileError, match="more than 20 data rows"):
        read_with_openpyxl(data, PROFILES, 20)
