"""Before gunicorn forks a worker from a master that built the application (`preload_app`).

A database or queue connection copied into a child process is one socket or file used by two
processes, which corrupts what both send. The master serves no request, so it drops its
connections before each fork and every worker opens its own when it first needs one.

gunicorn replaces each worker after `max_requests`, a few times a minute under load. What a
fresh worker would otherwise do on its first requests while others queue behind it (compile
the templates and the SQL every page runs, load each language's catalogue and locale data,
fingerprint the code for the scorecard's kept pages: about 50 ms of CPU on a streamer's first
scorecard) the master does once, before the first fork (`prepare_workers`), and every worker
starts with it.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging

from flask import Flask
from flask_babel import force_locale, format_date, format_decimal, gettext
from jinja2 import TemplateError
from sqlalchemy.exc import SQLAlchemyError

from hrapp.extensions import db

log = logging.getLogger(__name__)


def release_connections(app: Flask) -> None:
    """Close the application's pooled database connections and the job queue's connection."""
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()
    queue = app.extensions.get("hrapp.jobs")
    if queue is not None:
        queue.huey.storage.close()


def prepare_workers(app: Flask) -> None:
    """In the master, once: the work every fresh worker would repeat, then the master's objects
    set aside from the garbage collector (`gc.freeze`), so that a worker's collections never
    walk them (nor write to the pages it shares with the master)."""
    compile_templates(app)
    with app.test_request_context("/"):  # a GET: its reads take no write lock
        _load_languages(app)
        _compile_statements()
    gc.collect()
    gc.freeze()


def compile_templates(app: Flask) -> None:
    """Every template, compiled into the application's template cache. One that does not
    compile is left to fail on its page, as before."""
    for name in app.jinja_env.list_templates():
        try:
            app.jinja_env.get_template(name)
        except TemplateError:
            log.warning("template %s does not compile", name)


def _load_languages(app: Flask) -> None:
    """Each language's catalogue and Babel's data for it (numbers, dates)."""
    for language in app.config["LANGUAGES"]:
        with force_locale(language):
            gettext("Log out")
            format_decimal(1)
            format_date(dt.date.today())


def _compile_statements() -> None:
    """The statements of every logged-in request and of every scorecard view, run once for no
    row, and the fingerprint of the code that the scorecard's kept pages are filed under.
    Compiling is what is kept; a database without the tables (before `db upgrade`) only fails
    the run, after the compiling."""
    from hrapp.auth.login import load_user
    from hrapp.core.timeutil import org_today
    from hrapp.portal import fingerprints
    from hrapp.portal.cache import fingerprint_code
    from hrapp.portal.running import quarter_bounds

    fingerprint_code()  # the key of every page the scorecard keeps on disk
    try:
        load_user("0:none")
        fingerprints.index_page(0, *quarter_bounds(org_today()))
    except SQLAlchemyError:
        log.info("statements not compiled ahead: the database is not ready")
    finally:
        db.session.rollback()
        db.session.remove()
