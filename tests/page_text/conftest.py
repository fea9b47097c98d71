"""The demo site the page reader walks: an app on a database of this package's own, the demo
agency loaded once (see tests/demo_agency.py), kept for every test of the package."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.demo_agency import load_demo_agency, own_database
from tests.page_text.demo_site import DemoSite, build_site


@pytest.fixture(scope="package")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSite]:
    from hrapp import create_app
    from hrapp.extensions import db

    tmp = tmp_path_factory.mktemp("page_text")
    os.environ.setdefault("HUEY_SQLITE_PATH", str(tmp / "huey.sqlite"))
    url, drop_database = own_database(tmp, "pages")
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=url,
        UPLOAD_DIR=str(tmp / "uploads"),
        SHEETS_DIR=str(tmp / "sheets"),
    )
    with app.app_context():
        db.create_all()
    try:
        yield build_site(app, load_demo_agency(app))
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop_database()
