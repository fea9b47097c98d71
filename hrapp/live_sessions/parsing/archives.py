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
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import NamedTuple

from hrapp.core.messages import message
from hrapp.intake import limits

from .model import ImportFileError

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
# How many members, how many bytes in all and how compressed a member may be: the intake's
# limits (`hrapp.intake.limits`), read when a ZIP is opened.
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


# --- a workbook's own ZIP directory, read without zipfile ---------------------------------------
#
# A batch opens a thousand small workbooks, and each must have its sizes checked and its list of
# sheets read before calamine unpacks it. zipfile builds a ZipInfo per member and a file object
# per read, which costs more than calamine opening the workbook. The plain ZIP that Excel and
# the platforms write is read here with `struct`; anything else (ZIP64, split archives, data
# before the archive, encryption, other compressions) makes these functions return None, and
# the caller falls back to zipfile, which reads or refuses it as before.

_END = struct.Struct("<4s4H2LH")  # end of central directory record
_END_SIGNATURE = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
# Central directory header: signature, flags, method, CRC, sizes, name/extra/comment lengths,
# local header offset (versions, time and attributes skipped).
_CENTRAL = struct.Struct("<4s4xHH4x3L3H8xL")
_CENTRAL_SIGNATURE = b"PK\x01\x02"
_LOCAL = struct.Struct("<4s22sHH")  # local file header: its name and extra field lengths
_LOCAL_SIGNATURE = b"PK\x03\x04"
_ZIP64_MARK = 0xFFFFFFFF
_STORED, _DEFLATED = 0, 8


class Entry(NamedTuple):
    """One member of a ZIP directory, under the names zipfile's ZipInfo gives the same facts."""

    filename: str
    file_size: int
    compress_size: int
    compress_type: int
    flag_bits: int
    crc: int
    header_offset: int


def plain_directory(data: bytes) -> list[Entry] | None:
    """The members of a plain single-disk ZIP held in `data`, as its central directory lists
    them; None for any other layout (the caller reads it with zipfile)."""
    at = data.rfind(_END_SIGNATURE, max(0, len(data) - _END.size - 0xFFFF))
    if at < 0 or len(data) < at + _END.size:
        return None
    if at >= 20 and data[at - 20 : at - 16] == _ZIP64_LOCATOR:
        return None
    _sig, disk, start_disk, _here, count, size, offset, _comment = _END.unpack_from(data, at)
    if disk or start_disk or offset + size != at:
        return None
    entries = []
    position = offset
    for _ in range(count):
        if position + _CENTRAL.size > at:
            return None
        (
            signature,
            flags,
            method,
            crc,
            packed,
            unpacked,
            name_length,
            extra_length,
            comment_length,
            header_offset,
        ) = _CENTRAL.unpack_from(data, position)
        if signature != _CENTRAL_SIGNATURE or _ZIP64_MARK in (packed, unpacked, header_offset):
            return None
        start = position + _CENTRAL.size
        raw = data[start : start + name_length]
        if b"\x00" in raw:  # zipfile cuts such a name short; let it
            return None
        try:
            name = raw.decode("utf-8" if flags & _UTF8_NAME_FLAG or raw.isascii() else "cp437")
        except UnicodeDecodeError:
            return None
        entries.append(Entry(name, unpacked, packed, method, flags, crc, header_offset))
        position = start + name_length + extra_length + comment_length
    return entries if position == at else None


def read_plain(data: bytes, entry: Entry) -> bytes | None:
    """A member's bytes, unpacked no further than its declared size and checked against its
    CRC; None when it is not plainly stored or deflated (the caller falls back to zipfile)."""
    if entry.flag_bits & 0x1 or entry.compress_type not in (_STORED, _DEFLATED):
        return None
    at = entry.header_offset
    if at + _LOCAL.size > len(data):
        return None
    signature, _fields, name_length, extra_length = _LOCAL.unpack_from(data, at)
    if signature != _LOCAL_SIGNATURE:
        return None
    start = at + _LOCAL.size + name_length + extra_length
    packed = data[start : start + entry.compress_size]
    try:
        if entry.compress_type == _STORED:
            unpacked = packed[: entry.file_size]
        else:
            unpacked = zlib.decompressobj(-zlib.MAX_WBITS).decompress(packed, entry.file_size)
    except zlib.error:
        return None
    if len(unpacked) != entry.file_size or zlib.crc32(unpacked) != entry.crc:
        return None
    return unpacked


def is_file_archive(data: bytes) -> bool:
    """A ZIP that is an archive of files, not an XLSX workbook (which is a ZIP too)."""
    if not is_zip(data):
        return False
    entries = plain_directory(data)
    if entries is not None:
        return not {e.filename for e in entries} >= _WORKBOOK_PARTS
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
            files = _check_directory(entries, archive_name, allow_archives)
            return [
                Member(name, _read(archive, data, e, archive_name, allow_archives))
                for name, e in files
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


def _is_junk(path: PurePosixPath) -> bool:
    return bool(set(path.parts) & _JUNK_DIRS) or path.name in _JUNK_NAMES


def _check_directory(
    entries: list[zipfile.ZipInfo], archive_name: str, allow_archives: bool
) -> list[tuple[str, zipfile.ZipInfo]]:
    """The files to read (junk left out), each with its name; ImportFileError naming the
    first member refused."""
    if len(entries) > limits.ARCHIVE_MAX_MEMBERS:
        raise ImportFileError(
            message(
                "%(file)s holds %(n)s files; at most %(max)s are read from one archive. Split "
                "it into smaller archives.",
                file=archive_name,
                n=f"{len(entries):,}",
                max=f"{limits.ARCHIVE_MAX_MEMBERS:,}",
            )
        )
    if sum(e.file_size for e in entries) > limits.ARCHIVE_MAX_BYTES:
        raise ImportFileError(
            message(
                "%(file)s unpacks to more than %(mb)d MB and was refused.",
                file=archive_name,
                mb=limits.ARCHIVE_MAX_BYTES // (1024 * 1024),
            )
        )
    files = []
    for entry in entries:
        name = _name(entry)
        path = PurePosixPath(name)
        if _outside(name, path):
            raise _member_error(
                archive_name,
                name,
                message("the member's path leads outside the archive; it was refused."),
            )
        if _is_junk(path):
            continue
        if entry.flag_bits & 0x1:
            raise _member_error(
                archive_name, name, message("the member is encrypted; upload it unencrypted.")
            )
        if not allow_archives and path.suffix.lower() in _ARCHIVE_SUFFIXES:
            raise _member_error(
                archive_name,
                name,
                message(
                    "archives inside an archive are not opened; unpack it and upload its files."
                ),
            )
        if entry.file_size > limits.RATIO_EXEMPT_BYTES and (
            entry.file_size > limits.MAX_COMPRESSION_RATIO * max(entry.compress_size, 1)
        ):
            raise _member_error(
                archive_name,
                name,
                message("the member unpacks to an implausible size and was refused."),
            )
        files.append((name, entry))
    return files


def _outside(name: str, path: PurePosixPath) -> bool:
    """A name (`path`) that would land outside a folder the archive is unpacked into."""
    if "\\" in name or "\x00" in name:
        return True
    return path.is_absolute() or ".." in path.parts or (bool(path.parts) and ":" in path.parts[0])


def _read(
    archive: zipfile.ZipFile,
    whole: bytes,
    entry: zipfile.ZipInfo,
    archive_name: str,
    allow_archives: bool,
) -> bytes:
    data = _read_member(archive, whole, entry)
    if not allow_archives and _holds_files(data):
        raise _member_error(
            archive_name,
            _name(entry),
            message("archives inside an archive are not opened; unpack it and upload its files."),
        )
    return data


def _read_member(archive: zipfile.ZipFile, data: bytes, info: zipfile.ZipInfo) -> bytes:
    """The member's bytes: unpacked from the archive's bytes `data` where it is plainly stored
    or deflated (zipfile's file object per member costs more than the unpacking), else by
    zipfile. Either way no further than its declared size, and its CRC checked."""
    entry = Entry(
        info.filename,
        info.file_size,
        info.compress_size,
        info.compress_type,
        info.flag_bits,
        info.CRC,
        info.header_offset,
    )
    unpacked = read_plain(data, entry)
    return archive.read(info) if unpacked is None else unpacked


def _member_error(archive_name: str, member: str, reason: object) -> ImportFileError:
    return ImportFileError(
        message(
            "%(file)s, member %(member)s: %(reason)s",
            file=archive_name,
            member=member,
            reason=reason,
        )
    )
