"""gunicorn.conf.py serves the app as production does: the sizing it documents, and the access
log as the application's JSON lines, with the path but never the query string."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def _settings() -> dict[str, object]:
    namespace: dict[str, object] = {}
    exec((ROOT / "gunicorn.conf.py").read_text("utf-8"), namespace)  # noqa: S102 - our own file
    return namespace


def test_the_settings_production_relies_on() -> None:
    settings = _settings()
    assert settings["wsgi_app"] == "hrapp:create_app()"
    assert settings["worker_class"] == "sync"
    assert settings["timeout"] == 120
    assert settings["accesslog"] is None  # the app's own access lines carry no query string
    assert settings["preload_app"] is True  # a replaced worker starts as a fork, at once
    assert int(str(settings["workers"])) >= 1


def test_serve_script_uses_the_configuration() -> None:
    script = (ROOT / "scripts" / "serve.sh").read_text("utf-8")
    assert "-c gunicorn.conf.py" in script


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed")
def test_a_served_request_is_logged_as_json_without_its_query(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "HRAPP_INSTANCE": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'hrapp.sqlite'}",
        "HUEY_SQLITE_PATH": str(tmp_path / "jobs.sqlite"),
        "LOG_JSON": "1",
        "WEB_CONCURRENCY": "1",
        "HRAPP_BIND": f"127.0.0.1:{port}",
    }
    env.pop("HRAPP_CONFIG", None)
    log = tmp_path / "stderr.log"
    with log.open("w") as stderr:
        server = subprocess.Popen(
            [str(GUNICORN), "-c", "gunicorn.conf.py"], cwd=ROOT, env=env, stderr=stderr
        )
        try:
            body = _get(f"http://127.0.0.1:{port}/healthz?token=Sentinel-Query-7")
        finally:
            server.terminate()
            server.wait(30)
    assert json.loads(body) == {"database": "ok", "queue": "ok"}
    output = log.read_text("utf-8")
    assert "Sentinel-Query-7" not in output
    lines = [json.loads(line) for line in output.splitlines()]  # every line is JSON
    access = [entry for entry in lines if entry["logger"] == "hrapp.access"]
    assert [(e["method"], e["path"], e["status"]) for e in access] == [("GET", "/healthz", 200)]
    assert access[0]["request_id"]


def _get(url: str) -> bytes:
    """The answer to one GET, retried only while the server is not listening yet: a request it
    accepted is waited for (a first request on a busy machine can take seconds), never sent
    twice, so the log holds exactly one access line."""
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - loopback
                return bytes(response.read())
        except urllib.error.URLError as exc:
            if not isinstance(exc.reason, ConnectionRefusedError) or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _serve(tmp_path: Path, port: int, extra: dict[str, str]) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "HRAPP_INSTANCE": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'hrapp.sqlite'}",
        "HUEY_SQLITE_PATH": str(tmp_path / "jobs.sqlite"),
        "HRAPP_BIND": f"127.0.0.1:{port}",
        **extra,
    }
    env.pop("HRAPP_CONFIG", None)
    return subprocess.Popen(
        [str(GUNICORN), "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed")
def test_workers_forked_from_the_preloaded_master_serve_after_each_replacement(
    tmp_path: Path,
) -> None:
    """Two workers, each retired after 2 requests: every answer still reaches the database and
    the queue through connections of the worker's own (a connection inherited from the master
    would be shared by several processes)."""
    port = _free_port()
    retire_often = {"WEB_CONCURRENCY": "2", "GUNICORN_CMD_ARGS": "--max-requests 2"}
    server = _serve(tmp_path, port, {**retire_often, "GUNICORN_LOG_LEVEL": "warning"})
    try:
        answers = [json.loads(_get(f"http://127.0.0.1:{port}/healthz")) for _ in range(12)]
    finally:
        server.terminate()
        server.wait(30)
    assert answers == [{"database": "ok", "queue": "ok"}] * 12


def test_release_connections_leaves_no_pooled_connection(tmp_path: Path) -> None:
    from sqlalchemy import text

    from hrapp import create_app
    from hrapp.extensions import db
    from hrapp.forking import release_connections

    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'app.sqlite'}",
        HUEY_IMMEDIATE=False,
        HUEY_SQLITE_PATH=str(tmp_path / "jobs.sqlite"),
    )
    storage = app.extensions["hrapp.jobs"].huey.storage
    with app.app_context():
        db.session.execute(text("SELECT 1"))
        db.session.remove()
        assert db.engine.pool.checkedin() == 1
    storage.enqueued_items()  # the queue's file is open
    release_connections(app)
    with app.app_context():
        assert db.engine.pool.checkedin() == 0
    assert storage._conn is None
