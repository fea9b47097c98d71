"""`hrapp sessions …`: import exports, roll back a batch, set exchange rates, get the template.

The commands call the same services as the pages and commit once at the end; a refused import
commits only its refused batch (the record of the attempt) and exits non-zero.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask import g
from flask.cli import AppGroup
from flask_babel import gettext as _
from sqlalchemy import select

from hrapp.auth.models import User
from hrapp.core.errors import DomainError
from hrapp.extensions import db
from hrapp.live_sessions import services
from hrapp.live_sessions.importer import ImportOutcome, import_sessions
from hrapp.live_sessions.parsing import template_csv

sessions_cli = AppGroup("sessions", help="Import live-session exports and manage import batches.")

PLATFORMS = ("auto", "douyin", "taobao", "tiktok", "template")
PROGRESS_EVERY_S = 0.5
user_option = click.option(
    "--user", "username", help="Act on behalf of this user (recorded in the audit log)."
)


def _act_as(username: str | None) -> int | None:
    """Record CLI changes under a real user when one is named."""
    if not username:
        return None
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(_("No user is called %(name)s.", name=username))
    g.actor = user
    return user.id


class _ProgressLine:
    """A progress line on stderr, rewritten at most twice a second."""

    def __init__(self) -> None:
        self._last = 0.0

    def __call__(self, done: int, total: int, message: str) -> None:
        now = time.monotonic()
        if now - self._last < PROGRESS_EVERY_S and done < total:
            return
        self._last = now
        counts = f" {done:,}/{total:,}" if total > 1 else ""
        click.echo(f"\r{message}{counts}", nl=done >= total > 1, err=True)


def _echo_outcome(outcome: ImportOutcome, dry_run: bool) -> None:
    click.echo(
        _(
            "%(file)s: %(format)s, %(rows)d rows.",
            file=outcome.filename,
            format=outcome.format or "?",
            rows=outcome.total_rows,
        )
    )
    click.echo(
        _(
            "Inserted: %(inserted)d  Updated: %(updated)d  Unchanged: %(unchanged)d  "
            "Rejected: %(rejected)d",
            inserted=outcome.inserted,
            updated=outcome.updated,
            unchanged=outcome.unchanged,
            rejected=outcome.rejected,
        )
    )
    for p in outcome.problems:
        where = _("row %(row)d", row=p.row) if p.row is not None else _("file")
        column = f", {p.column}" if p.column else ""
        value = f', "{p.value}"' if p.value not in (None, "") else ""
        click.echo(f"  [{p.severity}] {where}{column}{value}: {p.reason}")
    if outcome.omitted_problems:
        click.echo(_("  … and %(n)d more problems.", n=outcome.omitted_problems))
    if outcome.unknown_accounts:
        click.echo(_("Unknown accounts (map them to streamers, then import again):"))
        for a in outcome.unknown_accounts:
            click.echo(f"  {a.platform} {a.account_id} {a.nickname} ({a.rows})")
    if dry_run:
        click.echo(_("Dry run: nothing was written."))


@sessions_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--platform", type=click.Choice(PLATFORMS), default="auto", show_default=True)
@click.option("--dry-run", is_flag=True, help="Check and report; write nothing.")
@click.option(
    "--accept-valid-rows", is_flag=True, help="Import the valid rows even if others have errors."
)
@user_option
def import_command(
    file: Path, platform: str, dry_run: bool, accept_valid_rows: bool, username: str | None
) -> None:
    """Import a live-session export FILE (CSV or XLSX). Exits 1 when the file is refused."""
    user_id = _act_as(username)
    outcome = import_sessions(
        file.read_bytes(),
        file.name,
        platform=platform,
        dry_run=dry_run,
        accept_valid_rows=accept_valid_rows,
        user_id=user_id,
        progress=_ProgressLine(),
    )
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    _echo_outcome(outcome, dry_run)
    refused = outcome.status == "refused" or (
        dry_run and (outcome.has_file_error or (outcome.rejected and not accept_valid_rows))
    )
    if refused:
        click.echo(
            _(
                "Refused: nothing was written. Fix the errors, or import only the valid rows "
                "with --accept-valid-rows."
            ),
            err=True,
        )
        sys.exit(1)
    if not dry_run:
        click.echo(_("Imported as batch %(id)d.", id=outcome.batch_id))


@sessions_cli.command("rollback")
@click.argument("batch_id", type=int)
@user_option
def rollback_command(batch_id: int, username: str | None) -> None:
    """Undo import batch BATCH_ID."""
    _act_as(username)
    try:
        result = services.rollback_batch(batch_id)
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(
        _(
            "Batch %(id)d rolled back: %(deleted)d sessions removed, %(restored)d restored.",
            id=batch_id,
            deleted=result.deleted,
            restored=result.restored,
        )
    )


@sessions_cli.command("set-rate")
@click.argument("currency")
@click.argument("month")
@click.argument("rate")
@user_option
def set_rate_command(currency: str, month: str, rate: str, username: str | None) -> None:
    """Set the exchange rate: 1 CURRENCY = RATE org currency in MONTH (YYYY-MM)."""
    user_id = _act_as(username)
    try:
        row = services.set_rate(currency, month, rate, user_id=user_id)
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(f"{row.currency} {row.month}: {row.rate}")


@sessions_cli.command("template")
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
def template_command(output: Path) -> None:
    """Write the blank canonical import template (CSV) to OUTPUT."""
    output.write_bytes(template_csv())
    click.echo(str(output))
