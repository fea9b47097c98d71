"""Turning a chunk of raw cell texts into canonical session rows, logging every problem."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from hrapp.core.messages import Message, message

from . import cells
from .checks import row_checks
from .durations import MILLIS, read_durations
from .headers import Layout
from .hosts import parse_hosts
from .model import CANONICAL_DTYPES, ProblemLog, Severity
from .numbers import Parsed, read_counts, read_money
from .profiles import CURRENCY_EXPONENTS, FieldSpec, Kind
from .tables import RawChunk, cell_text, empty_cells
from .times import next_day_fix, read_instants, split_ranges

ERROR_COLUMN = "_has_error"
_MISSING_REASONS = {
    "platform": message("The platform is missing."),
    "account_id": message("The account id is missing."),
    "started_at": message("The start time is missing."),
}
_TEXT_READERS = {
    Kind.TEXT: cells.read_text,
    Kind.ID: cells.read_id,
    Kind.PLATFORM: cells.read_platform,
    Kind.CURRENCY: cells.read_currency,
    Kind.HOSTS: parse_hosts,
}
_RANGE_PARTS = ("started_at", "ended_at")


class _Sheet:
    """One chunk's cells by field, and the reporting of problems against them."""

    def __init__(
        self, layout: Layout, log: ProblemLog, chunk: RawChunk, quiet_rows: frozenset[int]
    ) -> None:
        self.layout = layout
        self.log = log
        self.rows = chunk.rows
        self.raw = {s.field: chunk.columns[layout.columns[s.field]] for s in layout.specs}
        self.headers = {s.field: layout.header(s.field) for s in layout.specs}
        if "session_time" in self.raw:
            for part in _RANGE_PARTS:
                self.raw[part] = self.raw["session_time"]
                self.headers[part] = self.headers["session_time"]
        # Rows already rejected as a whole (wrong cell count): their cell findings are noise.
        self.quiet = np.isin(self.rows, list(quiet_rows))
        self.failed = self.quiet.copy()
        self.reported: set[tuple[int, str]] = set()

    def report(self, field: str, pos: int, reason: Message, severity: Severity = "error") -> None:
        header = self.headers[field]
        if severity == "error":
            self.failed[pos] = True
            self.reported.add((pos, header))
        if not self.quiet[pos]:
            value = cell_text(self.raw[field], pos)
            self.log.add(int(self.rows[pos]), header, value, reason, severity)

    def report_errors(self, field: str, errors: dict[int, Message]) -> None:
        for pos, reason in errors.items():
            self.report(field, pos, reason)


def convert_chunk(
    chunk: RawChunk, layout: Layout, tz: str, log: ProblemLog, quiet_rows: frozenset[int]
) -> pd.DataFrame:
    """The chunk's non-blank rows in canonical shape, plus a column flagging rows with errors."""
    chunk = _without_blank_rows(chunk)
    sheet = _Sheet(layout, log, chunk, quiet_rows)
    parsed = _parse_fields(sheet, tz)
    _require(sheet, parsed)
    end_field = "session_time" if "session_time" in layout.columns else "ended_at"
    for check in row_checks(parsed, sheet.raw, end_field):
        sheet.report(check.field, check.position, check.reason, check.severity)
    frame = _canonical_frame(parsed, chunk.rows, layout)
    frame[ERROR_COLUMN] = sheet.failed
    return frame


def _parse_fields(sheet: _Sheet, tz: str) -> dict[str, Parsed]:
    inputs = dict(sheet.raw)
    time_only = None
    if "session_time" in inputs:
        starts, ends, time_only, errors = split_ranges(inputs["session_time"])
        sheet.report_errors("session_time", errors)
        inputs["started_at"], inputs["ended_at"] = starts, ends
    parsed: dict[str, Parsed] = {}
    for spec in _in_order(sheet.layout.specs):
        result = _parse(spec, inputs[spec.field], tz, sheet.layout.currency, parsed)
        sheet.report_errors(spec.field, result.errors)
        parsed[spec.field] = result
    if time_only is not None:
        next_day_fix(parsed["started_at"], parsed["ended_at"], time_only)
    return parsed


def _in_order(specs: Iterable[FieldSpec]) -> list[FieldSpec]:
    """Range cells become two instants; the currency comes first because the template's money
    cells are read in their row's currency."""
    ordered: list[FieldSpec] = []
    for spec in specs:
        if spec.kind is Kind.RANGE:
            ordered += [FieldSpec(part, Kind.INSTANT, ()) for part in _RANGE_PARTS]
        else:
            ordered.append(spec)
    return sorted(ordered, key=lambda s: s.kind is not Kind.CURRENCY)


def _parse(
    spec: FieldSpec,
    texts: np.ndarray,
    tz: str,
    file_currency: str,
    parsed: dict[str, Parsed],
) -> Parsed:
    if spec.kind in _TEXT_READERS:
        return cells.map_cells(texts, _TEXT_READERS[spec.kind])
    if spec.kind is Kind.INSTANT:
        return read_instants(texts, tz)
    if spec.kind is Kind.COUNT:
        return read_counts(texts)
    if spec.kind is Kind.DURATION:
        return read_durations(texts, spec.unit_seconds)
    signed = spec.kind is Kind.SIGNED_MONEY
    currency = parsed.get("currency")
    if currency is None:
        return read_money(texts, CURRENCY_EXPONENTS[file_currency], file_currency, signed=signed)
    return _money(texts, _row_currencies(file_currency, currency), signed=signed)


def _row_currencies(file_currency: str, cell: Parsed) -> np.ndarray:
    """Each row's currency: the template's cell when filled, else the file's; "" if invalid."""
    codes = cell.values.fillna(file_currency).to_numpy(dtype=object)
    codes[list(cell.errors)] = ""
    return codes


def _money(texts: np.ndarray, codes: np.ndarray, *, signed: bool) -> Parsed:
    """Amounts of rows in various currencies (the template), each read in its own."""
    values = np.zeros(len(texts), dtype=np.int64)
    missing = np.ones(len(texts), dtype=bool)
    errors: dict[int, Message] = {}
    for code in pd.unique(codes[codes != ""]):
        where = np.flatnonzero(codes == code)
        part = read_money(texts[where], CURRENCY_EXPONENTS[code], code, signed=signed)
        values[where] = part.values
        missing[where] = part.missing
        errors.update({int(where[pos]): reason for pos, reason in part.errors.items()})
    return Parsed(values, missing, errors)


def _require(sheet: _Sheet, parsed: dict[str, Parsed]) -> None:
    for field, reason in _MISSING_REASONS.items():
        if field in parsed:
            for pos in np.flatnonzero(parsed[field].missing):
                if (pos, sheet.headers[field]) not in sheet.reported:
                    sheet.report(field, int(pos), reason)


def _without_blank_rows(chunk: RawChunk) -> RawChunk:
    columns = list(chunk.columns.values())
    blank = np.flatnonzero(empty_cells(columns[0]))
    for column in columns[1:]:
        blank = blank[empty_cells(column[blank])]
    if not len(blank):
        return chunk
    keep = np.ones(len(chunk.rows), dtype=bool)
    keep[blank] = False
    return RawChunk({c: v[keep] for c, v in chunk.columns.items()}, chunk.rows[keep])


def _canonical_frame(parsed: dict[str, Parsed], rows: np.ndarray, layout: Layout) -> pd.DataFrame:
    size = len(rows)
    data: dict[str, object] = {}
    for name, dtype in CANONICAL_DTYPES.items():
        if name == "source_row":
            data[name] = rows
        elif name in parsed:
            data[name] = _column(parsed[name], dtype)
        else:
            data[name] = _repeat(None, dtype, size)
    if "platform" not in parsed:
        data["platform"] = _repeat(layout.profile.platform, "string", size)
    if "currency" in parsed:
        codes = _row_currencies(layout.currency, parsed["currency"])
        data["currency"] = pd.array(np.where(codes == "", None, codes), dtype="string")
    else:
        data["currency"] = _repeat(layout.currency, "string", size)
    data["on_air_seconds"] = _on_air_seconds(parsed, size)
    return pd.DataFrame(data)


def _repeat(value: object, dtype: object, size: int) -> object:
    """A column holding one value (or NA) throughout, without converting it row by row."""
    return pd.array([value], dtype=dtype).take(np.zeros(size, dtype=np.intp))


def _column(parsed: Parsed, dtype: object) -> object:
    if dtype == "Int64":
        return pd.arrays.IntegerArray(parsed.values.astype(np.int64), parsed.missing.copy())
    if dtype == "Float64":  # durations in milliseconds → seconds
        return pd.arrays.FloatingArray(parsed.values / 10**MILLIS, parsed.missing.copy())
    if dtype == "string":
        return parsed.values  # already a string array (cells.map_cells)
    values = parsed.values.copy()  # datetime64[ns] holding UTC
    values[parsed.missing] = np.datetime64("NaT")
    return pd.Series(values).dt.tz_localize("UTC").array


def _on_air_seconds(parsed: dict[str, Parsed], size: int) -> pd.arrays.IntegerArray:
    """End − start to the second when both are known, else the exported duration (rounded)."""
    seconds = np.zeros(size, dtype=np.int64)
    missing = np.ones(size, dtype=bool)
    if "duration" in parsed:
        exported = parsed["duration"]
        seconds = np.where(exported.missing, 0, (exported.values + 500) // 1000)
        missing = exported.missing.copy()
    start, end = parsed.get("started_at"), parsed.get("ended_at")
    if start is not None and end is not None:
        both = ~start.missing & ~end.missing
        span = (end.values - start.values).astype("timedelta64[ms]").astype(np.int64)
        seconds = np.where(both, (span + 500) // 1000, seconds)
        missing &= ~both
    return pd.arrays.IntegerArray(seconds, missing)


def empty_frame(layout: Layout) -> pd.DataFrame:
    """The canonical frame of a file without data rows."""
    frame = _canonical_frame({}, np.zeros(0, dtype=np.int64), layout)
    frame[ERROR_COLUMN] = np.zeros(0, dtype=bool)
    return frame
