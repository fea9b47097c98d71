"""`hrapp sessions …`: import exports, roll back a batch, set exchange rates, get the template.

The commands call the same services as the pages and commit once at the end; a refused import
commits only its refused batch (the record of the attempt) and exits non-zero.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from hrapp.auth.acting import act_as, user_option
from hrapp.core import labels
from hrapp.core.cli import ProgressLine
from hrapp.core.errors import DomainError
from hrapp.core.messages import render
from hrapp.extensions import db
from hrapp.intake.batches import already_imported_text
from hrapp.intake.mapping_cli import load_mapping
from hrapp.live_sessions import services
from hrapp.live_sessions.importer import ImportOutcome, import_session_files, import_sessions
from hrapp.live_sessions.parsing import template_csv

sessions_cli = AppGroup("sessions", help="Import live-session exports and manage import batches.")

PLATFORMS = ("auto", "douyin", "taobao", "tiktok", "template")


def _echo_outcome(outcome: ImportOutcome, dry_run: bool) -> None:
    click.echo(
        _(
            "%(file)s: %(format)s, %(rows)d rows.",
            file=outcome.filename,
            format=outcome.mapping or labels.label("format", outcome.format) or "?",
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
        severity = _("error") if p.severity == "error" else _("warning")
        where = _("row %(row)d", row=p.row) if p.row is not None else _("file")
        if p.cell:  # a per-session workbook: the sheet and cell say where
            where = _("sheet %(sheet)s, cell %(cell)s", sheet=p.sheet, cell=p.cell)
        if p.file:
            where = f"{p.file}: {where}"
        column = f", {p.column}" if p.column else ""
        value = f', "{p.value}"' if p.value not in (None, "") else ""
        click.echo(f"  [{severity}] {where}{column}{value}: {render(p.reason)}")
    if outcome.omitted_problems:
        click.echo(_("  … and %(n)d more problems.", n=outcome.omitted_problems))
    if outcome.unknown_accounts:
        click.echo(_("Unknown accounts (map them to streamers, then import again):"))
        for a in outcome.unknown_accounts:
            platform = labels.label("platform", a.platform)
            click.echo(f"  {platform} {a.account_id} {a.nickname} ({a.rows})")
    if dry_run:
        click.echo(_("Dry run: nothing was written."))


@sessions_cli.command("import")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--platform", type=click.Choice(PLATFORMS), default="auto", show_default=True)
@click.option("--dry-run", is_flag=True, help="Check and report; write nothing.")
@click.option(
    "--accept-valid-rows", is_flag=True, help="Import the valid rows even if others have errors."
)
@click.option(
    "--mapping",
    "mapping_name",
    metavar="MAPPING.toml|NAME",
    help="Read a layout no format knows with this column mapping (a TOML file or a saved name).",
)
@user_option
def import_command(
    files: tuple[Path, ...],
    platform: str,
    dry_run: bool,
    accept_valid_rows: bool,
    mapping_name: str | None,
    username: str | None,
) -> None:
    """Import live-session exports FILES (CSV, XLSX, per-session 直播大屏 workbooks, ZIPs of
    them) as one batch, in this process. Exits 1 when the batch is refused. A file already
    imported whole changes nothing and adds no batch (exit 0)."""
    user = act_as(username)
    mapping = load_mapping(mapping_name) if mapping_name else None
    if mapping is not None and len(files) > 1:
        raise click.ClickException(_("--mapping reads one file at a time."))
    options: dict[str, Any] = {
        "platform": platform,
        "dry_run": dry_run,
        "accept_valid_rows": accept_valid_rows,
        "user_id": user.id if user else None,
    }
    with ProgressLine() as progress:
        if len(files) == 1:
            outcome = import_sessions(
                files[0].read_bytes(), files[0].name, progress=progress, mapping=mapping, **options
            )
        else:
            batch = [(file.name, file.read_bytes()) for file in files]
            outcome = import_session_files(batch, progress=progress, **options)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    if outcome.status == "duplicate":  # a success: what the file holds is in already
        click.echo(already_imported_text(outcome.batch_id))
        return
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
@click.option(
    "--discard-host-edits",
    is_flag=True,
    help="Roll back even where HR has since edited the hosts of the import's sessions.",
)
@user_option
def rollback_command(batch_id: int, discard_host_edits: bool, username: str | None) -> None:
    """Undo import batch BATCH_ID."""
    act_as(username)
    try:
        result = services.rollback_batch(batch_id, discard_host_edits=discard_host_edits)
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
    user = act_as(username)
    try:
        row = services.set_rate(currency, month, rate, user_id=user.id if user else None)
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
