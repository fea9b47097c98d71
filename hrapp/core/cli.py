"""What the `hrapp` commands share: acting on behalf of a user, and a progress line.

A command that changes data takes `--user USERNAME` (also spelt `--as`), so the audit log names
the person the change was made for instead of "system". Long work reports progress through the
same `progress(done, total, message)` callback as the background jobs; `ProgressLine` shows it.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType

import click
from flask import g
from flask_babel import gettext as _

from hrapp.auth import services as auth_services
from hrapp.auth.models import User
from hrapp.core.messages import Message, render

PROGRESS_EVERY_S = 0.5

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


class ProgressLine:
    """A `progress(done, total, message)` callback that prints on stderr.

    On a terminal one line is rewritten in place, at most every `PROGRESS_EVERY_S` seconds so
    that tight loops stay cheap; in a log, where carriage returns and erase codes would be
    noise, each update shown is a line of its own. The last update (`done >= total`) is always
    shown and ends the line. A step reported with a total of 1 shows only its message. Use it
    as a context manager so that a line left open (work refused half-way) is ended too.
    """

    def __init__(self) -> None:
        self._last = 0.0
        self._terminal = sys.stderr.isatty()
        self._open = False

    def __call__(self, done: int, total: int, message: Message | str = "") -> None:
        now = time.monotonic()
        finished = done >= total
        if not finished and now - self._last < PROGRESS_EVERY_S:
            return
        self._last = now
        text = progress_text(done, total, message)
        if self._terminal:
            click.echo(f"\r{text}\033[K", nl=finished, err=True)
            self._open = not finished
        else:
            click.echo(text, err=True)

    def close(self) -> None:
        """End a line that no final update ended."""
        if self._open:
            click.echo("", err=True)
            self._open = False

    def __enter__(self) -> ProgressLine:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def progress_text(done: int, total: int, message: Message | str) -> str:
    """`42% 4,200/10,000 Writing sessions…`, or the message alone for a step without a count."""
    message = render(message)
    if total <= 1:
        return message
    return f"{done * 100 // total:3d}% {done:,}/{total:,} {message}"
