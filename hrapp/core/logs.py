"""Structured logs: one JSON object per line, each naming its request and user.

Every request gets an id (the proxy's ``X-Request-ID`` when it sends a sane one, else a new
one), returned in the response's ``X-Request-ID`` header and written on every line logged while
the request runs, beside the logged-in user's id. Each request ends with one ``request`` line —
method, path without its query string, status, milliseconds — which is the access log.

What is never logged: form fields (passwords), query strings, headers (cookies), and the
parameters of failed SQL statements (``hide_parameters`` on the engine), which is where ID and
bank numbers would otherwise appear in a logged error. As a last guard the formatter masks any
run of 15 or more digits (an ID card number, a bank account number) in what it writes.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
import time
import uuid
from typing import IO, Any

from flask import Flask, Response, g, has_request_context, request
from sqlalchemy import inspect

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# ID card numbers are 18 characters (the last may be X), bank account numbers 16 to 19 digits.
_LONG_NUMBER = re.compile(r"\d{15,}[0-9Xx]?")
MASK = "[number]"
HANDLER_NAME = "hrapp-json"
# The standard attributes of a LogRecord: anything else on a record was passed as `extra`.
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}

# Libraries that log every step of ordinary work at INFO (WeasyPrint: each CSS it parses).
CHATTY_LIBRARIES = ("weasyprint", "fontTools")

access_log = logging.getLogger("hrapp.access")


def masked(text: str) -> str:
    return _LONG_NUMBER.sub(MASK, text)


class ContextFilter(logging.Filter):
    """Puts the current request's id and user id on every record logged during it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            record.request_id = g.get("request_id")
            record.user_id = _user_id()
        return True


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON: time (UTC), level, logger, message, request and user ids,
    any `extra` fields, and the traceback of an exception."""

    def format(self, record: logging.LogRecord) -> str:
        document: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        document |= {k: v for k, v in vars(record).items() if k not in _STANDARD}
        if record.exc_info:
            document["exception"] = self.formatException(record.exc_info)
        return masked(json.dumps(document, ensure_ascii=False, default=str))


def configure_logging(stream: IO[str] | None = None, level: int = logging.INFO) -> None:
    """Send every logger's records through one JSON handler (replacing an earlier one of
    ours, so building several applications in one process logs each line once)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    root.addHandler(handler)
    root.setLevel(level)
    for name in CHATTY_LIBRARIES:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))


def init_request_logging(app: Flask) -> None:
    """Request ids for every request and the access line at its end; JSON output when the
    configuration asks for it (production does)."""
    if app.config.get("LOG_JSON"):
        configure_logging()
    app.before_request(_start_request)
    app.after_request(_log_request)


def _start_request() -> None:
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = offered if _SANE_REQUEST_ID.match(offered) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _log_request(response: Response) -> Response:
    request_id = g.get("request_id")
    if request_id:
        response.headers[REQUEST_ID_HEADER] = request_id
    started = g.get("request_started")
    access_log.info(
        "%s %s %s",
        request.method,
        request.path,
        response.status_code,
        extra={
            "method": request.method,
            "path": request.path,  # never the query string: it can carry names and numbers
            "status": response.status_code,
            "ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
            "remote": request.remote_addr,
        },
    )
    return response


def _user_id() -> Any:
    """The logged-in user's id, from the object's identity: never a query (a record can be
    logged by the database layer itself, half-way through one), never a user the request has
    not loaded itself."""
    user = g.get("_login_user")
    state = inspect(user, raiseerr=False) if user is not None else None
    identity = state.identity if state is not None else None
    return identity[0] if identity else None
