"""What production refuses at run time: the Werkzeug debugger, by whichever route it is asked.

`config.check_production` refuses debug in the configuration and in `FLASK_DEBUG` when the
application is built. Debug can still be asked for after that: `hrapp run --debugger` wraps
the built application in the debugger, `app.run(debug=True)` and `app.debug = True` switch it
on, and code may write `DEBUG` into the configuration. The debugger's console runs any Python
a visitor types, so each of these is refused here rather than trusted to the operator.
"""

from __future__ import annotations

import logging
from typing import Any

import click
from flask import Flask, abort, current_app
from flask.cli import ScriptInfo, run_command
from flask.helpers import get_debug_flag

from config import ConfigurationError

log = logging.getLogger("hrapp.security")
REFUSED = "the Werkzeug debugger must not run in production (debug, --debug or --debugger)"


class ProductionFlask(Flask):
    """A Flask application that cannot be put in debug mode."""

    @property  # type: ignore[override]
    def debug(self) -> bool:
        return bool(self.config["DEBUG"])

    @debug.setter
    def debug(self, value: bool) -> None:
        if value:
            raise ConfigurationError(REFUSED)
        Flask.debug.fset(self, value)  # type: ignore[attr-defined]

    def run(self, *args: Any, **options: Any) -> None:
        if options.get("use_debugger") or options.get("debug") or get_debug_flag():
            raise ConfigurationError(REFUSED)
        super().run(*args, **options)


def refuse_requests_in_debug() -> None:
    """Serve nothing from a production application whose configuration says debug after all:
    error pages and the debugger's tracebacks would show what production must not."""
    if current_app.config.get("DEBUG"):
        log.critical("refusing a request: DEBUG is on in production")
        abort(503)


def init_production(app: Flask) -> None:
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_requests_in_debug)


def _run_without_debugger(**options: Any) -> Any:
    """Flask's `run`, refusing to start production with the debugger."""
    context = click.get_current_context()
    app = context.ensure_object(ScriptInfo).load_app()
    debugger = options.get("debugger")
    if debugger is None:
        debugger = get_debug_flag()
    if isinstance(app, ProductionFlask) and debugger:
        raise ConfigurationError(REFUSED)
    return context.invoke(run_command.callback, **options)  # type: ignore[arg-type]


guarded_run_command = click.Command(
    "run",
    params=run_command.params,
    callback=_run_without_debugger,
    help=run_command.help,
    short_help=run_command.short_help,
)
