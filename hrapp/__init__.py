"""hrapp: appraisal, commission and training for live-commerce agencies.

`create_app()` builds the application; nothing is created at import time.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: str | None = None, **overrides: Any) -> Flask:
    """Build the application for a named configuration (``HRAPP_CONFIG`` by default)."""
    from config import CONFIGS, check_production

    name = config or os.environ.get("HRAPP_CONFIG", "development")
    app = _app_class(name)(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(Path(os.environ.get("HRAPP_INSTANCE", ROOT / "instance"))),
    )
    app.config.from_object(CONFIGS[name])
    app.config.update(overrides)
    # Worker processes that need an application of their own (the sheet printer's pool) build
    # it with this; the modules that start them are part of what it builds.
    app.extensions["hrapp.create_app"] = create_app
    if name == "production":
        check_production(app.config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if name == "production":
        from hrapp.production import init_production

        init_production(app)

    from hrapp.web import init_web

    _trust_proxies(app)
    _init_extensions(app)
    init_web(app)
    _register_features(app)
    return app


def _app_class(name: str) -> type[Flask]:
    """Production's application refuses debug mode however it is asked for later."""
    if name != "production":
        return Flask
    from hrapp.production import ProductionFlask

    return ProductionFlask


def _trust_proxies(app: Flask) -> None:
    """Behind reverse proxies, take the client's address and scheme from their headers."""
    hops = int(app.config["TRUSTED_PROXIES"])
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]


def _init_extensions(app: Flask) -> None:
    from hrapp import models  # noqa: F401  (the whole schema, for Alembic and create_all)
    from hrapp.auth.login import init_login
    from hrapp.core.sqlite import init_sqlite
    from hrapp.extensions import babel, csrf, db, migrate
    from hrapp.i18n import select_locale, select_timezone

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    init_login(app)
    init_sqlite(app)


def _register_features(app: Flask) -> None:
    from hrapp.features import BLUEPRINTS, CLI_GROUPS, JOB_MODULES
    from hrapp.jobs.tasks import init_queue

    for blueprint in BLUEPRINTS():
        app.register_blueprint(blueprint)
    for group in CLI_GROUPS():
        app.cli.add_command(group)
    JOB_MODULES()
    init_queue(app)
