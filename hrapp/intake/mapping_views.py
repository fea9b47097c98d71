"""The mapping page: when no format fits an uploaded session file, HR says which of its
columns feeds which field, sees the first rows as they would be read, and saves the mapping
under a name; the file is then checked again and read with it (as are later files with the
same headers)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from hrapp.auth.models import Role
from hrapp.auth.permissions import role_required
from hrapp.core import labels
from hrapp.core.labels import PLATFORMS
from hrapp.core.messages import Message, message
from hrapp.extensions import db
from hrapp.live_sessions import services as session_services
from hrapp.live_sessions.parsing import ImportFileError, parse_export
from hrapp.live_sessions.parsing.headers import normalize_header
from hrapp.live_sessions.parsing.profiles import CURRENCY_EXPONENTS

from .mapping_preview import NoTable, file_head, first_problems, leading_part, read_rows
from .mapping_store import save_mapping
from .mappings import (
    FIELDS,
    MAX_NAME_LENGTH,
    REQUIRED_FIELDS,
    ColumnMapping,
    MappingError,
    mapping_from_document,
    mapping_profile,
    suggest_columns,
)

bp = Blueprint("mappings", __name__)
# What the mapping page calls each field (the template's column names are the codes).
FIELD_LABELS = labels.register(
    "template_field",
    {
        "account_id": _l("Account id"),
        "nickname": _l("Nickname"),
        "platform_session_id": _l("Session id"),
        "title": _l("Title"),
        "started_at": _l("Start"),
        "ended_at": _l("End"),
        "on_air_minutes": _l("On air"),
        "viewers": _l("Viewers"),
        "views": _l("Views"),
        "peak_online": _l("Peak online"),
        "avg_online": _l("Average online"),
        "comments": _l("Comments by viewers"),
        "new_followers": _l("New followers"),
        "unfollows": _l("Unfollows"),
        "orders": _l("Orders"),
        "buyers": _l("Buyers"),
        "items_sold": _l("Items sold"),
        "refund_orders": _l("Refund orders"),
        "avg_watch_seconds": _l("Average watch time"),
        "gmv": _l("GMV"),
        "buyer_paid": _l("Paid by buyers"),
        "refunds": _l("Refunds"),
        "platform_net": _l("Net per the platform"),
        "refunds_1h": _l("Refunds within an hour"),
        "ad_spend": _l("Ad spend"),
        "currency": _l("Currency"),
        "hosts": _l("Hosts"),
    },
)
staff_only = role_required(Role.HR, Role.ADMIN)
PROBLEMS_SHOWN = 10
COMMON_ZONES = (
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Singapore",
    "Asia/Bangkok",
    "Asia/Jakarta",
    "Asia/Tokyo",
    "Europe/London",
    "America/Los_Angeles",
    "UTC",
)


@dataclass
class _Page:
    """Everything the mapping page shows for one upload and one set of choices."""

    sha256: str
    name: str
    headers: list[str] = field(default_factory=list)
    body: list[list[str]] = field(default_factory=list)
    chosen: list[str] = field(default_factory=list)  # field per header ("" = not used)
    suggested: dict[int, str] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)
    file_error: Message | None = None
    problems: list[Message] = field(default_factory=list)
    mapping: ColumnMapping | None = None
    read: list[list[str]] = field(default_factory=list)
    row_problems: list[Any] = field(default_factory=list)


def _build(sha256: str, values: MultiDict[str, str]) -> _Page:
    name = values.get("name", "").strip()[:255] or "upload"
    page = _Page(sha256, name)
    data = session_services.read_upload(sha256)
    try:
        page.headers, page.body = file_head(data, name)
    except ImportFileError as error:
        page.file_error = error.reason
        return page
    except NoTable:
        page.file_error = message("No header row was found in the file.")
        return page
    suggested = suggest_columns(page.headers, page.body)
    page.suggested = {i: suggested[h] for i, h in enumerate(page.headers) if h in suggested}
    first_visit = not any(key.startswith("col-") for key in values)
    page.chosen = [
        page.suggested.get(i, "") if first_visit else values.get(f"col-{i}", "")
        for i in range(len(page.headers))
    ]
    page.settings = {
        "mapping_name": values.get("mapping_name", "").strip(),
        "platform": values.get("platform", "douyin"),
        "currency": values.get("currency", "").strip().upper(),
        "timezone": values.get("timezone", "").strip(),
    }
    _check(page, data)
    return page


def _check(page: _Page, data: bytes) -> None:
    """The mapping the choices make, and the first rows read with it."""
    mapped = [(h, f) for h, f in zip(page.headers, page.chosen, strict=True) if f]
    keys = [normalize_header(h) for h, _f in mapped]
    doubled = sorted({h for h, _f in mapped if keys.count(normalize_header(h)) > 1})
    page.problems = [message("The column “%(column)s” is mapped twice.", column=h) for h in doubled]
    document = {
        **{k: v for k, v in page.settings.items() if k != "mapping_name" and v},
        "name": page.settings["mapping_name"] or page.name[:MAX_NAME_LENGTH],
        "columns": dict(mapped),
    }
    try:
        mapping = mapping_from_document(document)
    except MappingError as error:
        page.problems += error.problems
        return
    if page.problems:
        return
    page.mapping = mapping
    org_zone = current_app.config["ORG_TIMEZONE"]
    currency = mapping.currency or current_app.config["ORG_CURRENCY"]
    try:
        result = parse_export(
            leading_part(data, page.name),
            page.name,
            org_timezone=mapping.timezone or org_zone,
            profiles=[mapping_profile(mapping, currency)],
        )
    except ImportFileError as error:
        page.problems.append(error.reason)
        return
    page.read = read_rows(result, mapping, org_zone, currency)
    page.row_problems = first_problems(result, PROBLEMS_SHOWN)


def _render(page: _Page, status: int = 200) -> tuple[str, int]:
    return (
        render_template(
            "intake/mapping.html",
            page=page,
            fields=FIELDS,
            required=REQUIRED_FIELDS,
            platforms=list(PLATFORMS),
            currencies=list(CURRENCY_EXPONENTS),
            zones=COMMON_ZONES,
            org_currency=current_app.config["ORG_CURRENCY"],
            org_zone=current_app.config["ORG_TIMEZONE"],
        ),
        status,
    )


@bp.get("/imports/map/<sha256>")
@staff_only
def map_columns(sha256: str) -> tuple[str, int]:
    """The headers with a field chooser each, the settings, and the first rows as read."""
    return _render(_build(sha256, request.args))


@bp.post("/imports/map/<sha256>/preview")
@staff_only
def preview_rows(sha256: str) -> dict[str, str]:
    """The preview alone, for the page's script to refresh it when a choice changes."""
    page = _build(sha256, request.form)
    return {"html": render_template("intake/_mapping_preview.html", page=page)}


@bp.post("/imports/map/<sha256>")
@staff_only
def save(sha256: str) -> Response | tuple[str, int]:
    """Show the rows as read with the submitted choices (``action=preview``), or save the
    mapping under its name and check the file again with it (``action=save``)."""
    page = _build(sha256, request.form)
    if request.form.get("action") != "save":
        return _render(page)
    if page.mapping is not None and not page.settings["mapping_name"]:
        page.problems.append(message("The mapping needs a name."))
        page.mapping = None
    if page.mapping is None:
        return _render(page, 422)
    save_mapping(page.mapping, user_id=current_user.id)
    db.session.commit()
    flash(_("Column mapping “%(name)s” saved.", name=page.mapping.name), "success")
    return redirect(
        url_for("live_sessions.preview", sha256=sha256, name=page.name, platform="auto")
    )
