"""gunicorn's settings for hrapp (`gunicorn -c gunicorn.conf.py`; scripts/serve.sh uses it).

Every value can be overridden from the environment (GUNICORN_CMD_ARGS, or the variables below)
without editing this file.

Sizing:
- workers: synchronous workers, two per core plus one (pandas and the database release the
  GIL rarely enough that threads would not help). A slow client holds a sync worker for as long
  as it sends, so production puts a buffering reverse proxy (nginx) in front.
- timeout: the longest synchronous request, with room. Long work (imports, appraisal runs,
  printing sheets) runs in the job worker, not in a request; what remains is the upload of an
  export of up to MAX_CONTENT_LENGTH (300 MB: read from the proxy, hashed and stored, about
  5 s on a local disk), the payroll export of a 10,000-streamer cycle and a cycle's finalize
  (each a few seconds; cycle_finalize_10k measures 0.9 s). 120 s covers them on a slow disk
  and still stops a request that hangs.
- preload_app: the application is built once, in the master, and each worker is a fork of it.
  A worker that replaces a retired one (max_requests) then serves at once, instead of spending
  about 2 s of CPU importing pandas, WeasyPrint and the rest while requests queue behind it;
  `pre_fork` drops the master's database and queue connections first (hrapp.forking). A code
  change therefore needs a restart of the master, not a HUP. `when_ready` also does once in the
  master what every fresh worker would otherwise do on its first requests (compile templates
  and SQL, load the languages): about 50 ms of CPU that a retired worker's successor would
  spend while requests wait.
- access log: the application writes one JSON line per request itself (hrapp.core.logs: method,
  path without its query string, status, milliseconds, request id, user id), so gunicorn's own
  access log, which would print query strings, is off; gunicorn's error log is JSON too.
"""

from __future__ import annotations

import multiprocessing
import os

wsgi_app = "hrapp:create_app()"
bind = os.environ.get("HRAPP_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (with jitter, so they do not all restart at
# once): memory a big export leaves behind is given back to the system.
max_requests = 1000
max_requests_jitter = 100
preload_app = True


def when_ready(server: object) -> None:
    """Before the first fork: what each fresh worker would otherwise do on its first requests
    (hrapp.forking.prepare_workers)."""
    if server.cfg.preload_app:  # type: ignore[attr-defined]
        from hrapp.forking import prepare_workers

        prepare_workers(server.app.wsgi())  # type: ignore[attr-defined]


def pre_fork(server: object, _worker: object) -> None:
    from hrapp.forking import release_connections

    release_connections(server.app.wsgi())  # type: ignore[attr-defined]


accesslog = None  # the application logs each request (see above)
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "hrapp.core.logs.JsonFormatter"}},
    "handlers": {
        "error_console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        },
    },
    # The application adds its own JSON handler to the root logger (LOG_JSON).
    "root": {"level": "INFO", "handlers": []},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
    },
}
