"""Making and restoring a backup archive (see the package's docstring for what it holds).

Order matters for a consistent archive: the database is copied first, the uploads after it.
An import writes its upload before its batch row, so every file the copied database names is
already on disk when the uploads are read; a file uploaded later is an unused extra.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, inspect, select, table
from sqlalchemy.engine import URL, Engine

from hrapp.core.errors import DomainError

FORMAT = "hrapp-backup"
VERSION = 1
MANIFEST = "manifest.json"
UPLOADS = "uploads"
DATABASE_MEMBER = {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}
# Tables whose rows do not make a database "in use": Alembic's revision marker.
BOOKKEEPING_TABLES = frozenset({"alembic_version"})


class BackupError(DomainError):
    """A backup or restore that cannot be done; nothing was changed."""

    status_code = 400


@dataclass(frozen=True)
class Manifest:
    dialect: str
    made_at: str  # ISO 8601, UTC

    def to_json(self) -> bytes:
        document = {"format": FORMAT, "version": VERSION, **self.__dict__}
        return json.dumps(document, indent=2).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        document = json.loads(data)
        if document.get("format") != FORMAT or document.get("version") != VERSION:
            raise BackupError(_("This file is not an hrapp backup."))
        return cls(dialect=document["dialect"], made_at=document["made_at"])


# --- making -----------------------------------------------------------------------------------


def make_backup(engine: Engine, uploads: Path, out: Path) -> Manifest:
    """Write the archive `out` of the database behind `engine` and the folder `uploads`."""
    dialect = _dialect(engine)
    manifest = Manifest(dialect, dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    with tempfile.TemporaryDirectory(prefix="hrapp-backup-") as work:
        copy = Path(work) / DATABASE_MEMBER[dialect]
        if dialect == "sqlite":
            _sqlite_copy(engine, copy)
        else:
            _pg_dump(engine.url, copy)
        partial = out.with_name(out.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            _add_bytes(archive, MANIFEST, manifest.to_json())
            archive.add(copy, arcname=copy.name)
            if uploads.is_dir():
                archive.add(uploads, arcname=UPLOADS, filter=_plain_files)
        partial.replace(out)  # a reader never sees half an archive under the real name
    return manifest


def _dialect(engine: Engine) -> str:
    name = engine.dialect.name
    if name not in DATABASE_MEMBER:
        raise BackupError(_("Backups of %(kind)s databases are not supported.", kind=name))
    return name


def _sqlite_copy(engine: Engine, copy: Path) -> None:
    """SQLite's online backup: one read transaction, so the copy is one consistent moment even
    while another connection is writing (its uncommitted work is not in it)."""
    raw = engine.raw_connection()
    try:
        target = sqlite3.connect(copy)
        try:
            raw.driver_connection.backup(target)  # type: ignore[union-attr]
        finally:
            target.close()
    finally:
        raw.close()


def _plain_files(member: tarfile.TarInfo) -> tarfile.TarInfo | None:
    """Directories and regular files only, without the owner of this machine."""
    if not (member.isdir() or member.isfile()):
        return None
    member.uid = member.gid = 0
    member.uname = member.gname = ""
    return member


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
    archive.addfile(info, io.BytesIO(data))


# --- restoring --------------------------------------------------------------------------------


def restore_backup(engine: Engine, uploads: Path, archive_path: Path, *, force: bool) -> Manifest:
    """Replace the database and the uploads with the archive's.

    Refused when the database holds rows and `force` is false. The caller must have no
    session open on `engine` (its pool is emptied here so that no connection sees old data).
    """
    dialect = _dialect(engine)
    with tempfile.TemporaryDirectory(prefix="hrapp-restore-") as work:
        folder = Path(work)
        manifest = _unpack(archive_path, folder)
        if manifest.dialect != dialect:
            raise BackupError(
                _(
                    "The archive holds a %(archived)s database; this one is %(current)s.",
                    archived=manifest.dialect,
                    current=dialect,
                )
            )
        if not force and not database_is_empty(engine):
            raise BackupError(_("The database is not empty: use --force to replace it."))
        engine.dispose()
        copy = folder / DATABASE_MEMBER[dialect]
        if dialect == "sqlite":
            _sqlite_restore(engine, copy)
        else:
            _pg_restore(engine.url, copy)
        engine.dispose()
        _replace_folder(folder / UPLOADS, uploads)
    return manifest


def database_is_empty(engine: Engine) -> bool:
    """True when no table (Alembic's marker aside) holds a row."""
    with engine.connect() as conn:
        for name in inspect(conn).get_table_names():
            if name in BOOKKEEPING_TABLES:
                continue
            if conn.execute(select(func.count()).select_from(table(name))).scalar():
                return False
    return True


def _unpack(archive_path: Path, folder: Path) -> Manifest:
    if not archive_path.is_file():
        raise BackupError(_("No such file: %(file)s", file=archive_path))
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            archive.extractall(folder, filter="data")  # no links, devices or paths outside
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(
            _(
                "%(file)s is not a readable backup archive: %(reason)s",
                file=archive_path,
                reason=exc,
            )
        ) from exc
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(_("This file is not an hrapp backup."))
    manifest = Manifest.from_json(manifest_path.read_bytes())
    if not (folder / DATABASE_MEMBER.get(manifest.dialect, "?")).is_file():
        raise BackupError(_("%(file)s holds no database.", file=archive_path))
    return manifest


def _sqlite_restore(engine: Engine, copy: Path) -> None:
    """SQLite's backup API the other way round: the whole file, schema included, in one step."""
    source = sqlite3.connect(copy)
    raw = engine.raw_connection()
    try:
        source.backup(raw.driver_connection)  # type: ignore[arg-type]
    finally:
        raw.close()
        source.close()


def _replace_folder(restored: Path, uploads: Path) -> None:
    """Swap the uploads folder for the archive's (an empty one when the archive has none)."""
    uploads.parent.mkdir(parents=True, exist_ok=True)
    incoming = Path(tempfile.mkdtemp(prefix=".restoring-", dir=uploads.parent))
    if restored.is_dir():
        shutil.copytree(restored, incoming, dirs_exist_ok=True)
    old = uploads.with_name(uploads.name + ".replaced")
    if uploads.exists():
        shutil.rmtree(old, ignore_errors=True)
        uploads.rename(old)
    incoming.rename(uploads)
    shutil.rmtree(old, ignore_errors=True)


# --- PostgreSQL's own tools -------------------------------------------------------------------


def pg_tool(name: str) -> str:
    """`pg_dump` or `pg_restore`: from PG_BIN (a folder), else the newest installed PostgreSQL's
    (it must be at least the server's version), else the PATH's."""
    folder = os.environ.get("PG_BIN")
    candidates = [Path(folder)] if folder else []
    installed = Path("/usr/lib/postgresql")
    if installed.is_dir():
        versions = sorted(
            (p for p in installed.iterdir() if p.name.isdigit()), key=lambda p: int(p.name)
        )
        candidates += [v / "bin" for v in reversed(versions)]
    for candidate in candidates:
        if (candidate / name).is_file():
            return str(candidate / name)
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            _("%(tool)s is not installed (set PG_BIN to the folder that holds it).", tool=name)
        )
    return found


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """The URL as libpq reads it, and the environment carrying its password: a password on
    the command line would be visible to every user of the machine."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, Any]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        tool = Path(command[0]).name
        raise BackupError(
            _("%(tool)s failed: %(reason)s", tool=tool, reason=done.stderr.strip()[-2000:])
        )


def _pg_dump(url: URL, out: Path) -> None:
    """pg_dump reads one snapshot: an import still running is not in it."""
    dsn, env = _libpq(url)
    _run([pg_tool("pg_dump"), "--format=custom", "--file", str(out), "--dbname", dsn], env)


def _pg_restore(url: URL, dump: Path) -> None:
    """All or nothing (one transaction); existing objects of the dump's are replaced."""
    dsn, env = _libpq(url)
    command = [pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges"]
    command += ["--single-transaction", "--exit-on-error", "--dbname", dsn, str(dump)]
    _run(command, env)
