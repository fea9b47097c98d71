"""`hrapp mappings …`: save a column mapping from its TOML document, list and show the saved."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from hrapp.auth.acting import act_as, user_option
from hrapp.core import labels
from hrapp.core.messages import render
from hrapp.extensions import db

from .mapping_store import find_mapping, save_mapping, saved_mappings
from .mappings import ColumnMapping, MappingError, mapping_toml, read_mapping

mappings_cli = AppGroup("mappings", help="Column mappings for session exports no format knows.")


def load_mapping(value: str) -> ColumnMapping:
    """The mapping a ``--mapping`` option names: a TOML file, else a saved mapping's name.
    ClickException with every problem otherwise."""
    path = Path(value)
    if path.suffix.lower() == ".toml" or path.is_file():
        try:
            return read_mapping(path.read_text(encoding="utf-8-sig"))
        except OSError as error:
            raise click.ClickException(
                _("Cannot read %(file)s: %(error)s", file=value, error=error.strerror)
            ) from None
        except MappingError as error:
            raise click.ClickException(_problems(value, error)) from None
    return load_saved(value)


def load_saved(name: str) -> ColumnMapping:
    mapping = find_mapping(name)
    if mapping is None:
        raise click.ClickException(
            _("No saved mapping is named “%(name)s” (see hrapp mappings list).", name=name)
        )
    return mapping


def _problems(source: str, error: MappingError) -> str:
    lines = [_("%(file)s cannot be used as a column mapping:", file=source)]
    lines += [f"  - {render(problem)}" for problem in error.problems]
    return "\n".join(lines)


@mappings_cli.command("list")
def list_command() -> None:
    """List the saved mappings: name, platform, and which header feeds which field."""
    mappings = saved_mappings()
    if not mappings:
        click.echo(_("No column mapping is saved yet."))
    for saved in mappings:
        mapping = saved.to_mapping()
        extras = " ".join(filter(None, (mapping.currency, mapping.timezone)))
        click.echo(f"{mapping.name}  [{labels.label('platform', mapping.platform)}] {extras}")
        for header, field in mapping.columns:
            click.echo(f"  {header} → {field}")


@mappings_cli.command("show")
@click.argument("name")
def show_command(name: str) -> None:
    """Print the saved mapping NAME as the TOML document `save` reads."""
    mapping = load_saved(name)
    click.echo(mapping_toml(mapping), nl=False)


@mappings_cli.command("save")
@click.argument("document", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@user_option
def save_command(document: Path, username: str | None) -> None:
    """Check the mapping DOCUMENT (TOML) and save it under its name, replacing a mapping of the
    same name."""
    user = act_as(username)
    try:
        mapping = read_mapping(document.read_text(encoding="utf-8-sig"))
    except MappingError as error:
        raise click.ClickException(_problems(str(document), error)) from None
    save_mapping(mapping, user_id=user.id if user else None, actor=user)
    db.session.commit()
    click.echo(_("Column mapping “%(name)s” saved.", name=mapping.name))
