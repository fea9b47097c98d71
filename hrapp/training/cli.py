"""`hrapp training …`: import training records and install the default curriculum."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from hrapp.auth.acting import act_as, user_option
from hrapp.extensions import db
from hrapp.intake.batches import already_imported_text
from hrapp.training.batches import import_training
from hrapp.training.curriculum import ensure_default_curriculum
from hrapp.training.imports import ImportRefused, describe

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
@click.option(
    "--dry-run", is_flag=True, help="Check the file and show what it adds; write nothing."
)
@user_option
def import_command(path: Path, dry_run: bool, username: str | None) -> None:
    """Import training records from a CSV or XLSX file, all or nothing.

    Columns: employee_no, module_code, completed_on, score, trainer, note. The import is
    applied at once, as one batch of the import history. Every problem is listed with its
    spreadsheet row (the header is row 1) and column, nothing is written and the exit code is 1
    (the refused batch keeps the report). Importing the same file again changes nothing.
    """
    user = act_as(username)
    ensure_default_curriculum()  # a fresh database has the modules the file refers to
    outcome = import_training(
        path.read_bytes(), path.name, dry_run=dry_run, user_id=user.id if user else None
    )
    if outcome.status == "duplicate":
        db.session.commit()
        click.echo(already_imported_text(outcome.batch_id))
        return
    if outcome.problems:
        db.session.commit()  # the curriculum and the refused batch: the history of the attempt
        for problem in outcome.problems:
            click.echo(describe(problem), err=True)
        click.echo(ImportRefused(outcome.problems).message, err=True)
        raise click.exceptions.Exit(1)
    counts = (
        f"{outcome.total} rows: {outcome.inserted} inserted, {outcome.unchanged} already recorded"
    )
    if dry_run:
        db.session.rollback()
        click.echo(_("Dry run, nothing was written. %(summary)s", summary=counts))
        return
    db.session.commit()
    click.echo(counts)
    if outcome.batch_id is not None:
        click.echo(_("Import batch %(id)d.", id=outcome.batch_id))
