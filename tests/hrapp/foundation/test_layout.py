"""The package layout: importing builds nothing, and the `hrapp` command is installed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

_IMPORT_PROBE = """
import gc, json
import flask, sqlalchemy
import hrapp, hrapp.models, hrapp.cli
from hrapp.extensions import db
print(json.dumps({
    "apps": sum(isinstance(o, flask.Flask) for o in gc.get_objects()),
    "engines": sum(isinstance(o, sqlalchemy.engine.Engine) for o in gc.get_objects()),
    "bound_apps": len(db._app_engines),
    "app_context": flask.has_app_context(),
}))
"""


def _clean_env(instance: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "HUEY_SQLITE_PATH"}}
    env["HRAPP_INSTANCE"] = str(instance)
    return env


def test_importing_the_package_creates_no_app_and_opens_no_database(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_PROBE],
        cwd=ROOT,
        env=_clean_env(instance),
        capture_output=True,
        text=True,
        check=True,
    )
    state = json.loads(done.stdout)
    assert state == {"apps": 0, "engines": 0, "bound_apps": 0, "app_context": False}
    assert not instance.exists(), "importing wrote to the instance folder"


def test_hrapp_command_lists_run_db_and_users(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "hrapp"
    assert script.exists(), "the hrapp command is missing: run `pip install -e .`"
    # Run from elsewhere, as an operator would: everything must come from the installation.
    done = subprocess.run(
        [str(script), "--help"],
        cwd=tmp_path,
        env=_clean_env(tmp_path / "instance"),
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Traceback" not in done.stderr, done.stderr
    commands = _command_names(done.stdout)
    assert {"run", "db", "users"} <= commands, done.stdout


def _command_names(help_text: str) -> set[str]:
    section = help_text.split("Commands:", 1)[1]
    return {line.split()[0] for line in section.splitlines() if line.strip()}
