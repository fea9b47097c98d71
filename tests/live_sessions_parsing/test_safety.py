"""Files that must be refused as a whole, cleanly: hostile archives, fakes, bad encodings."""

from __future__ import annotations

import re
import struct

import openpyxl.xml
import pytest
from openpyxl.xml import functions as openpyxl_xml_functions

from hrapp.intake import limits
from hrapp.live_sessions.parsing import ImportFileError, parse_export, template_columns

from .builders import (
    JULY_XLSX,
    csv_bytes,
    rewritten,
    sample,
    september_rows,
    xlsx_bytes,
    zip_bytes,
)

WORKBOOK_PARTS = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}


def refused(data: bytes, filename: str, **options) -> str:
    with pytest.raises(ImportFileError) as caught:
        parse_export(data, filename, **options)
    return str(caught.value)


def test_zip_bomb_is_refused_before_parsing():
    bomb = zip_bytes({**WORKBOOK_PARTS, "xl/worksheets/sheet1.xml": b"0" * 20_000_000})

    assert "implausible size" in refused(bomb, "bomb.xlsx")


def test_workbook_unpacking_beyond_the_size_limit_is_refused(monkeypatch):
    monkeypatch.setattr(limits, "BASE_BYTES", 0)
    monkeypatch.setattr(limits, "BYTES_PER_ROW", 1)

    assert "implausible size" in refused(sample(JULY_XLSX), JULY_XLSX, max_xlsx_rows=500)
    monkeypatch.setattr(limits, "BYTES_PER_ROW", 2_000)
    assert parse_export(sample(JULY_XLSX), JULY_XLSX, max_xlsx_rows=500).total_rows == 480


def test_zip_directory_lying_about_sizes_is_not_trusted():
    workbook = sample(JULY_XLSX)
    # Find the central directory record of the sheet and claim it unpacks to 1 KB.
    for match in re.finditer(rb"PK\x01\x02", workbook):
        entry = match.start()
        name_length = struct.unpack_from("<H", workbook, entry + 28)[0]
        if workbook[entry + 46 : entry + 46 + name_length] == b"xl/worksheets/sheet1.xml":
            break
    lying = workbook[: entry + 24] + struct.pack("<I", 1024) + workbook[entry + 28 :]

    assert "damaged" in refused(lying, "lying.xlsx")


def xlsx_with_rows(count: int) -> bytes:
    header, *rows = september_rows()
    return xlsx_bytes([header, *rows[:count]])


def test_workbook_with_too_many_rows_is_refused_with_advice():
    message = refused(xlsx_with_rows(30), "big.xlsx", max_xlsx_rows=20)

    assert "more than 20 data rows" in message and "CSV" in message


def test_row_limit_holds_even_when_the_sheet_understates_its_size():
    understated = rewritten(
        xlsx_with_rows(30),
        "xl/worksheets/sheet1.xml",
        lambda xml: re.sub(r'<dimension ref="[^"]+"', '<dimension ref="A1:AD3"', xml),
    )

    assert "more than 20 data rows" in refused(understated, "big.xlsx", max_xlsx_rows=20)
    # And under the limit every row is read, not just the declared ones.
    assert parse_export(understated, "big.xlsx").total_rows == 30


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (csv_bytes(september_rows(2)), "export.xlsx", "named like an Excel workbook"),
        (bytes(range(256)) * 4, "export.xlsx", "neither an Excel workbook"),
        (bytes(range(256)) * 4, "export.csv", "neither an Excel workbook"),
        (zip_bytes({"notes.txt": b"hello"}), "export.xlsx", "ZIP archive, not an Excel"),
        (sample(JULY_XLSX)[:5000], "export.xlsx", "damaged"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "export.xls", "old-style .xls"),
        (b"<html><table><tr><td>1</td></tr></table></html>", "export.xls", "web page"),
        (b"", "export.csv", "empty"),
        (b" \r\n ", "export.csv", "empty"),
        ("主播昵称".encode("utf-16"), "export.csv", "UTF-16"),
    ],
)
def test_files_that_are_not_what_they_claim_are_refused(data, filename, message):
    assert message in refused(data, filename)


def test_workbook_with_entity_expansion_is_refused():
    workbook = xlsx_bytes([["主播抖音号", "直播开始时间", "直播间成交金额"], ["001", "x", "1"]])
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    hostile = rewritten(
        workbook, "xl/worksheets/sheet1.xml", lambda xml: bomb + xml.replace("001", "&lol2;")
    )

    assert "refused for safety" in refused(hostile, "hostile.xlsx")


def test_openpyxl_parses_with_defusedxml():
    assert openpyxl.xml.DEFUSEDXML is True
    assert openpyxl_xml_functions.iterparse.__module__.startswith("defusedxml")
    assert openpyxl_xml_functions.fromstring.__module__.startswith("defusedxml")


def test_undecodable_bytes_name_the_encodings_tried():
    data = csv_bytes(september_rows(2), encoding="utf-8") + b"\xff\xfe\xfa,1,2\n"

    message = refused(data, "broken.csv")

    assert "UTF-8, UTF-8 with BOM and GB18030" in message
    assert "offset" in message


def test_bytes_undecodable_from_the_start_are_refused():
    assert "GB18030" in refused(b"\xff\xff\xff header\n", "broken.csv")


def ascii_template(rows: int) -> list[list[str]]:
    columns = template_columns()
    row = dict.fromkeys(columns, "")
    body = []
    for index in range(rows):
        row |= {"platform": "taobao", "account_id": f"A{index:06d}", "gmv": "1.00"}
        row["started_at"] = "2026-09-03 19:00:00"
        body.append([row[c] for c in columns])
    return [columns, *body]


def test_ascii_start_then_gb18030_text_falls_back_to_gb18030():
    rows = ascii_template(4000)  # well past the bytes the encoding is first judged on
    rows[-1][template_columns().index("nickname")] = "淘宝主播"

    result = parse_export(csv_bytes(rows, encoding="gb18030"), "late_chinese.csv")

    assert result.rows.iloc[-1]["nickname"] == "淘宝主播"


def test_utf8_text_with_a_corrupt_byte_is_not_read_as_gb18030_mojibake():
    rows = ascii_template(4000)
    rows[-2][template_columns().index("nickname")] = "淘宝主播"
    data = csv_bytes(rows, encoding="utf-8")
    data = data[:-5] + b"\xe4\n"  # a stray lead byte in the last row

    assert "could not be decoded" in refused(data, "corrupt.csv")
