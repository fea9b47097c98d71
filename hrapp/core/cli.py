"""What the `hrapp` commands share: a progress line.

Long work reports progress through the same `progress(done, total, message)` callback as the
background jobs; `ProgressLine` shows it. (Acting on behalf of a user, `--user`, is
`hrapp.auth.acting`.)
"""

from __future__ import annotations

import sys
import time
from types import TracebackType

import click

from hrapp.core.messages import Message, render

PROGRESS_EVERY_S = 0.5


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
