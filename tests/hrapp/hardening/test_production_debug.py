"""Production never runs with the Werkzeug debugger, whichever way debug is asked for: the
environment (`FLASK_DEBUG=1`, read by `hrapp run` and by gunicorn's import of the factory),
`hrapp run --debug` or `--debugger`, `app.run(debug=True)`, or `app.debug` set later.

The debugger's console runs any Python the visitor types, so each route is refused before a
port is opened or a request is answered.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest
import werkzeug.serving
from flask import Flask

from config import ConfigurationError

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
GOOD_SECRET = "a-long-random-production-secret"
# A server that does start is stopped by the timeout; the refusal comes in well under it.
START_TIMEOUT_S = 20
SERVING = "Running on http://"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"FLASK_DEBUG", "TEST_DATABASE_URL"}}
    env.update(
        HRAPP_CONFIG="production",
        SECRET_KEY=GOOD_SECRET,
        HRAPP_INSTANCE=str(tmp_path),
        HUEY_SQLITE_PATH=str(tmp_path / "jobs.sqlite"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'hrapp.sqlite'}",
    )
    env.update(extra)
    return env


class Outcome(NamedTuple):
    returncode: int | None  # None: still running when stopped, i.e. it was serving
    output: str


def _launch(command: list[str], env: dict[str, str], tmp_path: Path) -> Outcome:
    """Run a command until it exits or says it is serving (at most START_TIMEOUT_S), then stop
    it and every process it started (the reloader's child too). Output goes to a file: a pipe
    held open by a grandchild would block the wait."""
    log = tmp_path / "output.txt"
    with log.open("w") as sink:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        try:
            while process.poll() is None and time.monotonic() < deadline:
                if SERVING in log.read_text():
                    break
                time.sleep(0.2)
            returncode = process.poll()
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return Outcome(returncode, log.read_text())


@pytest.mark.parametrize(
    ("arguments", "extra_env"),
    [
        ([], {"FLASK_DEBUG": "1"}),
        (["--debug"], {}),
        (["--debugger"], {}),
    ],
    ids=["FLASK_DEBUG=1", "--debug", "--debugger"],
)
def test_hrapp_run_refuses_debug_in_production(
    tmp_path: Path, arguments: list[str], extra_env: dict[str, str]
) -> None:
    if arguments == ["--debug"]:
        command = [str(BIN / "hrapp"), "--debug", "run"]
    else:
        command = [str(BIN / "hrapp"), "run", *arguments]
    command += ["--port", str(_free_port())]
    done = _launch(command, _production_env(tmp_path, **extra_env), tmp_path)
    assert done.returncode is not None, f"it served instead of refusing:\n{done.output}"
    assert done.returncode != 0
    assert "ConfigurationError" in done.output and "debug" in done.output.lower()
    assert "Debugger is active" not in done.output


def test_hrapp_run_serves_production_without_debug(tmp_path: Path) -> None:
    """The guard refuses debug only: without it, production's `hrapp run` serves (and is
    stopped here after a few seconds)."""
    command = [str(BIN / "hrapp"), "run", "--port", str(_free_port())]
    done = _launch(command, _production_env(tmp_path), tmp_path)
    assert done.returncode is None, done.output
    assert SERVING in done.output
    assert "Debugger is active" not in done.output


def test_gunicorn_refuses_flask_debug_in_production(tmp_path: Path) -> None:
    command = [str(BIN / "gunicorn"), "--check-config", "hrapp:create_app()"]
    done = _launch(command, _production_env(tmp_path, FLASK_DEBUG="1"), tmp_path)
    assert done.returncode not in (None, 0), done.output
    assert "FLASK_DEBUG" in done.output


def test_gunicorn_starts_production_without_debug(tmp_path: Path) -> None:
    command = [str(BIN / "gunicorn"), "--check-config", "hrapp:create_app()"]
    done = _launch(command, _production_env(tmp_path), tmp_path)
    assert done.returncode == 0, done.output


def _production(make_app: Callable[..., Flask]) -> Flask:
    return make_app("production", SECRET_KEY=GOOD_SECRET, SQLALCHEMY_DATABASE_URI="sqlite://")


def test_create_app_refuses_flask_debug_in_production(
    make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(ConfigurationError, match="FLASK_DEBUG"):
        _production(make_app)


def test_debug_cannot_be_switched_on_later(make_app: Callable[..., Flask]) -> None:
    production = _production(make_app)
    with pytest.raises(ConfigurationError):
        production.debug = True
    assert not production.debug
    production.debug = False  # what `hrapp run` does without FLASK_DEBUG: allowed


@pytest.mark.parametrize("options", [{"debug": True}, {"use_debugger": True}])
def test_app_run_refuses_debug_in_production(
    make_app: Callable[..., Flask], options: dict[str, bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    served: list[dict[str, object]] = []
    # A stand-in server: a real one (with its reloader) would take over the test process.
    monkeypatch.setattr(werkzeug.serving, "run_simple", lambda *a, **kw: served.append(kw))
    production = _production(make_app)
    with pytest.raises(ConfigurationError):
        production.run(port=_free_port(), **options)
    assert not served


def test_a_production_app_put_in_debug_behind_its_back_answers_nothing(
    make_app: Callable[..., Flask],
) -> None:
    """Debug written straight into the configuration: no page is served in that state."""
    production = _production(make_app)
    production.config["DEBUG"] = True
    response = production.test_client().get("/login")
    assert response.status_code == 503
    assert "Traceback" not in response.get_data(as_text=True)


def test_development_may_still_debug(make_app: Callable[..., Flask]) -> None:
    development = make_app("development", SQLALCHEMY_DATABASE_URI="sqlite://")
    development.debug = True
    assert development.debug
