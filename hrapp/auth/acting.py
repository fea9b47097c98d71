"""Acting on behalf of a user from the command line.

A command that changes data takes `--user USERNAME` (also spelt `--as`), so the audit log names
the person the change was made for instead of "system".
"""

from __future__ import annotations

import click
from flask import g
from flask_babel import gettext as _

from hrapp.auth import services as auth_services
from hrapp.auth.models import User

user_option = click.option(
    "--user",
    "--as",
    "username",
    metavar="USERNAME",
    help="Act on behalf of this user: the audit log names them (default: system).",
)


def act_as(username: str | None) -> User | None:
    """The named user, made the actor of this command's audit rows; None when none is named.

    An unknown name stops the command before anything is written.
    """
    if not username:
        return None
    user = auth_services.get_user_by_name(username)
    if user is None:
        raise click.ClickException(_("No user is called %(name)s.", name=username))
    g.actor = user
    return user
