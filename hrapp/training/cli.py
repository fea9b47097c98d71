"""`hrapp training …`: import training records and install the default curriculum."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from hrapp.auth.acting import act_as, user_option
from hrapp.extensions import db
from hrapp.training.curriculum import ensure_default_curriculum
from hrapp.training.imports import ImportRefused, describe, import_training_file

training_cli = AppGroup("training", help="Training records and the curriculum.")


@training_cli.command("curriculum")
def curriculum_command() -> None:
    """Add the default curriculum's modules that are missing (existing ones stay as they are)."""
    added = ensure_default_curriculum()
    db.session.commit()
    click.echo(
        f"added {len(added)} modules" + (f": {', '.join(m.code for m in added)}" if added else "")
    )


@training_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@user_option
def import_command(path: Path, username: str | None) -> None:
    """Import training records from a CSV or XLSX file, all or nothing.

    Columns: employee_no, module_code, completed_on, score, trainer, note. Every problem is
    listed with its spreadsheet row (the header is row 1) and column; then nothing is written.
    """
    user = act_as(username)
    ensure_default_curriculum()  # a fresh database has the modules the file refers to
    try:
        result = import_training_file(path.name, path.read_bytes(), by=user)
    except ImportRefused as exc:
        db.session.rollback()
        for problem in exc.rows:
            click.echo(describe(problem), err=True)
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(
        f"{result.total} rows: {result.inserted} inserted, {result.unchanged} already recorded"
    )
