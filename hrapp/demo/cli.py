"""`hrapp demo load`: fill the database with the demo agency and print its logins."""

from __future__ import annotations

import datetime as dt

import click
from flask.cli import AppGroup
from sqlalchemy.exc import OperationalError, ProgrammingError

from hrapp.core.errors import ValidationFailed
from hrapp.core.timeutil import org_today
from hrapp.demo import data, services
from hrapp.extensions import db

demo_cli = AppGroup("demo", help="Demo data to try hrapp with.")


@demo_cli.command("load")
@click.option(
    "--password",
    help="One password for every demo login. Default: random passwords, printed at the end.",
)
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The sessions cover the year before this day. Default: today in the organisation's "
    "time zone.",
)
@click.option(
    "--streamers",
    type=click.IntRange(4, 1000),
    default=data.DEFAULT_STREAMERS,
    show_default=True,
    help="How many streamers the demo agency has.",
)
def load_command(password: str | None, today: dt.datetime | None, streamers: int) -> None:
    """Create demo streamers, sessions, training records and logins (once; safe to repeat).

    When the demo data is already there nothing is added, and the demo logins get the given
    (or new random) passwords, so the logins printed are always the ones that work.
    """
    day = today.date() if today else org_today()
    click.echo(f"Loading the demo agency: {streamers} streamers, the year before {day} …")
    try:
        result = services.load_demo(day, password, streamers=streamers)
    except ValidationFailed as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    except (OperationalError, ProgrammingError) as exc:
        db.session.rollback()
        raise click.ClickException(
            f"The database refused the demo data: {exc.orig}. "
            "If a table or column is missing, run `hrapp db upgrade` first."
        ) from exc
    db.session.commit()
    if result.created:
        click.echo(
            f"Created {result.streamers} streamers, {result.sessions} live sessions and "
            f"{result.training_records} training records."
        )
        summary = services.appraise_last_quarter(day)
        db.session.commit()
        click.echo(
            f"Appraised {summary.appraised} streamers for {summary.cycle} "
            f"(open for review; total payable ¥{summary.total_payable})."
        )
    else:
        click.echo("The demo data is already there: nothing added, the logins' passwords reset.")
    _print_logins(result.logins)


def _print_logins(logins: list[services.Login]) -> None:
    width = max(len("username"), *(len(login.username) for login in logins))
    click.echo("\nLogins:")
    click.echo(f"  {'username':<{width}}  {'role':<8}  password")
    for login in logins:
        click.echo(f"  {login.username:<{width}}  {login.role:<8}  {login.password}")
