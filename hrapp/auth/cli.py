"""`hrapp users …`: create accounts from the command line."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from hrapp.auth import services
from hrapp.auth.models import Role
from hrapp.core.errors import ValidationFailed
from hrapp.extensions import db

users_cli = AppGroup("users", help="Manage user accounts.")


def read_password() -> str:
    """From a prompt when a person is at the terminal, else the first line of stdin."""
    if sys.stdin.isatty():
        return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))
    return sys.stdin.readline().rstrip("\n")


@users_cli.command("create")
@click.argument("username")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice([r.value for r in Role]),
    help="May be given more than once.",
)
@click.option("--streamer", "employee_no", help="Employee number of the linked streamer.")
@click.option("--display-name", default="")
def create_user_command(
    username: str, roles: tuple[str, ...], employee_no: str | None, display_name: str
) -> None:
    """Create USERNAME; the password is read from a prompt or from stdin."""
    from hrapp.streamers.models import Streamer

    streamer_id = None
    if employee_no:
        streamer_id = db.session.scalar(
            select(Streamer.id).where(Streamer.employee_no == employee_no)
        )
        if streamer_id is None:
            raise click.ClickException(f"no streamer with employee number {employee_no}")
    try:
        services.create_user(
            username,
            read_password(),
            [Role(r) for r in roles],
            streamer_id=streamer_id,
            display_name=display_name,
        )
    except ValidationFailed as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(f"created {username} ({', '.join(roles)})")
