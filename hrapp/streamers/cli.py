"""`hrapp roster …`: import the roster from a spreadsheet, checked as on the upload page."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import click
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from hrapp.audit.display import shown_value
from hrapp.auth.acting import act_as, user_option
from hrapp.core import labels
from hrapp.extensions import db
from hrapp.intake.batches import already_imported_text
from hrapp.streamers.roster_batches import import_roster
from hrapp.streamers.roster_import import (
    Problem,
    RosterPlan,
    refusal_message,
)

roster_cli = AppGroup("roster", help="Keep the streamer roster.")


@roster_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and show the changes; write nothing.")
@user_option
def import_command(file: Path, dry_run: bool, username: str | None) -> None:
    """Import FILE (CSV or XLSX, one row per platform account): every row, or none.

    The import is applied at once, as one batch of the import history. Every problem is listed
    with its row and column and the exit code is 1 (the refused batch keeps the report).
    Importing the same file again changes nothing. A blank optional cell keeps what the roster
    has.
    """
    user = act_as(username)
    outcome = import_roster(
        file.read_bytes(), file.name, dry_run=dry_run, user_id=user.id if user else None
    )
    if outcome.status == "duplicate":
        click.echo(already_imported_text(outcome.batch_id))
        return
    if outcome.plan is not None:
        for warning in outcome.plan.warnings:
            click.echo(_("Warning: %(text)s", text=str(warning)), err=True)
    if outcome.problems:
        db.session.commit()  # the refused batch: the history of the attempt
        _refuse(outcome.problems)
    assert outcome.plan is not None
    _echo_changes(outcome.plan)
    if dry_run:
        click.echo(_("Dry run, nothing was written. %(summary)s", summary=str(outcome.summary)))
        return
    db.session.commit()
    click.echo(str(outcome.summary))
    if outcome.batch_id is not None:
        click.echo(_("Import batch %(id)d.", id=outcome.batch_id))


def _refuse(problems: list[Problem]) -> NoReturn:
    for problem in problems:
        click.echo(str(problem), err=True)
    click.echo(refusal_message(len(problems)), err=True)
    raise click.exceptions.Exit(1)


ACTIONS = {"create": _l("new"), "update": _l("changed")}
ACCOUNT_ACTIONS = {
    "create": _l("new account"),
    "link": _l("known account, linked to this streamer"),
    "rename": _l("new nickname"),
}


def _echo_changes(plan: RosterPlan) -> None:
    """What the import does, in words: fields by their labels, codes by theirs."""
    for item in plan.changed:
        action = ACTIONS.get(item.action, "")
        click.echo(f"{action} {item.entry.employee_no} {item.profile.legal_name}".strip())
        if item.action == "update":
            for name, (old, new) in item.changes.items():
                field = labels.label("field", name)
                click.echo(f"    {field}: {shown_value(name, old)} → {shown_value(name, new)}")
        for account in item.accounts:
            if account.action != "unchanged":
                platform = labels.label("platform", account.platform)
                click.echo(
                    f"    {ACCOUNT_ACTIONS[account.action]}: {platform} {account.account_id} "
                    f"{account.nickname}".rstrip()
                )
