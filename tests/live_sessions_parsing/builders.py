"""Builders for the crafted export files the parsing tests feed to `parse_export`."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import openpyxl

DATA = Path(__file__).parents[1] / "data" / "imports"
SEPTEMBER_CSV = "douyin_compass_2026-09.csv"
AUGUST_GB18030_CSV = "douyin_compass_2026-08.gb18030.csv"
JULY_XLSX = "douyin_compass_2026-07.xlsx"

TAOBAO_HEADER = [
    "主播昵称",
    "主播ID",
    "场次id",
    "场次标题",
    "开播时间",
    "结束时间",
    "开播时长（分钟）",  # full-width brackets, as some exports write them
    "直播间浏览人数",
    "直播间浏览次数",
    "人均停留时长(秒)",
    "新增粉丝量",
    "种草成交金额(元)",
    "成交笔数",
    "成交人数",
]


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


def september_rows(count: int | None = None) -> list[list[str]]:
    """Header and data rows of the September sample, as lists of cell texts."""
    text = sample(SEPTEMBER_CSV).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return rows if count is None else rows[: count + 1]


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8-sig", delimiter: str = ",") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(*sheets: list[list[object]]) -> bytes:
    """A workbook with one sheet per argument, cells written as given (numbers stay numbers)."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for index, rows in enumerate(sheets):
        sheet = workbook.create_sheet(f"Sheet{index + 1}")
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def edited(rows: list[list[str]], column: str, changes: dict[int, str]) -> list[list[str]]:
    """A copy of ``rows`` with cells of ``column`` replaced; keys are spreadsheet rows (data
    starts at 2)."""
    copy = [list(row) for row in rows]
    index = copy[0].index(column)
    for row_number, value in changes.items():
        copy[row_number - 1][index] = value
    return copy


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def rewritten(workbook: bytes, name: str, change) -> bytes:
    """The workbook with one part's XML text passed through ``change``."""
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        entries = {info.filename: archive.read(info) for info in archive.infolist()}
    entries[name] = change(entries[name].decode()).encode()
    return zip_bytes(entries)
