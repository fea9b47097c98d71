"""Configuration: production refuses unsafe settings; organisation settings come from outside."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from config import DEFAULT_SECRET_KEY, ConfigurationError

ROOT = Path(__file__).resolve().parents[3]
GOOD_SECRET = "a-long-random-production-secret"


@pytest.mark.parametrize(
    "overrides",
    [
        {"SECRET_KEY": DEFAULT_SECRET_KEY},
        {"SECRET_KEY": ""},
        {"SECRET_KEY": None},
        {"SECRET_KEY": "short-secret"},
        {"SECRET_KEY": GOOD_SECRET, "DEBUG": True},
    ],
    ids=["default", "empty", "missing", "short", "debug"],
)
def test_production_refuses_unsafe_settings(
    make_app: Callable[..., Flask], overrides: dict[str, object]
) -> None:
    with pytest.raises(ConfigurationError):
        make_app("production", SQLALCHEMY_DATABASE_URI="sqlite://", **overrides)


def test_production_starts_with_a_real_secret(make_app: Callable[..., Flask]) -> None:
    production = make_app("production", SECRET_KEY=GOOD_SECRET, SQLALCHEMY_DATABASE_URI="sqlite://")
    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert not production.debug


def test_production_without_secret_in_the_environment_refuses_to_start(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "FLASK_DEBUG"}}
    env.update(HRAPP_INSTANCE=str(tmp_path), HRAPP_CONFIG="production")
    done = subprocess.run(
        [sys.executable, "-c", "from hrapp import create_app; create_app()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert "ConfigurationError: SECRET_KEY must be set" in done.stderr


_SETTINGS_PROBE = """
import json
from hrapp import create_app
app = create_app("testing")
keys = ("ORG_TIMEZONE", "ORG_CURRENCY", "BABEL_DEFAULT_TIMEZONE", "MAX_CONTENT_LENGTH")
print(json.dumps({k: app.config[k] for k in keys}))
"""


def test_organisation_settings_come_from_the_environment(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "HRAPP_INSTANCE": str(tmp_path),
        "ORG_TIMEZONE": "Asia/Singapore",
        "ORG_CURRENCY": "SGD",
    }
    done = subprocess.run(
        [sys.executable, "-c", _SETTINGS_PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    settings = json.loads(done.stdout)
    assert settings["ORG_TIMEZONE"] == "Asia/Singapore"
    assert settings["BABEL_DEFAULT_TIMEZONE"] == "Asia/Singapore"
    assert settings["ORG_CURRENCY"] == "SGD"
    assert 0 < settings["MAX_CONTENT_LENGTH"] <= 5 * 1024 * 1024  # testing keeps uploads small


def test_max_content_length_is_set_for_every_configuration() -> None:
    from config import CONFIGS

    for name, config in CONFIGS.items():
        assert config.MAX_CONTENT_LENGTH > 0, name
