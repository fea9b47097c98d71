"""`hrapp demo load`: fill the database with the demo agency and print its logins."""

from __future__ import annotations

import datetime as dt

import click
from flask.cli import AppGroup
from sqlalchemy.exc import OperationalError, ProgrammingError

from hrapp.auth.acting import act_as
from hrapp.core.errors import DomainError, ValidationFailed
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
    help="The sessions cover the year before this day (and its last four full quarters, which "
    "are appraised). Default: today in the organisation's time zone.",
)
@click.option(
    "--streamers",
    type=click.IntRange(4, 1000),
    default=data.DEFAULT_STREAMERS,
    show_default=True,
    help="How many streamers the demo agency has.",
)
def load_command(password: str | None, today: dt.datetime | None, streamers: int) -> None:
    """Create demo streamers, sessions, training records and logins, and appraise the last
    four full quarters (once; safe to repeat).

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
    if result.created and result.demo is not None:
        click.echo(
            f"Created {result.streamers} streamers, {result.sessions} live sessions and "
            f"{result.training_records} training records."
        )
        hr = act_as("hr")  # what follows is HR's work, and audited as such
        assert hr is not None  # act_as refuses an unknown name; the demo created "hr"
        try:
            appraisals = services.appraise_quarters(result.demo, hr)
        except DomainError as exc:
            db.session.rollback()
            raise click.ClickException(
                f"The demo data is loaded, but appraising its quarters failed: {exc.message}"
            ) from exc
        db.session.commit()
        _print_appraisals(appraisals)
    else:
        click.echo("The demo data is already there: nothing added, the logins' passwords reset.")
    _print_logins(result.logins)


def _print_appraisals(done: services.DemoAppraisals) -> None:
    click.echo("Appraised the last four full quarters:")
    for quarter in done.quarters:
        state = "finalized" if quarter.status == "finalized" else "open for HR to review"
        grades = ", ".join(f"{grade} {n}" for grade, n in quarter.grades.items())
        click.echo(
            f"  {quarter.code}  {state:<21}  {quarter.appraised} appraisals ({grades}); "
            f"payable ¥{quarter.total_payable}"
        )
    for promotion in done.promotions:
        click.echo(
            f"Promotion confirmed: {promotion.employee_no} to {promotion.to_level} "
            f"from {promotion.effective_on} (earned in {promotion.earned_in})."
        )
    newest = done.quarters[-1]
    click.echo(
        f"Late data for {done.late_quarter}, imported after it was finalized: "
        f"{done.late_inserted} sessions added, {done.late_updated} with grown refunds; "
        f"{newest.code} settles it in {newest.settlements} clawback/top-up lines."
    )
    click.echo(
        f"{newest.code} has {done.adjustments} pay adjustments by HR and {done.comments} "
        "comments the streamers see."
    )


def _print_logins(logins: list[services.Login]) -> None:
    width = max(len("username"), *(len(login.username) for login in logins))
    click.echo("\nLogins:")
    click.echo(f"  {'username':<{width}}  {'role':<8}  password")
    for login in logins:
        click.echo(f"  {login.username:<{width}}  {login.role:<8}  {login.password}")
