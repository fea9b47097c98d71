"""`hrapp promotions …`: confirm a promotion from a shell, no prompts (scripts call it).

Refusals roll back, print the reason on stderr and exit with status 1.
"""

from __future__ import annotations

import datetime as dt
import sys

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from hrapp.appraisals import services as appraisals
from hrapp.auth.acting import act_as, user_option
from hrapp.core.errors import DomainError
from hrapp.core.labels import label
from hrapp.extensions import db
from hrapp.promotions import services
from hrapp.streamers.services import apply_due_level_changes, require_by_employee_no

promotions_cli = AppGroup("promotions", help="Confirm promotions along the promotion path.")


@promotions_cli.command("confirm")
@click.argument("employee_no")
@click.option("--to", "to_level", required=True, type=click.Choice(services.PATH[1:]))
@click.option(
    "--from",
    "effective_on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Effective date (default: the first day of the quarter after the one it was earned in).",
)
@click.option("--reason", required=True, help="Why: the audit log and the level history keep it.")
@click.option(
    "--cycle", "cycle_code", help="The quarter it was earned in (default: the latest run)."
)
@click.option(
    "--force",
    is_flag=True,
    help="Confirm although the quarter did not find the streamer eligible (recorded).",
)
@user_option
def confirm_command(
    employee_no: str,
    to_level: str,
    effective_on: dt.datetime | None,
    reason: str,
    cycle_code: str | None,
    force: bool,
    username: str | None,
) -> None:
    """Promote EMPLOYEE_NO to the next level of the path (writes the level history)."""
    act_as(username)
    try:
        streamer = require_by_employee_no(employee_no)
        cycle = appraisals.cycle_by_code(cycle_code) if cycle_code else None
        change = services.confirm_promotion(
            streamer,
            to_level,
            reason,
            effective_on=effective_on.date() if effective_on else None,
            cycle=cycle,
            force=force,
        )
    except DomainError as exc:
        db.session.rollback()
        click.echo(exc.message, err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(
        _(
            "%(no)s %(name)s: %(level)s from %(date)s, recorded in the level history.",
            no=streamer.employee_no,
            name=streamer.display_name,
            level=label("level", change.to_level),
            date=change.effective_on.isoformat(),
        )
    )


@promotions_cli.command("apply-due")
def apply_due_command() -> None:
    """Let scheduled level changes whose day has come take effect (for a daily cron job)."""
    count = apply_due_level_changes()
    db.session.commit()
    click.echo(_("%(n)d scheduled level changes took effect.", n=count))
