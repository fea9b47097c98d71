"""What the numbers and dates a request carries may be: ids a database column can hold, page
numbers a list can reach, days the calendar arithmetic of the pages can handle.

Out-of-range values stop here, before they reach the database (SQLite cannot bind an integer
beyond 64 bits, and PostgreSQL refuses an OFFSET beyond them) or date arithmetic (there is no
day before 1 January of year 1 or after 31 December 9999, so a week before or after one
overflows). An id or a page beyond them answers 404, like any id nothing has; a date a filter
cannot use is left out, with an error naming the field.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask, abort, flash, request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter, Map

from hrapp.i18n import format_day

MAX_ID = 2**63 - 1  # the largest integer a database column of the app can hold
FIRST_DAY = dt.date(1900, 1, 1)  # before anyone now working was born
LAST_DAY = dt.date(2999, 12, 31)  # room for any plan, far from the calendar's end


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: a number beyond 64 bits matches no route (404) instead of
    reaching the database, which cannot bind it."""

    def __init__(
        self,
        url_map: Map,
        fixed_digits: int = 0,
        min: int | None = None,  # Werkzeug's argument names
        max: int | None = MAX_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(url_map, fixed_digits, min, max, signed)


def init_params(app: Flask) -> None:
    """Bound every `<int:…>` route (call before any blueprint adds its routes)."""
    app.url_map.converters["int"] = IdConverter


def int_arg(name: str, default: int | None = None) -> int | None:
    """A whole number from the query string (`?module=3`): `default` when absent or not a
    number; 404 when beyond what any id can be."""
    value = request.args.get(name, type=int)
    if value is None:
        return default
    if abs(value) > MAX_ID:
        abort(404)
    return value


def page_number(per_page: int) -> int:
    """The page a list is asked for (`?page=2`): 1 when absent, not a number or below 1;
    404 for a page whose first row lies beyond 64 bits."""
    page = request.args.get("page", 1, type=int)
    if page > MAX_ID // max(per_page, 1):
        abort(404)
    return max(page, 1)


def within_calendar(day: dt.date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


def day_arg(name: str, field: Any) -> dt.date | None:
    """A day from the query string (`?since=2026-09-01`), or None when absent. One that is
    not a date, or lies outside FIRST_DAY … LAST_DAY, is left out with an error naming
    `field` (the filter's label), as a form would."""
    text = request.args.get(name, "").strip()
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        day = None
    if day is None or not within_calendar(day):
        flash(
            _(
                "%(field)s: %(value)s is not a date between %(first)s and %(last)s; "
                "it was left out.",
                field=field,
                value=text[:40],
                first=format_day(FIRST_DAY),
                last=format_day(LAST_DAY),
            ),
            "error",
        )
        return None
    return day
