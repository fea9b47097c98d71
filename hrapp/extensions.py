"""Flask extensions, created unbound and initialised in `create_app`."""

from __future__ import annotations

from typing import Any

from flask import has_request_context
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from hrapp.core.db import Base
from hrapp.core.params import page_number

DEFAULT_PER_PAGE = 20


class Database(SQLAlchemy):
    """Flask-SQLAlchemy, with list pages whose page number is checked (`page_number`) and
    whose page size is never the request's to choose."""

    def paginate(self, select: Any, *, page: int | None = None, **options: Any) -> Any:
        options["per_page"] = options.get("per_page") or DEFAULT_PER_PAGE
        if page is None and has_request_context():
            page = page_number(options["per_page"])
        return super().paginate(select, page=page, **options)


db = Database(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
