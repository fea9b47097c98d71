"""`hrapp sheets 2026Q3 --out DIR [--employee E1001] [--lang zh|en]`: one PDF appraisal sheet
per streamer, named `2026Q3_E1001_<name>.pdf`, rendered in this process (a pool of worker
processes for a whole cycle, no job worker needed) with a progress line. Audited like the
downloads; refusals exit with status 1 and say why.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask_babel import gettext as _
from sqlalchemy import select

from hrapp.appraisals import services
from hrapp.appraisals.models import Appraisal, AppraisalCycle
from hrapp.auth.acting import act_as, user_option
from hrapp.core import audit
from hrapp.core.cli import ProgressLine
from hrapp.core.errors import DomainError
from hrapp.core.messages import message
from hrapp.extensions import db
from hrapp.reports.bulk import chosen_appraisals, render_all
from hrapp.reports.sheets import LOCALES, appraisal_pdf
from hrapp.streamers.models import Streamer


def _one(cycle: AppraisalCycle, employee_no: str) -> Appraisal:
    found = db.session.scalar(
        select(Appraisal)
        .join(Streamer, Streamer.id == Appraisal.streamer_id)
        .where(Appraisal.cycle_id == cycle.id, Streamer.employee_no == employee_no)
    )
    if found is None:
        raise DomainError(
            _(
                "%(employee_no)s has no appraisal in cycle %(code)s.",
                employee_no=employee_no,
                code=cycle.code,
            )
        )
    return found


def _write(out: Path, name: str, pdf: bytes) -> None:
    (out / name).write_bytes(pdf)


@click.command("sheets")
@click.argument("code")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder the PDFs are written to (made when missing).",
)
@click.option("--employee", "employee_no", help="Only this streamer's sheet (employee number).")
@click.option(
    "--lang",
    type=click.Choice(sorted(LOCALES)),
    default="zh",
    show_default=True,
    help="The sheets' language.",
)
@click.option("--workers", type=click.IntRange(1, 64), help="Worker processes (default: CPUs).")
@user_option
def sheets_command(
    code: str,
    out: Path,
    employee_no: str | None,
    lang: str,
    workers: int | None,
    username: str | None,
) -> None:
    """Write the appraisal sheets (考核表) of cycle CODE as PDF files, one per streamer."""
    act_as(username)
    try:
        cycle = services.cycle_by_code(code)
        out.mkdir(parents=True, exist_ok=True)
        if employee_no:
            name, pdf = appraisal_pdf(_one(cycle, employee_no), lang)
            _write(out, name, pdf)
            count = 1
        else:
            ids = chosen_appraisals(cycle)
            count = 0
            with ProgressLine() as progress:
                for _position, name, pdf in render_all(cycle, ids, lang, progress, workers):
                    _write(out, name, pdf)
                    count += 1
        audit.record(
            "cycle.sheets",
            "appraisal_cycle",
            cycle.id,
            summary=message(
                "Appraisal sheets of cycle %(code)s written to files: %(n)d sheets.",
                code=cycle.code,
                n=count,
            ),
        )
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        click.echo(exc.message, err=True)
        sys.exit(1)
    click.echo(_("%(n)d sheets written to %(folder)s.", n=count, folder=str(out)))
