"""One quarter's inputs, read from the database as the scoring library wants them, and scored.

The cycle's run (`hrapp.appraisals.runner`) and the late-data settlement of finalized quarters
(`hrapp.appraisals.settlement`) read a quarter the same way: one query per table through
`pandas.read_sql` (sessions starting inside the quarter's UTC bounds, computed from its dates
in the organisation's zone; their hosts; the roster; the level history; earlier quarters'
appraisals), plus the training facts.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

import pandas as pd
from sqlalchemy import Select, String, select, type_coerce

import scoring
from hrapp.appraisals.models import Appraisal, AppraisalCycle
from hrapp.core.errors import ValidationFailed
from hrapp.core.messages import message
from hrapp.extensions import db
from hrapp.live_sessions.bulk import copies
from hrapp.live_sessions.models import LiveSession, SessionHost
from hrapp.streamers.models import LevelChange, Streamer
from scoring.period import previous_quarter_codes

INSTANT_COLUMNS = ("started_at", "ended_at")
HOST_COLUMNS = ("session_id", "streamer_id", "share_bp")
SESSION_COLUMNS = (
    "started_at",
    "ended_at",
    "on_air_seconds",
    "viewers",
    "views",
    "new_followers",
    "unfollows",
    "buyers",
    "orders",
    "avg_watch_seconds",
    "gmv_fen",
    "refunds_fen",
)


def appraise_quarter(
    cycle: AppraisalCycle, scheme: scoring.Scheme, keep: Iterable[int]
) -> tuple[pd.DataFrame, scoring.AppraisalResult]:
    """(roster rows appraised, the library's result) of the cycle's quarter under `scheme`,
    with the data known now. ValidationFailed lists every problem when it cannot be scored."""
    period = scoring.Period(cycle.starts_on, cycle.ends_on, cycle.timezone)
    low, high = period.utc_bounds()
    sessions, hosts = load_quarter(low.to_pydatetime(), high.to_pydatetime())
    chosen = appraised_streamers(cycle, roster(), hosts, keep)
    try:
        result = scoring.appraise(
            sessions,
            hosts,
            chosen,
            scheme,
            period,
            promotion_inputs(cycle, scheme),
            level_history=level_history(cycle),
        )
    except scoring.ScoringInputError as exc:
        raise ValidationFailed(
            message("Cycle %(code)s cannot be scored; nothing was changed.", code=cycle.code),
            exc.problems,
        ) from None
    return chosen, result


def appraise_streamer(
    cycle: AppraisalCycle, scheme: scoring.Scheme, streamer_id: int
) -> scoring.AppraisalResult:
    """One streamer's quarter under `scheme`, read and scored as `appraise_quarter` does for
    everyone (the same loading, filtered to that streamer; the same library call), e.g. the
    provisional running quarter of a scorecard: earlier quarters count as finalized (a draft
    is not the streamer's to see). Stores nothing. ValidationFailed as above."""
    period = scoring.Period(cycle.starts_on, cycle.ends_on, cycle.timezone)
    low, high = period.utc_bounds()
    sessions, hosts = load_quarter(low.to_pydatetime(), high.to_pydatetime(), streamer_id)
    chosen = roster(streamer_id)
    chosen["level_since"] = _dates(chosen["level_since"])
    try:
        return scoring.appraise(
            sessions,
            hosts,
            chosen.reset_index(drop=True),
            scheme,
            period,
            promotion_inputs(cycle, scheme, streamer_id, finalized_only=True),
            level_history=level_history(cycle, streamer_id),
        )
    except scoring.ScoringInputError as exc:
        raise ValidationFailed(
            message("Cycle %(code)s cannot be scored; nothing was changed.", code=cycle.code),
            exc.problems,
        ) from None


def frame(query: Select[Any]) -> pd.DataFrame:
    return pd.read_sql(query, db.session.connection())


def _utc(series: pd.Series) -> pd.Series:
    """Instants as UTC datetimes: SQLite hands back text (naive UTC), PostgreSQL aware
    datetimes."""
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        return series.dt.tz_convert("UTC")
    return pd.to_datetime(series, utc=True, format="ISO8601")


def _raw(column: Any) -> Any:
    """The column as the driver returns it: SQLite's instants stay text for pandas to parse in
    one vectorised pass, instead of a Python datetime built per value (1.3 million a quarter)."""
    return type_coerce(column, String).label(column.key)


def load_quarter(
    low: dt.datetime, high: dt.datetime, streamer_id: int | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(sessions, hosts) frames of the sessions starting in [low, high), from one query.

    One row per host of a session, so a co-hosted session comes twice and is kept once in the
    sessions frame; a session nobody hosted is attributed to no one and is not needed. One
    joined query instead of two halves the rows Python has to build, which is most of a run's
    time. `streamer_id`: only that streamer's sessions and host rows (one scorecard).
    """
    columns = [
        _raw(column) if name in INSTANT_COLUMNS else column
        for name, column in ((name, getattr(LiveSession, name)) for name in SESSION_COLUMNS)
    ]
    query = (
        select(SessionHost.streamer_id, SessionHost.share_bp, LiveSession.id.label("session_id"))
        .add_columns(*columns)
        .join(LiveSession, LiveSession.id == SessionHost.session_id)
        .where(LiveSession.started_at >= low, LiveSession.started_at < high)
    )
    if streamer_id is not None:
        query = query.where(SessionHost.streamer_id == streamer_id)
    rows = _copied(query) if copies(db.session.connection()) else frame(query)
    hosts = rows[list(HOST_COLUMNS)].astype("int64")
    sessions = rows.drop(columns=["streamer_id", "share_bp"]).drop_duplicates("session_id")
    sessions = sessions.reset_index(drop=True)
    for name in sessions.columns:
        # An empty result or an all-NULL column comes back untyped; the library wants numbers.
        convert = _utc if name in INSTANT_COLUMNS else pd.to_numeric
        sessions[name] = convert(sessions[name])
    return sessions, hosts


def _copied(query: Select[Any]) -> pd.DataFrame:
    """The query's rows through PostgreSQL's COPY … TO STDOUT as CSV, read by pandas' CSV
    parser: a quarter is some 650,000 rows, and the driver building a Python object for each
    of their values (a datetime with its zone for each instant) then pandas converting them
    back was most of a run's time. Numbers arrive as read_sql gives them (int64, float64 where
    NULLs are), instants as ISO text for `_utc`. For queries of numbers and instants only: no
    text columns (their quoting), no bound text values."""
    conn = db.session.connection()
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    statement = f"COPY ({compiled}) TO STDOUT (FORMAT csv, HEADER)"
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(statement, compiled.params) as copy:
            data = b"".join(copy)
    finally:
        cursor.close()
    return pd.read_csv(io.BytesIO(data))


def roster(streamer_id: int | None = None) -> pd.DataFrame:
    """Every streamer (or the one `streamer_id`) with what the run needs to choose, appraise
    and snapshot them."""
    query = select(
        Streamer.id.label("streamer_id"),
        Streamer.level,
        Streamer.category,
        Streamer.level_since,
        Streamer.team,
        Streamer.status,
        Streamer.hire_date,
        Streamer.left_on,
    ).order_by(Streamer.id)
    if streamer_id is not None:
        query = query.where(Streamer.id == streamer_id)
    return frame(query)


def level_history(cycle: AppraisalCycle, streamer_id: int | None = None) -> pd.DataFrame:
    """Every level change effective by the quarter's last day, in the order made: the level in
    force on each day of the quarter comes from these, never from today's level (a change
    dated later cannot touch the quarter)."""
    query = (
        select(
            LevelChange.streamer_id,
            LevelChange.effective_on,
            LevelChange.from_level,
            LevelChange.to_level,
        )
        .where(LevelChange.effective_on <= cycle.ends_on)
        .order_by(LevelChange.streamer_id, LevelChange.effective_on, LevelChange.id)
    )
    if streamer_id is not None:
        query = query.where(LevelChange.streamer_id == streamer_id)
    return frame(query)


def appraised_streamers(
    cycle: AppraisalCycle, roster: pd.DataFrame, hosts: pd.DataFrame, keep: Iterable[int]
) -> pd.DataFrame:
    """The roster rows of everyone appraised (see `hrapp.appraisals.runner`); `keep`: ids
    appraised whatever the roster says (already appraised, or owed a settlement)."""
    hired = _dates(roster["hire_date"])
    left = _dates(roster["left_on"])
    starts, ends = pd.Timestamp(cycle.starts_on), pd.Timestamp(cycle.ends_on)
    active = (roster["status"] == "active") & (hired.isna() | (hired <= ends))
    left_during = (roster["status"] == "left") & (left >= starts)
    hosted = roster["streamer_id"].isin(hosts["streamer_id"].unique())
    appraised = roster["streamer_id"].isin(list(keep))
    chosen = roster[(active | left_during | hosted | appraised).to_numpy(dtype=bool)].copy()
    chosen["level_since"] = _dates(chosen["level_since"])
    return chosen.reset_index(drop=True)


def _dates(series: pd.Series) -> pd.Series:
    """Calendar dates as naive datetimes (SQLite hands back text)."""
    return pd.to_datetime(series, format="ISO8601")


def promotion_inputs(
    cycle: AppraisalCycle,
    scheme: scoring.Scheme,
    streamer_id: int | None = None,
    *,
    finalized_only: bool = False,
) -> scoring.PromotionInputs:
    """Earlier quarters' appraisals, training records and mentees' records, as of quarter end
    (of everyone, or of the one `streamer_id`; `finalized_only`: earlier quarters as they were
    finalized, leaving out drafts a streamer may not see)."""
    from hrapp.training.services import mentee_facts, module_rules, training_facts

    window = max((rule.window_quarters or 1 for rule in scheme.promotion), default=1)
    history_query = (
        select(
            Appraisal.streamer_id,
            AppraisalCycle.code.label("cycle"),
            Appraisal.grade,
            Appraisal.on_air_seconds,
            Appraisal.gmv_fen,
            Appraisal.refunds_fen,
        )
        .join(AppraisalCycle, AppraisalCycle.id == Appraisal.cycle_id)
        # The window's earlier quarters: the appraised one is being computed now.
        .where(AppraisalCycle.code.in_(previous_quarter_codes(cycle.code, window)[1:]))
    )
    only = None if streamer_id is None else [streamer_id]
    if streamer_id is not None:
        history_query = history_query.where(Appraisal.streamer_id == streamer_id)
    if finalized_only:
        history_query = history_query.where(Appraisal.status == "finalized")
    return scoring.PromotionInputs(
        as_of=cycle.ends_on,
        history=_or_none(frame(history_query)),
        training=_or_none(training_facts(only)),
        mentees=_or_none(mentee_facts(only)),
        modules=module_rules(),
    )


def _or_none(frame: pd.DataFrame) -> pd.DataFrame | None:
    """`None` stands for an empty frame (an empty SQL result has no column types)."""
    return None if frame.empty else frame
