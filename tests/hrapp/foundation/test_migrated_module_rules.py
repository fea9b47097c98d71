"""Migration 0006: a module's pass mark and validity move to the curriculum alone, and which
modules a step requires to the scheme alone. Run on each backend, in a database of its own
(see test_migrations)."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import downgrade, upgrade

import scoring
from hrapp.extensions import db
from tests.hrapp.foundation.migration_helpers import migrated_app, migration_database
from tests.hrapp.foundation.test_migrations import BACKENDS

NOW = dt.datetime(2026, 10, 8, 12, 0, tzinfo=dt.UTC)
NEW_COMMENT = (
    "# The training modules the step requires. Whether one is passed and still valid is the\n"
    "# curriculum's rule (each module's pass mark and validity, kept by the trainers), the same\n"
    "# that the training pages show.\n"
)
OLD_COMMENT = (
    "# A module counts when passed with score >= min_score, and, with valid_months, completed\n"
    "# within that many months before the as-of date.\n"
)


def _as_before(text: str, **modules: str) -> str:
    """The default document as schemes were written before 0006: the old comment, and the
    modules' inline tables with `modules[code]`'s keys added."""
    text = text.replace(NEW_COMMENT, OLD_COMMENT)
    for code, keys in modules.items():
        text = text.replace(f'{{ code = "{code}" }}', f'{{ code = "{code}", {keys} }}', 1)
    return text


# The shipped default before 0006 (the keys agree with the curriculum)...
SHIPPED = _as_before(
    scoring.default_scheme_text(),
    **{"COMPLIANCE-1": "min_score = 80, valid_months = 12", "PRACTICAL-1": "min_score = 80"},
)
# ... and a stricter version HR saved later, in another layout: arrays of tables.
STRICTER = (
    scoring.dump_scheme(scoring.load_scheme(scoring.default_scheme_text()))
    .replace('name = "Default scheme"', 'name = "Stricter"')
    .replace('code = "PRACTICAL-1"\n', 'code = "PRACTICAL-1"\nmin_score = 85\n', 1)
    .replace('code = "SCRIPT-1"\n', 'code = "SCRIPT-1"\nvalid_months = 24\n', 1)
)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from migration_database(request.param, tmp_path)


def _store_versions(connection: sa.Connection) -> None:
    table = sa.table(
        "scheme_versions",
        *(sa.column(name) for name in ("id", "version", "name", "toml", "note", "source")),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    for number, text in ((1, SHIPPED), (2, STRICTER)):
        connection.execute(
            sa.insert(table).values(
                id=number,
                version=number,
                name="Stricter" if number == 2 else "Default scheme",
                toml=text,
                note="",
                source="default" if number == 1 else "upload",
                created_at=NOW,
            )
        )


def _modules(connection: sa.Connection) -> dict[str, dict]:
    rows = connection.execute(sa.text("SELECT * FROM training_modules")).mappings()
    return {row["code"]: dict(row) for row in rows}


def _schemes(connection: sa.Connection) -> list[str]:
    return list(
        connection.execute(sa.text("SELECT toml FROM scheme_versions ORDER BY version")).scalars()
    )


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_scheme_keys_move_to_the_curriculum_without_making_anyone_eligible(
    make_app: Callable[..., Flask], database_url: str
) -> None:
    with migrated_app(make_app, database_url):
        upgrade(revision="0005")
        with db.engine.begin() as connection:
            _store_versions(connection)
            before = _modules(connection)
        assert before["PRACTICAL-1"]["pass_mark"] == 80  # the shipped curriculum

        upgrade(revision="0006")

        with db.engine.begin() as connection:
            after = _modules(connection)
            shipped, stricter = _schemes(connection)
        # The latest version asked more of two modules: the curriculum takes it.
        assert (after["PRACTICAL-1"]["pass_mark"], after["PRACTICAL-1"]["assessed"]) == (
            85,
            True,
        )
        assert (after["SCRIPT-1"]["pass_mark"], after["SCRIPT-1"]["validity_months"]) == (
            None,
            24,
        )
        # Asking less than the curriculum changes nothing (the stricter scheme no longer
        # names COMPLIANCE-1's minimum, the curriculum keeps 80 and 12 months).
        assert (
            after["COMPLIANCE-1"]["pass_mark"],
            after["COMPLIANCE-1"]["validity_months"],
        ) == (
            80,
            12,
        )
        assert after["MENTOR-1"]["pass_mark"] == 85
        assert "required_for" not in after["MENTOR-1"]
        # Every version loads under the new rules; the shipped one reads exactly as the
        # default document does now, comments included.
        assert shipped == scoring.default_scheme_text()
        kept = [m for rule in tomllib.loads(stricter)["promotion"] for m in rule["modules"]]
        assert all(list(module) == ["code"] for module in kept)
        assert scoring.load_scheme(stricter).name == "Stricter"

        downgrade(revision="0005")

        with db.engine.begin() as connection:
            restored = _modules(connection)
        assert restored["COMPLIANCE-1"]["required_for"] in (
            ["assistant->senior", "senior->mentor"],
            '["assistant->senior", "senior->mentor"]',  # JSON read back as text by SQLite
        )
