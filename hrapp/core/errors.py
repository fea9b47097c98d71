"""Domain errors raised by services; views turn them into flashes or status codes."""

from __future__ import annotations

from hrapp.core.messages import Message, is_message, render


class DomainError(Exception):
    """A rule of the business was broken; the message is shown to the user.

    An error that may be kept for later (a background job's failure, read by whoever opens the
    job) is raised with a `message(...)`: `stored` keeps it as data, so that each reader sees it
    in their own language; `message` is it in the language of the moment.
    """

    status_code = 400

    def __init__(self, message: str | Message) -> None:
        self.stored: Message | None = dict(message) if is_message(message) else None
        self.message = render(message) if self.stored else str(message)
        super().__init__(self.message)


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    """Someone else changed the object since it was read."""

    status_code = 409


class Locked(DomainError):
    """The object is finalized and can no longer change."""

    status_code = 409


class ValidationFailed(DomainError):
    """Input was refused; `problems` lists every reason (row, field, why)."""

    status_code = 422

    def __init__(self, message: str | Message, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class UnreadableFile(ValidationFailed):
    """An upload that cannot be read at all (`hrapp.intake.ImportFileError` at the edge);
    ``reason`` keeps the stored message, so that each reader sees it in their own language."""

    def __init__(self, reason: Message) -> None:
        super().__init__(reason)
        self.reason = reason
