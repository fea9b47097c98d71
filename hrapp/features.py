"""The list of features: each adds its blueprint and its command group here."""

from __future__ import annotations

import click
from flask import Blueprint


def BLUEPRINTS() -> list[Blueprint]:
    from hrapp.audit.views import bp as audit_bp
    from hrapp.auth.views import bp as auth_bp
    from hrapp.jobs.views import bp as jobs_bp
    from hrapp.main.views import bp as main_bp

    return [main_bp, auth_bp, audit_bp, jobs_bp]


def CLI_GROUPS() -> list[click.Command]:
    from hrapp.auth.cli import users_cli

    return [users_cli]


def JOB_MODULES() -> None:
    """Import the modules that register job handlers."""
