"""What every `hrapp` command shares: `--user`/`--as` names who the audit log credits, an unknown
name stops the command, and the progress line (rewritten on a terminal, one line each in a log)."""

from __future__ import annotations

import sys

import click
import pytest
from flask import Flask, g
from sqlalchemy import select

from hrapp.auth.acting import act_as
from hrapp.core.audit import AuditEntry
from hrapp.core.cli import ProgressLine, progress_text
from hrapp.extensions import db
from tests.factories import make_user


@pytest.fixture(autouse=True)
def _english(english: None) -> None:
    """Messages are checked in English."""


def _create_cycle(app: Flask, *options: str):
    return app.test_cli_runner().invoke(args=["cycle", "create", "2026Q3", *options])


@pytest.mark.parametrize("spelling", ["--user", "--as"])
def test_both_spellings_name_the_user_in_the_audit_log(app: Flask, spelling: str) -> None:
    make_user(username="hr_zhao")
    db.session.commit()

    result = _create_cycle(app, spelling, "hr_zhao")

    assert result.exit_code == 0, result.output
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "cycle.create")).one()
    assert entry.actor_name == "hr_zhao"


def test_an_unknown_user_stops_the_command_before_anything_is_written(app: Flask) -> None:
    result = _create_cycle(app, "--user", "nobody")

    assert result.exit_code == 1
    assert "No user is called nobody." in result.output
    assert db.session.scalars(select(AuditEntry)).first() is None


def test_act_as_sets_the_actor_and_returns_the_user(app: Flask) -> None:
    hr = make_user(username="hr_qian")

    assert act_as(None) is None and g.get("actor") is None
    assert act_as("hr_qian") is hr and g.actor is hr
    with pytest.raises(click.ClickException, match=r"No user is called ghost\."):
        act_as("ghost")


def test_the_progress_text_shows_percent_count_and_message() -> None:
    assert progress_text(4_200, 10_000, "Writing…") == " 42% 4,200/10,000 Writing…"
    assert progress_text(0, 1, "Reading the file…") == "Reading the file…"  # a step, no count


def test_in_a_log_each_update_shown_is_a_line_and_the_last_is_never_skipped(capsys) -> None:
    progress = ProgressLine()

    progress(0, 100, "Loading")
    progress(1, 100, "Loading")  # within half a second of the last: skipped
    progress(100, 100, "Done")

    assert capsys.readouterr().err == "  0% 0/100 Loading\n100% 100/100 Done\n"


def test_on_a_terminal_one_line_is_rewritten_and_ended(capsys, monkeypatch) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)

    with ProgressLine() as progress:
        progress(0, 10, "Writing")
        progress(10, 10, "Writing")
    finished = capsys.readouterr().err
    with ProgressLine() as progress:
        progress(0, 1, "Reading the file…")  # refused before any final update
    ended_on_exit = capsys.readouterr().err

    assert finished == "\r  0% 0/10 Writing\033[K\r100% 10/10 Writing\033[K\n"
    assert ended_on_exit == "\rReading the file…\033[K\n"
