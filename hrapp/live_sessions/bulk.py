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

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import BigInteger, Boolean, DateTime, Float, Integer, String, Table, func, select
from sqlalchemy.engine import Connection

from hrapp.core.collector import collection_paused
from hrapp.core.read_ahead import read_ahead

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
REBUILD_MEMORY = "256MB"  # per sort or join while PostgreSQL rebuilds (see indexes_rebuilt)
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
) -> Iterator[bool]:
    """Drop `names` (indexes of `table` in an order other than the rows') before a big insert
    and build them again after it, inside the same transaction. Yields whether it did, that
    is whether this transaction now holds the table for itself (see `allocate_ids`).

    On PostgreSQL the table's foreign keys, unique constraints and every secondary index go
    too and come back after the insert: checking a foreign key row by row is most of a big
    COPY's time, and maintaining a b-tree row by row costs two to seven times building it,
    while adding a constraint checks every row in one join (or one sort, for uniqueness). The
    primary key stays (other tables' foreign keys hang on it). Dropping takes the table's
    exclusive lock until the import commits, so pages reading the table wait for it: only a
    big insert (see REBUILD_*), that is an agency's first load of its history, pays that price.

    The DDL is transactional on both databases: if anything fails, the rollback restores the
    indexes and constraints too; a constraint the new rows break fails the whole import.
    """
    if new_rows < REBUILD_MIN_ROWS or conn.dialect.name not in ("sqlite", "postgresql"):
        yield False
        return
    existing = conn.execute(select(func.count()).select_from(table)).scalar() or 0
    if new_rows * REBUILD_SHARE < existing + new_rows:
        yield False
        return
    if is_sqlite(conn):
        wanted = set(names)
        indexes = [index for index in table.indexes if index.name in wanted]
        for index in indexes:
            index.drop(conn)
        yield True
        for index in indexes:
            index.create(conn)
        return
    name = quote(conn, table.name)
    conn.exec_driver_sql(f"LOCK TABLE {name} IN ACCESS EXCLUSIVE MODE")
    constraints = _constraints(conn, table)
    indexes = _secondary_indexes(conn, table)
    for constraint, _definition in constraints:
        conn.exec_driver_sql(f"ALTER TABLE {name} DROP CONSTRAINT {constraint}")
    for index, _definition in indexes:
        conn.exec_driver_sql(f"DROP INDEX {index}")
    yield True
    # PostgreSQL's advice for a bulk load: memory enough to sort a million keys for each index
    # and to join them when checking the foreign keys, for this transaction only.
    conn.exec_driver_sql(f"SET LOCAL maintenance_work_mem = '{REBUILD_MEMORY}'")
    conn.exec_driver_sql(f"SET LOCAL work_mem = '{REBUILD_MEMORY}'")
    for _index, definition in indexes:
        conn.exec_driver_sql(definition)
    for constraint, definition in constraints:
        conn.exec_driver_sql(f"ALTER TABLE {name} ADD CONSTRAINT {constraint} {definition}")


def _constraints(conn: Connection, table: Table) -> list[tuple[str, str]]:
    """The table's foreign keys and unique constraints as PostgreSQL itself defines them:
    (quoted name, definition), unique ones first (a foreign key may need one)."""
    rows = conn.exec_driver_sql(
        "SELECT quote_ident(conname), pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype IN ('f', 'u')"
        " ORDER BY contype DESC, conname",
        (quote(conn, table.name),),
    )
    return [(str(name), str(definition)) for name, definition in rows]


def _secondary_indexes(conn: Connection, table: Table) -> list[tuple[str, str]]:
    """Indexes of the table that back no constraint: (quoted name, CREATE INDEX statement)."""
    rows = conn.exec_driver_sql(
        "SELECT quote_ident(c.relname), pg_get_indexdef(i.indexrelid) FROM pg_index i"
        " JOIN pg_class c ON c.oid = i.indexrelid"
        " WHERE i.indrelid = %s::regclass AND NOT EXISTS"
        " (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)"
        " ORDER BY c.relname",
        (quote(conn, table.name),),
    )
    return [(str(name), str(definition)) for name, definition in rows]


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
    if copying:
        kinds = [_binary_kind(table.c[c].type) for c in filled]
        tail = [constant_field(table.c[c].type, v) for c, v in (constants or {}).items()]

    def rows(start: int) -> tuple[int, Any]:
        chunk = frame.iloc[start : start + CHUNK_ROWS]
        if copying:
            return len(chunk), copy_rows(kinds, chunk[filled], tail)
        values = [column_values(conn, chunk[c]) for c in filled]
        values += [itertools.repeat(v, len(chunk)) for v in fixed.values()]
        return len(chunk), list(zip(*values, strict=True))

    with collection_paused(), _batch_writer(conn, table, columns, sql, copying) as write:
        for count, batch in read_ahead(rows(start) for start in range(0, len(frame), CHUNK_ROWS)):
            write(batch)
            if on_chunk:
                on_chunk(count)


# --- PostgreSQL's COPY ------------------------------------------------------------------------
# On PostgreSQL (psycopg) rows go in with COPY … FROM STDIN, in the caller's transaction like
# the INSERTs (all or nothing): a million pipelined INSERTs spend most of their time in the
# protocol, and psycopg's write_row() in dumping each value. COPY's binary format is built a
# column at a time with numpy instead: per row a field count, per field its length (-1 for
# NULL) and its value as the server stores it (big-endian integers and floats, instants as
# microseconds since 2000-01-01 UTC, text as UTF-8). The server then parses nothing: reading
# two instants per row as text cost it more than storing the row.
#
# Each field is first a matrix of bytes, one row per value, with a mask of the bytes that
# count (a NULL keeps only its length, a text only its own bytes); the fields side by side,
# masked, are the chunk's rows. Python touches only distinct text values.

_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # no flags, no header extension
_TRAILER = b"\xff\xff"
_EPOCH_2000_US = 946_684_800_000_000  # PostgreSQL's epoch, in microseconds since 1970
_FIXED = {"int4": ">i4", "int8": ">i8", "float8": ">f8", "bool": "u1", "timestamptz": ">i8"}


def copies(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg"


def _binary_kind(column_type: Any) -> str:
    """How a column's values travel in binary COPY."""
    storage = getattr(column_type, "impl", column_type)  # a TypeDecorator's own type
    if isinstance(storage, DateTime) and storage.timezone:
        return "timestamptz"
    if isinstance(storage, Boolean):
        return "bool"
    if isinstance(storage, BigInteger):
        return "int8"
    if isinstance(storage, Integer):
        return "int4"
    if isinstance(storage, Float):
        return "float8"
    if isinstance(storage, String):
        return "text"
    raise TypeError(f"no binary COPY for {column_type!r}")


def _fixed_values(series: pd.Series, kind: str) -> np.ndarray:
    """The non-NULL values of a fixed-width kind as numbers (NULLs as 0)."""
    if kind == "timestamptz":
        instants = pd.to_datetime(series, utc=True).to_numpy("datetime64[us]")
        return instants.astype("int64") - _EPOCH_2000_US
    if kind == "float8":
        return series.to_numpy(dtype="float64", na_value=0.0)
    if kind == "bool":
        return series.to_numpy(dtype="bool", na_value=False)
    # Integers that went through a float column (NaN for missing) go back to integers; a
    # fraction raises instead of rounding, and so does a value beyond the column's range.
    numbers = series if series.dtype.kind in "iu" else series.astype("Int64")
    values = numbers.to_numpy(dtype="int64", na_value=0)
    limit = np.iinfo(np.int32) if kind == "int4" else np.iinfo(np.int64)
    if len(values) and (values.min() < limit.min or values.max() > limit.max):
        raise ValueError(f"{series.name}: a value is out of range for {kind}")
    return values


def _field(series: pd.Series, kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lengths, data, used): each value's 4-byte length (-1 for NULL), its bytes, and which
    of them count (a column of one per value where every value has the full width)."""
    count = len(series)
    missing = series.isna().to_numpy()
    if kind == "text":
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        texts = [str(value).encode() for value in uniques]
        width = max(map(len, texts), default=0)
        table = np.zeros((len(texts) + 1, width), dtype=np.uint8)  # the last one: NULL
        for index, text in enumerate(texts):
            table[index, : len(text)] = np.frombuffer(text, dtype=np.uint8)
        sizes = np.array([*map(len, texts), -1], dtype=np.int64)[codes]
        data = table[codes]
        used = np.arange(width) < sizes[:, None]
    else:
        dtype = np.dtype(_FIXED[kind])
        data = _fixed_values(series, kind).astype(dtype).view(np.uint8).reshape(count, -1)
        sizes = np.where(missing, -1, dtype.itemsize)
        used = ~missing[:, None]
    lengths = sizes.astype(">i4").view(np.uint8).reshape(count, 4)
    return lengths, data, used


def copy_rows(kinds: Sequence[str], chunk: pd.DataFrame, constants: list[bytes]) -> bytes:
    """The chunk's rows in binary COPY format; `constants`: the fields of the constant
    columns, the same at the end of every row. One matrix of bytes and one mask for the
    chunk, each field written into its own columns of them."""
    count = len(chunk)
    fields = [_field(chunk[name], kind) for name, kind in zip(chunk.columns, kinds, strict=True)]
    head = np.array(len(fields) + len(constants), dtype=">i2").tobytes()
    tail = b"".join(constants)
    width = len(head) + sum(4 + data.shape[1] for _lengths, data, _used in fields) + len(tail)
    rows = np.empty((count, width), dtype=np.uint8)
    kept = np.ones((count, width), dtype=bool)
    rows[:, : len(head)] = np.frombuffer(head, dtype=np.uint8)
    at = len(head)
    for lengths, data, used in fields:
        rows[:, at : at + 4] = lengths
        at += 4
        rows[:, at : at + data.shape[1]] = data
        kept[:, at : at + data.shape[1]] = used
        at += data.shape[1]
    rows[:, at:] = np.frombuffer(tail, dtype=np.uint8)
    return rows[kept].tobytes()


def constant_field(column_type: Any, value: Any) -> bytes:
    """One value's field in binary COPY (a column with the same value in every row)."""
    lengths, data, used = _field(pd.Series([value]), _binary_kind(column_type))
    return lengths.tobytes() + data[np.broadcast_to(used, data.shape)].tobytes()


@contextmanager
def _batch_writer(
    conn: Connection, table: Table, columns: list[str], insert_sql: str, copying: bool
) -> Iterator[Callable[[Any], None]]:
    """Writes what `insert_frame` builds: binary COPY on PostgreSQL, row tuples elsewhere."""
    if not copying:
        yield lambda batch: conn.exec_driver_sql(insert_sql, batch)
        return
    names = ", ".join(quote(conn, c) for c in columns)
    statement = f"COPY {quote(conn, table.name)} ({names}) FROM STDIN (FORMAT binary)"
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(statement) as copy:
            copy.write(_SIGNATURE)
            yield copy.write
            copy.write(_TRAILER)
    finally:
        cursor.close()


def update_frame(conn: Connection, table: Table, frame: pd.DataFrame, key: str = "id") -> None:
    """UPDATE rows by `key`, setting every other column of `frame` (executemany)."""
    mark = _placeholder(conn)
    columns = [c for c in frame.columns if c != key]
    assignments = ", ".join(f"{quote(conn, c)} = {mark}" for c in columns)
    where = f"{quote(conn, key)} = {mark}"
    sql = f"UPDATE {quote(conn, table.name)} SET {assignments} WHERE {where}"  # noqa: S608
    with collection_paused():
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


def allocate_ids(conn: Connection, table: Table, count: int, *, held: bool = False) -> np.ndarray:
    """Primary keys for `count` new rows, reserved inside the current write transaction.

    PostgreSQL hands them out from the column's sequence. When this transaction holds the
    table for itself (`held`, see `indexes_rebuilt`) nobody else can be inserting, so the
    whole range is taken with one `setval` instead of a `nextval` per id (a million of them
    cost seconds of the server's time); otherwise the table's ROW EXCLUSIVE lock (the one
    any INSERT takes) keeps a concurrent holder from reserving a range meanwhile.
    SQLite has no sequence: max(id) + 1 onwards is safe because the caller has already
    written in this transaction (the batch row), so it holds the database's write lock and
    nobody can insert in between.
    """
    if count == 0:
        return np.empty(0, dtype="int64")
    if conn.dialect.name == "postgresql":
        sequence = f"pg_get_serial_sequence('{table.name}', 'id')"
        if held:
            last = f"SELECT setval({sequence}, nextval({sequence}) + {int(count) - 1})"
            end = int(conn.exec_driver_sql(last).scalar_one())
            return np.arange(end - count + 1, end + 1, dtype="int64")
        conn.exec_driver_sql(f"LOCK TABLE {quote(conn, table.name)} IN ROW EXCLUSIVE MODE")
        sql = f"SELECT nextval({sequence}) FROM generate_series(1, {int(count)})"  # noqa: S608
        # A million ids as one text value, not a million result rows.
        joined = f"SELECT string_agg(v::text, ' ') FROM ({sql}) AS ids(v)"  # noqa: S608
        text = conn.exec_driver_sql(joined).scalar() or ""
        return np.array(text.split(), dtype="int64")
    first = (conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1
    return np.arange(first, first + count, dtype="int64")
