"""The list of features: each adds its blueprint and its command group here."""

from __future__ import annotations

import click
from flask import Blueprint


def BLUEPRINTS() -> list[Blueprint]:
    import hrapp.appraisals.closing_views
    import hrapp.portal.hr_views  # noqa: F401 - adds HR's routes to the portal blueprint
    from hrapp.appraisals.views import bp as appraisals_bp
    from hrapp.audit.views import bp as audit_bp
    from hrapp.auth.views import bp as auth_bp
    from hrapp.intake.mapping_views import bp as mappings_bp
    from hrapp.jobs.views import bp as jobs_bp
    from hrapp.live_sessions.views import bp as live_sessions_bp
    from hrapp.main.views import bp as main_bp
    from hrapp.portal.views import bp as portal_bp
    from hrapp.promotions.views import bp as promotions_bp
    from hrapp.reports.views import bp as reports_bp
    from hrapp.streamers.views import bp as streamers_bp
    from hrapp.training.views import bp as training_bp

    return [
        main_bp,
        auth_bp,
        audit_bp,
        jobs_bp,
        training_bp,
        streamers_bp,
        live_sessions_bp,
        mappings_bp,
        appraisals_bp,
        promotions_bp,
        reports_bp,
        portal_bp,
    ]


def CLI_GROUPS() -> list[click.Command]:
    from hrapp.appraisals.cli import cycle_cli, scheme_cli, whatif_command
    from hrapp.auth.cli import users_cli
    from hrapp.backup.cli import backup_command, restore_command
    from hrapp.demo.cli import demo_cli
    from hrapp.intake.mapping_cli import mappings_cli
    from hrapp.live_sessions.cli import sessions_cli
    from hrapp.promotions.cli import promotions_cli
    from hrapp.reports.cli import sheets_command
    from hrapp.streamers.cli import roster_cli
    from hrapp.training.cli import training_cli

    return [
        users_cli,
        demo_cli,
        training_cli,
        roster_cli,
        sessions_cli,
        mappings_cli,
        scheme_cli,
        cycle_cli,
        whatif_command,
        promotions_cli,
        sheets_command,
        backup_command,
        restore_command,
    ]


def JOB_MODULES() -> None:
    """Import the modules that register job handlers (`create_app` calls this; the job
    services never import the features, which build on them)."""
    import hrapp.appraisals.jobs
    import hrapp.live_sessions.jobs
    import hrapp.reports.jobs
    import hrapp.streamers.jobs
    import hrapp.training.jobs  # noqa: F401
