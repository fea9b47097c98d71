"""`hrapp backup OUT` and `hrapp restore IN`."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from sqlalchemy.exc import OperationalError

from hrapp.auth.acting import act_as, user_option
from hrapp.backup.archive import BackupError, Manifest, make_backup, restore_backup
from hrapp.core import audit
from hrapp.core.messages import message
from hrapp.extensions import db


def _uploads() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


@click.command("backup")
@with_appcontext
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@user_option
def backup_command(out: Path, username: str | None) -> None:
    """Write the database and the uploaded files to the archive OUT (while the app runs)."""
    actor = act_as(username)
    db.session.remove()
    try:
        make_backup(db.engine, _uploads(), out)
    except BackupError as exc:
        raise click.ClickException(exc.message) from exc
    # Recorded after the copy, not before it: on SQLite the audit row needs the write lock,
    # which an import holds for its whole transaction, and the copy must not wait for it.
    try:
        audit.record(
            "backup.make",
            "database",
            changes={"archive": out.name},
            summary=message("Backup written to %(file)s.", file=out.name),
            actor=actor,
        )
        db.session.commit()
    except OperationalError as exc:
        raise click.ClickException(
            _(
                "The backup %(file)s is complete, but the audit log could not record it: "
                "%(reason)s",
                file=out,
                reason=exc.orig,
            )
        ) from exc
    click.echo(_("Backup written to %(file)s.", file=out))


@click.command("restore")
@with_appcontext
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that holds data.")
@user_option
def restore_command(archive: Path, force: bool, username: str | None) -> None:
    """Replace the database and the uploaded files with those of the backup ARCHIVE.

    The audit log is replaced too: entries written after the backup are lost with the rest.
    """
    actor = act_as(username)
    name = actor.username if actor is not None else None
    db.session.remove()
    try:
        manifest = restore_backup(db.engine, _uploads(), archive, force=force)
    except BackupError as exc:
        raise click.ClickException(exc.message) from exc
    _record_restore(archive, manifest, name)
    click.echo(_("Restored the backup made at %(when)s.", when=manifest.made_at))


def _record_restore(archive: Path, manifest: Manifest, username: str | None) -> None:
    """The restored log's own entry about the restore, since the entries it replaced are gone."""
    from hrapp.auth.models import User

    actor: Any = None
    if username is not None:  # the account as the restored database knows it, if at all
        known = db.session.query(User).filter_by(username=username).one_or_none()
        actor = known or SimpleNamespace(id=None, username=username)
    audit.record(
        "backup.restore",
        "database",
        changes={"archive": archive.name, "made_at": manifest.made_at},
        summary=message(
            "Restored from %(file)s, made at %(when)s; later entries were replaced.",
            file=archive.name,
            when=manifest.made_at,
        ),
        actor=actor,
    )
    db.session.commit()
