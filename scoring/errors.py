"""Errors of the scoring library: each carries every problem found, not just the first."""

from __future__ import annotations

from collections.abc import Sequence


class _ProblemsError(ValueError):
    """Base for errors that list all problems at once, so a user can fix them in one pass."""

    label = "problem"

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems: list[str] = list(problems)
        count = len(self.problems)
        heading = f"{count} {self.label}{'' if count == 1 else 's'}:"
        super().__init__("\n  ".join([heading, *self.problems]))


class ScoringInputError(_ProblemsError):
    """Input frames, period or arguments are unusable; `.problems` lists every problem found."""

    label = "input problem"


class SchemeError(_ProblemsError):
    """A scheme document is invalid; `.problems` lists every problem as `path: message`."""

    label = "scheme problem"
