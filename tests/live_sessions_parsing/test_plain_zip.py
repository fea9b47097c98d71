"""The plain ZIP directory reader a batch of per-session workbooks is checked with: it reads
what zipfile reads, and hands anything unusual back to zipfile (None), so a workbook is judged
alike either way."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from hrapp.live_sessions.parsing import ImportFileError
from hrapp.live_sessions.parsing.archives import plain_directory, read_plain
from hrapp.live_sessions.parsing.dashboard_workbook import (
    _session_workbook_checked_by_zipfile,
    session_workbook_checked,
)

from .builders import csv_bytes
from .dashboard_builders import Session, session_workbook

WORKBOOK = session_workbook(Session(dt.datetime(2026, 7, 2, 19, 33), dt.datetime(2026, 7, 2, 22)))


def _zip(members: dict[str, bytes], *, method: int = zipfile.ZIP_DEFLATED, **options) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method, **options) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _rezipped(data: bytes, **options) -> bytes:
    """The same members, written again (another layout of the same workbook)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    return _zip(members, **options)


def _as_zipfile_reads(data: bytes) -> list[tuple[str, int, int, int]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(i.filename, i.file_size, i.compress_size, i.CRC) for i in archive.infolist()]


@pytest.mark.parametrize(
    "data",
    [
        WORKBOOK,
        _rezipped(WORKBOOK, method=zipfile.ZIP_STORED),
        _zip({"报表/整场数据.xlsx": b"x" * 5000, "a.csv": b"1,2\n"}),
        _zip({"b.txt": b"hello"}, method=zipfile.ZIP_STORED),
    ],
    ids=["workbook", "stored", "utf8-names", "one-member"],
)
def test_the_directory_and_members_are_what_zipfile_reads(data):
    entries = plain_directory(data)

    assert entries is not None
    assert [(e.filename, e.file_size, e.compress_size, e.crc) for e in entries] == (
        _as_zipfile_reads(data)
    )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert [read_plain(data, e) for e in entries] == [archive.read(e.filename) for e in entries]


def _commented(comment: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", b"abc")
        archive.comment = comment
    return buffer.getvalue()


def test_a_comment_after_the_directory_is_read_past():
    data = _commented(b"hrapp upload bundle")

    assert [e.filename for e in plain_directory(data)] == ["a.txt"]


def test_a_comment_that_looks_like_the_directory_end_is_left_to_zipfile():
    assert plain_directory(_commented(b"PK\x05\x06 and more")) is None


@pytest.mark.parametrize(
    "data",
    [
        b"prefix" + WORKBOOK,  # data before the archive (a self-extracting stub)
        WORKBOOK[:-30],  # cut short
        b"",
        csv_bytes([["a"], ["b"]]),
        _rezipped(WORKBOOK, method=zipfile.ZIP_BZIP2),
    ],
    ids=["prefixed", "truncated", "empty", "csv", "bzip2"],
)
def test_anything_but_a_plain_zip_goes_back_to_zipfile(data):
    entries = plain_directory(data)

    assert entries is None or any(read_plain(data, e) is None for e in entries)


def test_a_member_is_unpacked_no_further_than_its_declared_size_and_crc_checked():
    data = _zip({"a.txt": b"0123456789" * 100})
    entry = plain_directory(data)[0]

    assert read_plain(data, entry._replace(file_size=10)) is None  # more than it says
    assert read_plain(data, entry._replace(crc=entry.crc ^ 1)) is None
    assert read_plain(data, entry._replace(flag_bits=1)) is None  # encrypted


@pytest.mark.parametrize(
    "data",
    [
        WORKBOOK,
        _rezipped(WORKBOOK, method=zipfile.ZIP_STORED),
        b"prefix" + WORKBOOK,
        _rezipped(WORKBOOK, method=zipfile.ZIP_BZIP2),
        WORKBOOK[: len(WORKBOOK) // 2],
        csv_bytes([["a"], ["b"]]),
        _zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<workbook/>"}),
    ],
    ids=["workbook", "stored", "prefixed", "bzip2", "half", "csv", "no-sheets"],
)
def test_a_session_workbook_is_recognised_as_zipfile_would(data):
    assert session_workbook_checked(data) == _session_workbook_checked_by_zipfile(data)


def test_an_implausible_workbook_is_refused_on_the_plain_path_too():
    with zipfile.ZipFile(io.BytesIO(WORKBOOK)) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    members["xl/media/bomb.bin"] = b"\x00" * (4 * 1024 * 1024)  # compresses ~1000x
    data = _zip(members)
    assert plain_directory(data) is not None

    with pytest.raises(ImportFileError, match="implausible size"):
        session_workbook_checked(data)
