"""Domain errors raised by services; views turn them into flashes or status codes."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the business was broken; the message is shown to the user."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []
