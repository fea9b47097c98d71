"""`hrapp backup` and `hrapp restore`: an archive made while an import is writing restores into an
empty instance as exactly the data committed when the backup was made, table by table and row
by row, with the uploads; a database holding data is replaced only with --force.

Each test builds its own instances (a SQLite file each, or a database each on the PostgreSQL
server of TEST_DATABASE_URL), apart from the suite's shared app.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import Connection, make_url

from benchmarks.bench_import import account_ids, generate_csv
from hrapp import create_app
from hrapp.backup import cli as backup_cli
from hrapp.core.audit import AuditEntry
from hrapp.extensions import db
from hrapp.live_sessions.importer import import_sessions
from hrapp.live_sessions.models import LiveSession
from hrapp.streamers.models import PlatformAccount, Streamer

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
ACCOUNTS = 300
WAIT_S = 60


class Instances:
    """Fresh, empty instances of the app: their databases are dropped at the end."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.databases: list[str] = []
        self.apps: list[Flask] = []

    def new(self, name: str) -> Flask:
        url = self._database(name)
        uploads = self.folder / name / "uploads"
        uploads.mkdir(parents=True)
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, UPLOAD_DIR=str(uploads))
        with app.app_context():
            db.create_all()
        self.apps.append(app)
        return app

    def _database(self, name: str) -> str:
        if not TEST_DATABASE_URL:
            return f"sqlite:///{self.folder / name}.sqlite"
        database = f"hrapp_backup_{name}_{uuid.uuid4().hex[:8]}"
        with _server() as conn:
            conn.execute(text(f'CREATE DATABASE "{database}"'))
        self.databases.append(database)
        return make_url(TEST_DATABASE_URL).set(database=database).render_as_string(False)

    def drop(self) -> None:
        for app in self.apps:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
        if not self.databases:
            return
        with _server() as conn:
            for database in self.databases:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))


@contextmanager
def _server() -> Iterator[Connection]:
    engine = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


@pytest.fixture
def instances(tmp_path: Path) -> Iterator[Instances]:
    made = Instances(tmp_path)
    yield made
    made.drop()


def _roster(count: int = ACCOUNTS) -> None:
    """Streamers, each with the Douyin account the generated export names."""
    ids = account_ids(count)
    db.session.execute(
        insert(Streamer),
        [{"employee_no": f"E{i:05d}", "legal_name": f"主播{i}"} for i in range(count)],
    )
    streamers = db.session.scalars(select(Streamer.id).order_by(Streamer.id)).all()
    db.session.execute(
        insert(PlatformAccount),
        [
            {"platform": "douyin", "account_id": a, "nickname": f"直播间{i}", "streamer_id": s}
            for i, (a, s) in enumerate(zip(ids, streamers, strict=True))
        ],
    )
    db.session.commit()


def _export(folder: Path, rows: int) -> bytes:
    path = folder / f"export-{rows}.csv"
    generate_csv(path, rows)
    return path.read_bytes()


def tables(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows in primary-key order."""
    with app.app_context(), db.engine.connect() as conn:
        return {
            t.name: [tuple(row) for row in conn.execute(select(t).order_by(*t.primary_key.columns))]
            for t in db.metadata.sorted_tables
        }


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _without_restore_entry(rows: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[Any]]:
    action = [c.name for c in AuditEntry.__table__.columns].index("action")
    kept = dict(rows)
    kept["audit_entries"] = [r for r in rows["audit_entries"] if r[action] != "backup.restore"]
    return kept


def test_a_backup_made_during_an_import_restores_what_was_committed(
    instances: Instances, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = instances.new("source")
    uploads = Path(source.config["UPLOAD_DIR"])
    (uploads / "imports").mkdir()
    (uploads / "imports" / "first.csv").write_bytes(b"an earlier upload")
    with source.app_context():
        _roster()
        first = import_sessions(_export(tmp_path, 100), "first.csv")
        db.session.commit()
    assert first.status == "imported"
    committed = tables(source)

    writing, copied = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def import_in_thread() -> None:
        """A second import that stops half-written until the backup has copied the database."""

        def progress(done: int, total: int, _message: Any) -> None:
            if 0 < done < total or (done == total and total > 1):
                writing.set()
                assert copied.wait(WAIT_S), "the backup never finished"

        try:
            with source.app_context():
                outcome = import_sessions(
                    _export(tmp_path, ACCOUNTS), "second.csv", progress=progress
                )
                db.session.commit()
                assert outcome.status == "imported", outcome.problems[:3]
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
            writing.set()

    real_backup = backup_cli.make_backup

    def backup_then_let_the_import_go_on(*args: Any, **kwargs: Any) -> Any:
        assert writing.is_set(), "the import was not writing when the backup began"
        try:
            return real_backup(*args, **kwargs)
        finally:
            copied.set()

    monkeypatch.setattr(backup_cli, "make_backup", backup_then_let_the_import_go_on)
    worker = threading.Thread(target=import_in_thread)
    worker.start()
    assert writing.wait(WAIT_S)
    archive = tmp_path / "hrapp.backup.tar.gz"
    made = source.test_cli_runner().invoke(args=["backup", str(archive)])
    worker.join(WAIT_S)
    assert not errors, errors
    assert made.exit_code == 0, made.output

    with source.app_context():  # the import did go on and commit after the copy
        assert db.session.scalar(select(func.count()).select_from(LiveSession)) == ACCOUNTS
        assert db.session.scalar(
            select(AuditEntry.changes).where(AuditEntry.action == "backup.make")
        ) == {"archive": archive.name}

    target = instances.new("target")
    restored = target.test_cli_runner().invoke(args=["restore", str(archive)])
    assert restored.exit_code == 0, restored.output

    after = tables(target)
    assert _without_restore_entry(after) == committed
    assert files(Path(target.config["UPLOAD_DIR"])) == {"imports/first.csv": b"an earlier upload"}
    with target.app_context():
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "backup.restore")
        ).one()
        assert entry.changes["archive"] == archive.name


def test_restore_refuses_a_database_with_data_unless_forced(
    instances: Instances, tmp_path: Path
) -> None:
    source = instances.new("old")
    with source.app_context():
        _roster(3)
    archive = tmp_path / "old.tar.gz"
    assert source.test_cli_runner().invoke(args=["backup", str(archive)]).exit_code == 0

    target = instances.new("busy")
    with target.app_context():
        _roster(5)
    (Path(target.config["UPLOAD_DIR"]) / "stray.csv").write_bytes(b"replaced")
    before = tables(target)

    refused = target.test_cli_runner().invoke(args=["restore", str(archive)])
    assert refused.exit_code != 0
    assert "--force" in refused.output
    assert tables(target) == before
    assert files(Path(target.config["UPLOAD_DIR"])) == {"stray.csv": b"replaced"}

    forced = target.test_cli_runner().invoke(args=["restore", "--force", str(archive)])
    assert forced.exit_code == 0, forced.output
    assert len(tables(target)["streamers"]) == 3
    assert files(Path(target.config["UPLOAD_DIR"])) == {}


def test_restore_refuses_a_file_that_is_not_a_backup(instances: Instances, tmp_path: Path) -> None:
    target = instances.new("empty")
    bogus = tmp_path / "not-a-backup.tar.gz"
    bogus.write_bytes(b"hello")
    outcome = target.test_cli_runner().invoke(args=["restore", str(bogus)])
    assert outcome.exit_code != 0
    assert "not-a-backup.tar.gz" in outcome.output
