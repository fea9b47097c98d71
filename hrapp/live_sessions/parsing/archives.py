"""Opening a ZIP of uploaded files safely: its members, or a refusal saying why.

HR zips a month of per-session workbooks and uploads the archive. An archive is somebody
else's file: a member may name a path outside it (``../../etc/passwd``, ``/abs``), hold another
archive, or unpack to gigabytes from a few kilobytes. Every member is checked against the zip
directory before anything is unpacked, and each is read no further than its declared size
(Python's zipfile stops there), so a directory that lies cannot make us read more.

No Flask, no database: the intake of any upload can use it.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from hrapp.core.messages import message

from .model import ImportFileError

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
# A month of per-session workbooks for a whole agency is a few thousand members of ~10 KB.
MAX_MEMBERS = 5_000
MAX_TOTAL_BYTES = 512 * 1024 * 1024
# Workbooks and CSV compress about 2-10x; a zip bomb compresses thousands of times.
MAX_COMPRESSION_RATIO = 100
_RATIO_EXEMPT_BYTES = 1024 * 1024  # small members compress oddly well (empty styles)
_ARCHIVE_SUFFIXES = frozenset({".zip", ".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".xz"})
_WORKBOOK_PARTS = frozenset({"[Content_Types].xml", "xl/workbook.xml"})
# What archivers add beside the files themselves (macOS resource forks, Windows thumbnails).
_JUNK_DIRS = frozenset({"__MACOSX"})
_JUNK_NAMES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
_UTF8_NAME_FLAG = 0x800


@dataclass(frozen=True)
class Member:
    """One file of an archive: its name inside the archive and its bytes."""

    name: str
    data: bytes


def is_zip(data: bytes) -> bool:
    return data.startswith(ZIP_MAGIC)


def is_file_archive(data: bytes) -> bool:
    """A ZIP that is an archive of files, not an XLSX workbook (which is a ZIP too)."""
    if not is_zip(data):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return not names >= _WORKBOOK_PARTS


def _holds_files(data: bytes) -> bool:
    """`is_file_archive` without opening the archive: a workbook's ZIP directory names its
    workbook part in plain bytes. (A ZIP that names one but is none goes to the workbook
    reader, which refuses it; it is never opened as an archive.)"""
    return is_zip(data) and b"xl/workbook.xml" not in data


def open_archive(data: bytes, archive_name: str, *, allow_archives: bool = False) -> list[Member]:
    """The archive's files in directory order; ImportFileError naming the archive, the member
    and the reason when the archive is damaged, hostile or holds another archive (unless
    ``allow_archives``: the upload page's bundle of files, whose ZIPs are opened in turn)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = [e for e in archive.infolist() if not e.is_dir()]
            _check_directory(entries, archive_name, allow_archives)
            files = [e for e in entries if not _is_junk(_name(e))]
            return [
                Member(_name(e), _read(archive, e, archive_name, allow_archives)) for e in files
            ]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise ImportFileError(
            message(
                "%(file)s: the ZIP archive is damaged and cannot be opened (%(error)s).",
                file=archive_name,
                error=str(error),
            )
        ) from None


def _name(entry: zipfile.ZipInfo) -> str:
    """The member's name as its author wrote it: Windows archivers in China write GBK names
    without the UTF-8 flag, which zipfile decodes as cp437 (some tools write UTF-8 so)."""
    name = entry.filename
    if entry.flag_bits & _UTF8_NAME_FLAG or name.isascii():
        return name
    raw = name.encode("cp437")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return name


def _is_junk(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(set(path.parts) & _JUNK_DIRS) or path.name in _JUNK_NAMES


def _check_directory(
    entries: list[zipfile.ZipInfo], archive_name: str, allow_archives: bool
) -> None:
    if len(entries) > MAX_MEMBERS:
        raise ImportFileError(
            message(
                "%(file)s holds %(n)s files; at most %(max)s are read from one archive. Split "
                "it into smaller archives.",
                file=archive_name,
                n=f"{len(entries):,}",
                max=f"{MAX_MEMBERS:,}",
            )
        )
    if sum(e.file_size for e in entries) > MAX_TOTAL_BYTES:
        raise ImportFileError(
            message(
                "%(file)s unpacks to more than %(mb)d MB and was refused.",
                file=archive_name,
                mb=MAX_TOTAL_BYTES // (1024 * 1024),
            )
        )
    for entry in entries:
        name = _name(entry)
        if _outside(name):
            raise _member_error(
                archive_name,
                name,
                message("the member's path leads outside the archive; it was refused."),
            )
        if _is_junk(name):
            continue
        if entry.flag_bits & 0x1:
            raise _member_error(
                archive_name, name, message("the member is encrypted; upload it unencrypted.")
            )
        if not allow_archives and PurePosixPath(name).suffix.lower() in _ARCHIVE_SUFFIXES:
            raise _member_error(
                archive_name,
                name,
                message(
                    "archives inside an archive are not opened; unpack it and upload its files."
                ),
            )
        if entry.file_size > _RATIO_EXEMPT_BYTES and entry.file_size > MAX_COMPRESSION_RATIO * max(
            entry.compress_size, 1
        ):
            raise _member_error(
                archive_name,
                name,
                message("the member unpacks to an implausible size and was refused."),
            )


def _outside(name: str) -> bool:
    """A name that would land outside a folder the archive is unpacked into."""
    if "\\" in name or "\x00" in name:
        return True
    path = PurePosixPath(name)
    return path.is_absolute() or ".." in path.parts or (bool(path.parts) and ":" in path.parts[0])


def _read(
    archive: zipfile.ZipFile, entry: zipfile.ZipInfo, archive_name: str, allow_archives: bool
) -> bytes:
    data = archive.read(entry)
    if not allow_archives and _holds_files(data):
        raise _member_error(
            archive_name,
            _name(entry),
            message("archives inside an archive are not opened; unpack it and upload its files."),
        )
    return data


def _member_error(archive_name: str, member: str, reason: object) -> ImportFileError:
    return ImportFileError(
        message(
            "%(file)s, member %(member)s: %(reason)s",
            file=archive_name,
            member=member,
            reason=reason,
        )
    )
