"""Moving a million rows between DataFrames and the database without per-row Python overhead.

SQL text is built here from the tables' own metadata (quoted identifiers); every value is a
bound parameter.

SQLAlchemy runs a bind processor for every value of every row (the UTC datetime type alone costs
microseconds per value); at a million sessions that is most of the import's time. These helpers
compile the statement once with SQLAlchemy, prepare each column's values in the database's own
storage format with vectorised pandas/numpy code, and hand chunks of plain tuples to the driver's
`executemany` inside the caller's transaction.

Values written here must be exactly what SQLAlchemy itself would have stored, or later ORM
reads and comparisons would disagree: on SQLite a datetime is the text
``YYYY-MM-DD HH:MM:SS.ffffff`` in UTC (see `hrapp.core.db.UTCDateTime`); on PostgreSQL the driver
receives aware datetimes.
"""

from __future__ import annotations

import datetime as dt
import gc
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Integer, Table, func, select
from sqlalchemy.engine import Connection

CHUNK_ROWS = 50_000
# SQLite's page cache while bulk-writing: the default 2 MiB makes every insert into an index
# whose order differs from the rows' (started_at) a cache miss; at a million rows that doubles
# the time. 128 MiB holds those indexes.
BULK_CACHE_KIB = 128 * 1024
# Inserting a million keys at random places of a b-tree costs ~8 µs each (page splits) while
# CREATE INDEX sorts and builds at ~1.3 µs per row: rebuilding pays when the insert adds at
# least a quarter of the table's rows, and is not worth the schema change for small batches.
REBUILD_MIN_ROWS = 100_000
REBUILD_SHARE = 4
# Bound parameters per statement stay far below SQLite's and PostgreSQL's limits.
IN_CHUNK = 5_000
# How SQLAlchemy's SQLite dialect stores a datetime (microseconds, a space between date and time).
SQLITE_DATETIME_SAMPLE = "2026-09-07 00:55:37.000000"


def is_sqlite(conn: Connection) -> bool:
    return conn.dialect.name == "sqlite"


def _placeholder(conn: Connection) -> str:
    return "?" if conn.dialect.paramstyle in ("qmark", "numeric") else "%s"


def quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def datetime_values(conn: Connection, series: pd.Series) -> list[Any]:
    """Aware UTC timestamps as the database stores them; NaT becomes None."""
    missing = series.isna().to_numpy()
    if not is_sqlite(conn):
        values = series.dt.to_pydatetime()
        return [None if m else v for v, m in zip(values, missing, strict=True)]
    # `YYYY-MM-DDTHH:MM:SS.ffffff`, then the `T` swapped for a space in the array's own
    # UCS-4 code points: one vectorised pass instead of a string method call per value.
    width = len(SQLITE_DATETIME_SAMPLE)
    text = series.to_numpy("datetime64[us]").astype(f"U{width}")
    code_points = text.view(np.uint32).reshape(len(text), width)
    code_points[~missing, SQLITE_DATETIME_SAMPLE.index(" ")] = ord(" ")
    values = text.tolist()
    if not missing.any():
        return values
    return [None if m else t for t, m in zip(values, missing, strict=True)]


@contextmanager
def bulk_write_cache(conn: Connection) -> Iterator[None]:
    """A larger SQLite page cache for the duration of a bulk write (no-op elsewhere)."""
    if not is_sqlite(conn):
        yield
        return
    previous = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {int(previous or -2000)}")


def column_values(conn: Connection, series: pd.Series) -> list[Any]:
    """One column as plain Python values for the driver (NA → None)."""
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        return datetime_values(conn, series)
    if series.dtype.kind in "iu" and not series.hasnans:
        return series.tolist()
    return series.to_numpy(dtype=object, na_value=None).tolist()


@contextmanager
def indexes_rebuilt(
    conn: Connection, table: Table, names: Iterable[str], new_rows: int
) -> Iterator[None]:
    """Drop `names` (indexes of `table` in an order other than the rows') before a big insert
    and build them again after it, inside the same transaction.

    On PostgreSQL the table's foreign keys go too and come back after the insert: checking
    them row by row is most of a big COPY's time, while adding a constraint checks every row
    in one join. Adding a constraint holds the table's exclusive lock until the import
    commits, so pages reading the table wait for it: only a big insert (see REBUILD_*), that
    is an agency's first load of its history, pays that price.

    The DDL is transactional on both databases: if anything fails, the rollback restores the
    indexes and constraints too.
    """
    if new_rows < REBUILD_MIN_ROWS or conn.dialect.name not in ("sqlite", "postgresql"):
        yield
        return
    existing = conn.execute(select(func.count()).select_from(table)).scalar() or 0
    if new_rows * REBUILD_SHARE < existing + new_rows:
        yield
        return
    wanted = set(names)
    indexes = [index for index in table.indexes if index.name in wanted]
    keys = _foreign_keys(conn, table) if not is_sqlite(conn) else []
    for name, _definition in keys:
        conn.exec_driver_sql(f"ALTER TABLE {quote(conn, table.name)} DROP CONSTRAINT {name}")
    for index in indexes:
        index.drop(conn)
    yield
    for index in indexes:
        index.create(conn)
    for name, definition in keys:
        conn.exec_driver_sql(
            f"ALTER TABLE {quote(conn, table.name)} ADD CONSTRAINT {name} {definition}"
        )


def _foreign_keys(conn: Connection, table: Table) -> list[tuple[str, str]]:
    """The table's foreign keys as PostgreSQL itself defines them: (quoted name, definition)."""
    rows = conn.exec_driver_sql(
        "SELECT quote_ident(conname), pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
        (quote(conn, table.name),),
    )
    return [(str(name), str(definition)) for name, definition in rows]


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while building millions of row tuples.

    Every tuple is a tracked container, so the collector would otherwise run thousands of
    times over a heap that only grows; this halves the time spent building rows.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def insert_frame(
    conn: Connection,
    table: Table,
    frame: pd.DataFrame,
    *,
    constants: dict[str, Any] | None = None,
    on_chunk: Callable[[int], None] | None = None,
) -> None:
    """INSERT every row of `frame` (columns named as the table's) with executemany.

    `constants` are columns with one value for every row (a batch id, a timestamp). The next
    chunk's rows are built in a helper thread while the driver writes the current one: the
    sqlite3 and psycopg drivers release the GIL while the database works.
    """
    if frame.empty:
        return
    fixed = {
        name: column_values(conn, pd.Series([value]))[0]
        for name, value in (constants or {}).items()
    }
    # A column without a single value is left to the table's own NULL: nothing to bind per row.
    filled = [
        c for c in frame.columns if table.c[c].server_default is not None or frame[c].notna().any()
    ]
    columns = [*filled, *fixed]
    marks = ", ".join([_placeholder(conn)] * len(columns))
    names = ", ".join(quote(conn, c) for c in columns)
    sql = f"INSERT INTO {quote(conn, table.name)} ({names}) VALUES ({marks})"  # noqa: S608
    copying = copies(conn)
    suffix = "".join("\t" + copy_text_of(v) for v in fixed.values())

    def rows(start: int) -> tuple[int, Any]:
        chunk = frame.iloc[start : start + CHUNK_ROWS]
        if copying:
            return len(chunk), copy_lines(table, chunk[filled], suffix)
        values = [column_values(conn, chunk[c]) for c in filled]
        values += [itertools.repeat(v, len(chunk)) for v in fixed.values()]
        return len(chunk), list(zip(*values, strict=True))

    starts = list(range(0, len(frame), CHUNK_ROWS))
    with (
        gc_paused(),
        ThreadPoolExecutor(max_workers=1) as builder,
        _batch_writer(conn, table, columns, sql, copying) as write,
    ):
        ahead = [builder.submit(rows, start) for start in starts[:1]]
        for following in [*starts[1:], None]:
            count, batch = ahead.pop().result()
            if following is not None:  # one chunk ahead, never more: memory stays flat
                ahead.append(builder.submit(rows, following))
            write(batch)
            if on_chunk:
                on_chunk(count)


# --- PostgreSQL's COPY ------------------------------------------------------------------------
# On PostgreSQL (psycopg) rows go in with COPY … FROM STDIN, in the caller's transaction like
# the INSERTs (all or nothing): a million pipelined INSERTs spend most of their time in the
# protocol, and psycopg's write_row() in dumping each value. The text COPY format is built a
# column at a time with numpy instead: `\N` for NULL, tab between fields, and backslash,
# tab, newline and carriage return escaped in text. Instants are written in UTC with their
# offset, so the session's time zone does not matter.

COPY_NULL = "\\N"
_COPY_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))
_NEEDS_ESCAPE = r"[\\\t\n\r]"


def copies(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg"


def copy_text_of(value: Any) -> str:
    """One value (a constant column) in COPY's text format."""
    if value is None:
        return COPY_NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    text = str(value)
    for old, new in _COPY_ESCAPES:
        text = text.replace(old, new)
    return text


def copy_texts(series: pd.Series, column_type: Any) -> np.ndarray:
    """A column's values in COPY's text format, as an object array of str."""
    missing = series.isna().to_numpy()
    dtype = series.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        iso = series.dt.tz_convert("UTC").to_numpy("datetime64[us]").astype("U26")
        text = iso.astype(object) + "+00"
    elif dtype.kind == "b":
        text = np.where(series.to_numpy(), "t", "f").astype(object)
    elif dtype.kind in "iuf" and isinstance(column_type, Integer):
        # Integers that went through a float column (NaN for missing) go back to integers:
        # PostgreSQL refuses "12.0" for a bigint. A fraction here raises instead of rounding.
        numbers = series.to_numpy() if dtype.kind in "iu" else series.astype("Int64")
        text = np.asarray(numbers.astype(str), dtype=object)
    elif dtype.kind in "iuf":
        text = series.to_numpy().astype(str).astype(object)  # shortest exact repr of floats
    else:
        strings = series.where(~missing, "").astype(str)
        if strings.str.contains(_NEEDS_ESCAPE, regex=True).any():
            for old, new in _COPY_ESCAPES:
                strings = strings.str.replace(old, new, regex=False)
        text = strings.to_numpy(dtype=object)
    if missing.any():
        text = text.copy()
        text[missing] = COPY_NULL
    return text


def copy_lines(table: Table, chunk: pd.DataFrame, suffix: str) -> str:
    """The chunk's rows as COPY text lines; `suffix` holds the constant columns' fields."""
    columns = [copy_texts(chunk[c], table.c[c].type) for c in chunk.columns]
    return "".join(["\t".join(fields) + suffix + "\n" for fields in zip(*columns, strict=True)])


@contextmanager
def _batch_writer(
    conn: Connection, table: Table, columns: list[str], insert_sql: str, copying: bool
) -> Iterator[Callable[[Any], None]]:
    """Writes what `insert_frame` builds: COPY text on PostgreSQL, row tuples elsewhere."""
    if not copying:
        yield lambda batch: conn.exec_driver_sql(insert_sql, batch)
        return
    names = ", ".join(quote(conn, c) for c in columns)
    statement = f"COPY {quote(conn, table.name)} ({names}) FROM STDIN"
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(statement) as copy:
            yield copy.write
    finally:
        cursor.close()


def update_frame(conn: Connection, table: Table, frame: pd.DataFrame, key: str = "id") -> None:
    """UPDATE rows by `key`, setting every other column of `frame` (executemany)."""
    mark = _placeholder(conn)
    columns = [c for c in frame.columns if c != key]
    assignments = ", ".join(f"{quote(conn, c)} = {mark}" for c in columns)
    where = f"{quote(conn, key)} = {mark}"
    sql = f"UPDATE {quote(conn, table.name)} SET {assignments} WHERE {where}"  # noqa: S608
    with gc_paused():
        for start in range(0, len(frame), CHUNK_ROWS):
            chunk = frame.iloc[start : start + CHUNK_ROWS]
            values = [column_values(conn, chunk[c]) for c in [*columns, key]]
            conn.exec_driver_sql(sql, list(zip(*values, strict=True)))


def chunks(values: Sequence[Any], size: int = IN_CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def in_list(conn: Connection, count: int) -> str:
    return "(" + ", ".join([_placeholder(conn)] * count) + ")"


def read_frame(
    conn: Connection,
    sql: str,
    params: Iterable[Any],
    columns: Sequence[str],
    datetime_columns: Iterable[str] = (),
) -> pd.DataFrame:
    """Run raw SQL (driver placeholders) and return its rows, datetimes as aware UTC."""
    rows = conn.exec_driver_sql(sql, tuple(params)).fetchall()
    frame = pd.DataFrame.from_records(rows, columns=list(columns))
    for name in datetime_columns:
        frame[name] = pd.to_datetime(frame[name], utc=True, format="ISO8601").astype(
            pd.DatetimeTZDtype("ns", "UTC")
        )
    return frame


def datetime_param(conn: Connection, value: pd.Timestamp) -> Any:
    """One instant as a bound parameter in the storage format."""
    return datetime_values(conn, pd.Series([value]))[0]


def allocate_ids(conn: Connection, table: Table, count: int) -> np.ndarray:
    """Primary keys for `count` new rows, reserved inside the current write transaction.

    PostgreSQL hands them out from the column's sequence (safe with concurrent writers).
    SQLite has no sequence: max(id) + 1 onwards is safe because the caller has already
    written in this transaction (the batch row), so it holds the database's write lock and
    nobody can insert in between.
    """
    if count == 0:
        return np.empty(0, dtype="int64")
    if conn.dialect.name == "postgresql":
        sequence = f"pg_get_serial_sequence('{table.name}', 'id')"
        sql = f"SELECT nextval({sequence}) FROM generate_series(1, {int(count)})"  # noqa: S608
        # A million ids as one text value, not a million result rows.
        joined = f"SELECT string_agg(v::text, ' ') FROM ({sql}) AS ids(v)"  # noqa: S608
        text = conn.exec_driver_sql(joined).scalar() or ""
        return np.array(text.split(), dtype="int64")
    first = (conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1
    return np.arange(first, first + count, dtype="int64")
