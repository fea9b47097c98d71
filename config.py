"""Configuration classes, read from the environment.

`create_app()` picks one by name (``HRAPP_CONFIG`` or the argument); every value that differs
between machines comes from an environment variable so that production needs no code change.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

from hrapp.intake.limits import MAX_UPLOAD_BYTES

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("HRAPP_INSTANCE", BASE_DIR / "instance"))

DEFAULT_SECRET_KEY = "dev-insecure-change-me"  # noqa: S105 - the value production refuses


def _sqlite_url(name: str) -> str:
    return f"sqlite:///{INSTANCE_DIR / name}"


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", _sqlite_url("hrapp.sqlite"))
    # hide_parameters: a failed statement's error (which gets logged) names no values, so no
    # ID or bank account number reaches the logs.
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, object]] = {
        "pool_pre_ping": True,
        "hide_parameters": True,
    }
    # The job queue: Redis when set (redis://host:6379/0, unix:///path/redis.sock), else a SQLite
    # file (HUEY_SQLITE_PATH) that the web app and the worker share on one machine.
    REDIS_URL = os.environ.get("REDIS_URL", "")
    HUEY_SQLITE_PATH = os.environ.get("HUEY_SQLITE_PATH", str(INSTANCE_DIR / "jobs.sqlite"))
    HUEY_IMMEDIATE = False
    # A running job's worker says it is alive every JOB_HEARTBEAT_SECONDS; a job not heard of
    # for JOB_LEASE_SECONDS is taken for dead (its worker was killed) and marked failed. The
    # lease is long enough for a busy machine to miss a few beats.
    JOB_HEARTBEAT_SECONDS = float(os.environ.get("JOB_HEARTBEAT_SECONDS", "10"))
    JOB_LEASE_SECONDS = float(os.environ.get("JOB_LEASE_SECONDS", "120"))
    ORG_TIMEZONE = os.environ.get("ORG_TIMEZONE", "Asia/Shanghai")
    ORG_CURRENCY = os.environ.get("ORG_CURRENCY", "CNY")
    ORG_NAME = os.environ.get("ORG_NAME", "hrapp")

    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = ORG_TIMEZONE
    LANGUAGES = ("zh_CN", "en")

    # Uploads: an export of 1,000,000 sessions is ~250 MB as CSV (the intake's one limit).
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", MAX_UPLOAD_BYTES))
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    # Appraisal sheets printed in bulk (a job's ZIP or merged PDF, kept for its download page),
    # the worker processes that render them (default: one per CPU) and the time one sheet may
    # take before it is stopped (a pathological comment must not hang the renderer).
    SHEETS_DIR = os.environ.get("SHEETS_DIR", str(INSTANCE_DIR / "sheets"))
    SHEET_WORKERS = int(os.environ.get("SHEET_WORKERS", "0"))
    SHEET_RENDER_TIMEOUT = float(os.environ.get("SHEET_RENDER_TIMEOUT", "30"))

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 12 * 3600
    WTF_CSRF_TIME_LIMIT = None  # a long review session must not lose its form

    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are believed.
    # 0 (the default) believes none, so a client cannot pick its own address; behind one
    # nginx it must be 1, or every login shares the proxy's address and its throttle.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))

    LOGIN_MAX_FAILURES_PER_ACCOUNT = 5
    LOGIN_MAX_FAILURES_PER_ADDRESS = 20
    LOGIN_THROTTLE_WINDOW_SECONDS = 15 * 60

    # Werkzeug's name of the password hash for new and changed passwords. Logins check any
    # stored hash by the method written in it, so changing this needs no migration.
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - the name of a method, not a password

    # Logs as one JSON object per line on stderr (hrapp.core.logs); production's default.
    LOG_JSON = os.environ.get("LOG_JSON", "0") == "1"

    # Strict-Transport-Security's max-age on requests that came over HTTPS; 0 sends none
    # (development has no certificate, and a browser would remember the promise for a year).
    HSTS_SECONDS = 0

    DEBUG = False
    TESTING = False


class DevelopmentConfig(Config):
    DEBUG = os.environ.get("FLASK_DEBUG", "0") == "1"


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret-key"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    HUEY_IMMEDIATE = True
    WTF_CSRF_ENABLED = False
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024
    # Fast and weak, for test accounts only: scrypt takes tens of milliseconds a password,
    # and the suite creates and logs in thousands of accounts (the permission matrix most).
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105 - a method's name


class ProductionConfig(Config):
    LOG_JSON = os.environ.get("LOG_JSON", "1") == "1"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", str(365 * 24 * 3600)))


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


# How Flask reads FLASK_DEBUG (`flask.helpers.get_debug_flag`): anything else means on.
FALSE_WORDS = ("", "0", "false", "no")


class ConfigurationError(RuntimeError):
    """Raised when the configuration is unsafe to run with."""


def check_production(config: Mapping[str, object], environ: Mapping[str, str] = os.environ) -> None:
    """Refuse to start production with a default secret or debug on.

    `FLASK_DEBUG` counts even though the production configuration ignores it: `hrapp run`
    and `flask run` read it after the application is built, and would turn on the Werkzeug
    debugger, whose console runs any Python a visitor types.
    """
    secret = config.get("SECRET_KEY")
    if not secret or secret == DEFAULT_SECRET_KEY or len(str(secret)) < 16:
        raise ConfigurationError("SECRET_KEY must be set to a long random value in production")
    if config.get("DEBUG"):
        raise ConfigurationError("DEBUG must be off in production")
    if environ.get("FLASK_DEBUG", "").lower() not in FALSE_WORDS:
        raise ConfigurationError("FLASK_DEBUG must be unset in production: it turns debug on")
