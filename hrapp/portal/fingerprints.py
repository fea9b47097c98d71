"""Fingerprints of what the scorecard's kept results read (`hrapp.portal.cache`): small
aggregates (counts, sums, latest change) of every row a result depends on, so that any change
to those rows changes the fingerprint and with it the key.

The scorecard asks on every view, so the asking is made cheap: each statement gathers all its
aggregates in one round trip (one-row aggregate subqueries side by side, each table read once),
and is built once per process with bound parameters. Building and caching the SQL of a
statement this size costs the application several times what the database needs to answer it.
They run on the session's connection, past the ORM's execution layer (they select columns,
never objects, so that layer would only add its cost).
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Result,
    Select,
    String,
    bindparam,
    func,
    select,
    true,
    type_coerce,
)

from hrapp.appraisals.models import Appraisal, AppraisalRevision, SchemeVersion
from hrapp.extensions import db
from hrapp.live_sessions.models import LiveSession, SessionHost
from hrapp.portal.models import AppraisalResponse, ResponseMessage
from hrapp.streamers.models import LevelChange, Mentorship, Streamer
from hrapp.training.models import Module, TrainingRecord

STREAMER: BindParameter[Any] = bindparam("streamer_id")
SINCE: BindParameter[Any] = bindparam("since")
UNTIL: BindParameter[Any] = bindparam("until")


def running(streamer_id: int, since: dt.datetime, until: dt.datetime) -> tuple[Any, ...]:
    """What the running quarter (sessions started in [since, until)) reads."""
    figures = _read(
        _running_statement(), {"streamer_id": streamer_id, "since": since, "until": until}
    ).one()
    return (*figures, curriculum_rules())


def quarters(streamer_id: int) -> tuple[Any, ...]:
    """What the list of finalized quarters reads."""
    return tuple(_read(_quarters_statement(), {"streamer_id": streamer_id}).one())


def index_page(
    streamer_id: int, since: dt.datetime, until: dt.datetime
) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """Both of the above in one round trip (plus the curriculum's few rows): (running,
    quarters), each equal to what `running` and `quarters` answer."""
    row = _read(
        _index_statement(), {"streamer_id": streamer_id, "since": since, "until": until}
    ).one()
    split = sum(len(part.selected_columns) for part in _running_parts())
    return (*row[:split], curriculum_rules()), tuple(row[split:])


def curriculum_rules() -> tuple[tuple[Any, ...], ...]:
    """Each module's pass mark and validity, which decide the checklist's modules (a few
    rows, read whole: nothing about them is left to a timestamp)."""
    return tuple(tuple(row) for row in _read(_rules_statement()))


def _read(statement: Select, parameters: dict[str, Any] | None = None) -> Result[Any]:
    """The statement on the session's connection (in its transaction). Changes not yet flushed
    are flushed first, as the session's own `execute` would, so that they count."""
    session = db.session()
    if session.autoflush:
        session.flush()
    return session.connection().execute(statement, parameters)


def _latest(instant: Any) -> ColumnElement[Any]:
    """The latest of a column of instants as the database gives it: only compared, never
    shown, so it is not turned into a datetime (on SQLite, parsing text for every view)."""
    return type_coerce(func.max(instant), String)


def _side_by_side(parts: list[Select]) -> Select:
    """One row holding every one-row aggregate of `parts`."""
    subqueries = [part.subquery() for part in parts]
    joined = subqueries[0]
    for subquery in subqueries[1:]:
        joined = joined.join(subquery, true())  # type: ignore[assignment]
    return select(*(column for subquery in subqueries for column in subquery.c)).select_from(joined)


@functools.cache
def _running_parts() -> list[Select]:
    # The streamer's training and that of anyone they ever mentored (the mentees criterion).
    mentees = select(Mentorship.mentee_id).where(Mentorship.mentor_id == STREAMER)
    return [
        select(
            func.count().label("hosted"),
            func.sum(SessionHost.share_bp).label("hosted_share"),
            _latest(LiveSession.updated_at).label("hosted_changed"),
            func.max(LiveSession.id).label("hosted_last"),
        )
        .select_from(SessionHost)
        .join(LiveSession, LiveSession.id == SessionHost.session_id)
        .where(
            SessionHost.streamer_id == STREAMER,
            LiveSession.started_at >= SINCE,
            LiveSession.started_at < UNTIL,
        ),
        select(
            func.count(LevelChange.id).label("levels"), func.max(LevelChange.id).label("level_last")
        ).where(LevelChange.streamer_id == STREAMER),
        select(
            func.count().label("training"),
            _latest(TrainingRecord.updated_at).label("training_changed"),
        ).where((TrainingRecord.streamer_id == STREAMER) | TrainingRecord.streamer_id.in_(mentees)),
        select(
            func.count().label("finalized"),
            _latest(Appraisal.finalized_at).label("finalized_last"),
        ).where(Appraisal.streamer_id == STREAMER, Appraisal.status == "finalized"),
        select(func.max(SchemeVersion.id).label("scheme_version")),
        # An aggregate, so that the row is there even for a streamer that is not.
        select(_latest(Streamer.updated_at).label("streamer_changed")).where(
            Streamer.id == STREAMER
        ),
        select(
            func.count().label("mentorships"),
            func.max(Mentorship.id).label("mentorship_last"),
            func.count(Mentorship.ended_on).label("mentorships_ended"),
        ).where((Mentorship.mentor_id == STREAMER) | (Mentorship.mentee_id == STREAMER)),
    ]


@functools.cache
def _quarters_parts() -> list[Select]:
    # Finalize, reopen and any change of an appraisal bump its lock version.
    appraisals = select(Appraisal.id).where(Appraisal.streamer_id == STREAMER)
    answers = select(AppraisalResponse.id).where(AppraisalResponse.streamer_id == STREAMER)
    return [
        select(
            func.count().label("appraisals"),
            func.sum(Appraisal.lock_version).label("appraisal_versions"),
            _latest(Appraisal.finalized_at).label("appraisal_finalized"),
        ).where(Appraisal.streamer_id == STREAMER),
        select(
            func.count().label("responses"),
            _latest(AppraisalResponse.updated_at).label("response_changed"),
        ).where(AppraisalResponse.streamer_id == STREAMER),
        select(func.max(ResponseMessage.id).label("message_last")).where(
            ResponseMessage.response_id.in_(answers)
        ),
        select(func.count().label("revisions"))
        .select_from(AppraisalRevision)
        .where(AppraisalRevision.appraisal_id.in_(appraisals)),
    ]


@functools.cache
def _running_statement() -> Select:
    return _side_by_side(_running_parts())


@functools.cache
def _quarters_statement() -> Select:
    return _side_by_side(_quarters_parts())


@functools.cache
def _index_statement() -> Select:
    return _side_by_side(_running_parts() + _quarters_parts())


@functools.cache
def _rules_statement() -> Select:
    return select(Module.code, Module.pass_mark, Module.validity_months).order_by(Module.code)
