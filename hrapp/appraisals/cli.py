"""`hrapp scheme …`, `hrapp cycle …` and `hrapp whatif`: the appraisal services from a shell.

Each command calls the same services as the pages and commits once at the end. Refusals exit
with status 1 and say why — an invalid scheme lists every problem.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from hrapp.appraisals import closing, schemes, services
from hrapp.appraisals.export import FORMATS, export
from hrapp.appraisals.export import LANGUAGES as EXPORT_LANGUAGES
from hrapp.appraisals.forms import (
    MAX_HOURS,
    MAX_NET_FOLLOWERS,
    MAX_NET_GMV_YUAN,
    MAX_WATCH_SECONDS,
    FigureError,
    read_figure,
)
from hrapp.appraisals.runner import change_text, preview_run, run_cycle
from hrapp.auth.acting import act_as, user_option
from hrapp.core.cli import ProgressLine
from hrapp.core.errors import DomainError, ValidationFailed
from hrapp.core.money import yuan_text
from hrapp.core.timeutil import to_org_time
from hrapp.extensions import db

scheme_cli = AppGroup("scheme", help="Show, load and compare appraisal scheme versions.")
cycle_cli = AppGroup("cycle", help="Create, run and export appraisal cycles (quarters).")


def _refuse(error: DomainError) -> NoReturn:
    """Roll back, print the message and every problem on stderr, exit 1."""
    db.session.rollback()
    click.echo(error.message, err=True)
    for problem in getattr(error, "problems", []):
        click.echo(f"  {problem}", err=True)
    sys.exit(1)


# --- schemes ----------------------------------------------------------------------------------


@scheme_cli.command("show")
@click.option("--version", "number", type=int, help="A version number (default: the active one).")
def show_command(number: int | None) -> None:
    """Print a scheme version's TOML document."""
    try:
        version = schemes.get_version(number) if number else schemes.active_version()
    except DomainError as exc:
        _refuse(exc)
    click.echo(version.toml, nl=not version.toml.endswith("\n"))


@scheme_cli.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--note", default="", help="What changed and why.")
@user_option
def load_command(file: Path, note: str, username: str | None) -> None:
    """Validate FILE and store it as the next (active) scheme version."""
    user = act_as(username)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        _refuse(ValidationFailed(_("%(file)s is not UTF-8 text.", file=file.name)))
    try:
        version = schemes.save_scheme(
            text, note=note, source="cli", user_id=user.id if user else None
        )
    except DomainError as exc:
        _refuse(exc)
    db.session.commit()
    click.echo(_("Stored as scheme version %(n)d (now active).", n=version.version))


@scheme_cli.command("list")
def list_command() -> None:
    """List the scheme versions, newest first."""
    for version in schemes.list_versions():
        saved = version.created_at.date().isoformat() if version.created_at else "-"
        click.echo(f"{version.version:>4}  {saved}  {version.source:<7}  {version.name}")


@scheme_cli.command("diff")
@click.argument("old", type=int)
@click.argument("new", type=int)
def diff_command(old: int, new: int) -> None:
    """Print what changed from version OLD to version NEW: path, old value, new value."""
    try:
        changes = schemes.compare_versions(schemes.get_version(old), schemes.get_version(new))
    except DomainError as exc:
        _refuse(exc)
    for change in changes:
        click.echo(f"{change.path}: {change.old!r} -> {change.new!r}")
    if not changes:
        click.echo(_("No differences."))


# --- what-if ----------------------------------------------------------------------------------


@click.command("whatif")
@click.option("--level", required=True, help="A level key of the scheme, e.g. senior.")
@click.option(
    "--net-gmv",
    "net_gmv",
    required=True,
    help="Net GMV of the quarter in yuan, as the importer reads it: 1200000, 1,200,000 or 120万.",
)
@click.option(
    "--watch-seconds",
    type=click.FloatRange(0, float(MAX_WATCH_SECONDS)),
    required=True,
    help="Average watch time (s).",
)
@click.option(
    "--net-followers",
    type=click.FloatRange(-float(MAX_NET_FOLLOWERS), float(MAX_NET_FOLLOWERS)),
    required=True,
    help="Net new followers.",
)
@click.option(
    "--hours",
    type=click.FloatRange(0, float(MAX_HOURS)),
    required=True,
    help="On-air hours in the quarter.",
)
@click.option(
    "--scheme",
    "scheme_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Use this scheme document instead of the active version (nothing is stored).",
)
def whatif_command(
    level: str,
    net_gmv: str,
    watch_seconds: float,
    net_followers: float,
    hours: float,
    scheme_file: Path | None,
) -> None:
    """Score and commission of a hypothetical quarter, printed as JSON (money in yuan)."""
    try:
        yuan = read_figure(
            net_gmv, "--net-gmv", -MAX_NET_GMV_YUAN, MAX_NET_GMV_YUAN, places=2, money=True
        )
    except FigureError as exc:
        raise click.BadParameter(str(exc), param_hint="--net-gmv") from None
    net_gmv_fen = int(yuan * 100)
    text = scheme_file.read_text(encoding="utf-8-sig") if scheme_file else None
    try:
        result = services.what_if(level, net_gmv_fen, watch_seconds, net_followers, hours, text)
    except DomainError as exc:
        _refuse(exc)
    click.echo(json.dumps(result, ensure_ascii=False, indent=2, allow_nan=False))


# --- cycles -----------------------------------------------------------------------------------


@cycle_cli.command("create")
@click.argument("code")
@user_option
def create_command(code: str, username: str | None) -> None:
    """Create the cycle CODE (a quarter such as 2026Q3)."""
    act_as(username)
    try:
        cycle = services.create_cycle(code)
    except DomainError as exc:
        _refuse(exc)
    db.session.commit()
    click.echo(
        _(
            "Cycle %(code)s created: %(start)s to %(end)s (%(zone)s).",
            code=cycle.code,
            start=cycle.starts_on.isoformat(),
            end=cycle.ends_on.isoformat(),
            zone=cycle.timezone,
        )
    )


@cycle_cli.command("run")
@click.argument("code")
@click.option("--dry-run", is_flag=True, help="Print what the run would change and change nothing.")
@user_option
def run_command(code: str, dry_run: bool, username: str | None) -> None:
    """Appraise every streamer of cycle CODE with the active scheme (re-runnable while open)
    and print each appraisal whose score, grade or payable changed."""
    act_as(username)
    try:
        with ProgressLine() as progress:
            cycle = services.cycle_by_code(code)
            if dry_run:
                preview = preview_run(cycle, progress)
            else:
                summary = run_cycle(cycle, progress)
    except DomainError as exc:
        _refuse(exc)
    if dry_run:
        db.session.rollback()
        _echo_changes(preview.to_dict()["changes"])
        click.echo(
            _(
                "Cycle %(code)s, dry run: %(changed)d appraisals would change, %(created)d "
                "would be new; total payable ¥%(old)s → ¥%(new)s. Nothing was changed.",
                code=preview.cycle,
                changed=len(preview.changes),
                created=preview.created,
                old=yuan_text(preview.old_total_fen),
                new=yuan_text(preview.new_total_fen),
            )
        )
        return
    db.session.commit()
    _echo_changes(summary.changes)
    click.echo(
        _(
            "Cycle %(code)s: %(appraised)d appraised with scheme version %(version)d "
            "(%(created)d new, %(updated)d updated, %(changed)d with a new score, grade or "
            "payable, %(kept)d finalized kept); %(not_graded)d not graded, %(incomplete)d with "
            "incomplete data; total payable ¥%(payable)s; %(seconds).1f s.",
            **summary.message_values(),
        )
    )


def _echo_changes(changes: list[dict[str, Any]]) -> None:
    for change in changes:
        click.echo(change_text(change))


@cycle_cli.command("export")
@click.argument("code")
@click.option("--format", "file_format", type=click.Choice(FORMATS), default="csv")
@click.option("--out", "output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option(
    "--lang",
    type=click.Choice(EXPORT_LANGUAGES),
    default="zh",
    help="The XLSX header's language (the CSV is the same in every language).",
)
@user_option
def export_command(
    code: str, file_format: str, output: Path, lang: str, username: str | None
) -> None:
    """Write cycle CODE's appraisals to the file OUT, exactly that name (CSV: UTF-8 with BOM,
    English codes; XLSX: a header in LANG, yuan amounts as numbers). No prompt."""
    act_as(username)
    try:
        data = export(services.cycle_by_code(code), file_format, lang)
    except DomainError as exc:
        _refuse(exc)
    output.write_bytes(data)
    db.session.commit()
    click.echo(str(output))


@cycle_cli.command("list")
def list_cycles_command() -> None:
    """List the cycles, newest first."""
    for item in services.list_cycles():
        cycle = item["cycle"]
        ran = to_org_time(cycle.last_run_at)
        ran_text = ran.strftime("%Y-%m-%d %H:%M") if ran else "-"
        click.echo(f"{cycle.code}  {cycle.status:<9}  {item['appraisals']:>6}  {ran_text}")


@cycle_cli.command("finalize")
@click.argument("code")
@user_option
def finalize_command(code: str, username: str | None) -> None:
    """Finalize cycle CODE: its appraisals become final and are kept as the next revision."""
    user = act_as(username)
    try:
        done = closing.finalize_cycle(services.cycle_by_code(code), user)
    except DomainError as exc:
        _refuse(exc)
    db.session.commit()
    click.echo(
        _(
            "Cycle %(code)s finalized: %(n)d appraisals are final (revision %(revision)d).",
            **done.message_values(),
        )
    )


@cycle_cli.command("reopen")
@click.argument("code")
@click.option("--reason", required=True, help="Why the finalized cycle is reopened (audited).")
@user_option
def reopen_command(code: str, reason: str, username: str | None) -> None:
    """Reopen the finalized cycle CODE (an administrator's action): drafts again, revisions kept."""
    user = act_as(username)
    try:
        done = closing.reopen_cycle(services.cycle_by_code(code), reason, user)
    except DomainError as exc:
        _refuse(exc)
    db.session.commit()
    click.echo(
        _(
            "Cycle %(code)s reopened: %(n)d appraisals are drafts again; revision "
            "%(revision)d is kept.",
            **done.message_values(),
        )
    )
