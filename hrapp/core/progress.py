"""The progress callback of long work: `progress(done, total, step)`.

Imports, the appraisal run and the sheet printer report through it; the job queue stores what
they report for the progress bar, and the command line prints it (`core.cli.ProgressLine`). It
lives here, apart from both, so that the work depends on neither of its watchers.
"""

from __future__ import annotations

from collections.abc import Callable

from hrapp.core.messages import Message

ProgressFn = Callable[[int, int, Message | str], None]


def no_progress(done: int, total: int, message: Message | str) -> None:
    """The progress callback of work that nobody watches."""
