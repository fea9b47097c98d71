"""The `hrapp` command: Flask's CLI bound to this application.

`hrapp run`, `hrapp db upgrade` and every feature's commands (`hrapp users …`,
`hrapp roster …`, …) run with the same services as the web pages.
"""

from __future__ import annotations

from flask.cli import FlaskGroup

from hrapp import create_app
from hrapp.production import guarded_run_command


def _make_app() -> object:
    return create_app()


cli = FlaskGroup(create_app=_make_app, help="hrapp: streamer appraisal for live-commerce agencies")
# Flask's `run`, but production refuses it with the debugger (`--debug`, `--debugger`).
cli.add_command(guarded_run_command, "run")


def main() -> None:
    cli()
