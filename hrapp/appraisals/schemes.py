"""Scheme versions: the appraisal rules as stored TOML documents, one new version per save.

The active scheme is the latest version: saving a version activates it. There is no separate
"activate" switch, because a switch is one more state that can silently disagree with what HR
last saved; going back to older rules means saving that version's document again (a new
version), which keeps the history linear and every change in the audit log. Each cycle run
records the version it used, so appraisals computed under older rules stay explainable.

The default scheme of the domain guide becomes version 1 the first time any scheme is needed.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

import scoring
from hrapp.appraisals.models import SchemeVersion
from hrapp.appraisals.staleness import inputs_changed
from hrapp.core import audit
from hrapp.core.errors import Conflict, NotFound, ValidationFailed
from hrapp.core.messages import message
from hrapp.extensions import db

# How a version was saved, as the version list shows it.
SOURCE_LABELS = {
    "default": _l("shipped default"),
    "form": _l("edited on the page"),
    "upload": _l("uploaded document"),
    "cli": _l("loaded from the command line"),
}
# Audit rows keep the changed paths; a whole new document would not fit in one row's summary.
AUDIT_CHANGES_KEPT = 200


@dataclass(frozen=True)
class Change:
    """One difference between two versions: a field path and its old and new value (worded
    for people by `scheme_form.shown_changes`)."""

    path: str
    old: Any
    new: Any

    @property
    def kind(self) -> str:
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        return "changed"


def parse_scheme(text: str) -> scoring.Scheme:
    """The validated scheme; ValidationFailed listing every problem when it is invalid."""
    try:
        return scoring.load_scheme(text)
    except scoring.SchemeError as exc:
        raise ValidationFailed(
            _("The scheme has %(n)d problems; nothing was saved.", n=len(exc.problems)),
            exc.problems,
        ) from None


def scheme_data(text: str) -> dict[str, Any]:
    """A valid document as plain data in its canonical form (comments and layout dropped)."""
    return tomllib.loads(scoring.dump_scheme(scoring.load_scheme(text)))


def latest_version() -> SchemeVersion | None:
    return db.session.scalar(select(SchemeVersion).order_by(SchemeVersion.version.desc()).limit(1))


def _default_version() -> SchemeVersion:
    """Version 1 as the default scheme, not yet added to the session."""
    text = scoring.default_scheme_text()
    return SchemeVersion(
        version=1,
        name=scoring.load_scheme(text).name,
        toml=text,
        note=_("The default scheme of hrapp."),
        source="default",
    )


def ensure_default_scheme() -> SchemeVersion:
    """The latest version, storing version 1 from the default scheme when there is none.

    Called by the use cases that write (saving a scheme, running a cycle); pages that only read
    use `active_version()`, which shows the default without storing it, so that no GET writes.
    """
    latest = latest_version()
    if latest is not None:
        return latest
    version = _default_version()
    db.session.add(version)
    db.session.flush()
    audit.record(
        "scheme.create_default",
        "scheme_version",
        version.version,
        summary=message("Default scheme stored as version 1."),
    )
    return version


def active_version() -> SchemeVersion:
    """The version new runs and what-ifs use: the latest, or the (unstored) default."""
    return latest_version() or _default_version()


def active_scheme() -> tuple[SchemeVersion, scoring.Scheme]:
    """The active version with its parsed rules (read only: stores nothing)."""
    version = active_version()
    return version, scoring.load_scheme(version.toml)


def get_version(number: int) -> SchemeVersion:
    """A stored version; version 1 is the default scheme even before it is stored."""
    version = db.session.scalar(select(SchemeVersion).where(SchemeVersion.version == number))
    if version is None and number == 1 and latest_version() is None:
        return _default_version()
    if version is None:
        raise NotFound(_("There is no scheme version %(n)d.", n=number))
    return version


def list_versions() -> list[SchemeVersion]:
    """Newest first; the default scheme alone while nothing is stored."""
    versions = list(
        db.session.scalars(select(SchemeVersion).order_by(SchemeVersion.version.desc()))
    )
    return versions or [_default_version()]


def save_scheme(
    text: str,
    *,
    note: str = "",
    source: str = "form",
    based_on: int | None = None,
    user_id: int | None = None,
) -> SchemeVersion:
    """Validate `text` and store it as the next version, which becomes the active scheme.

    Refused, writing nothing: an invalid document (ValidationFailed with every problem), a
    document with the same rules as the latest version, and — when `based_on` names the
    version an editor started from — a save made after someone else saved a newer version
    (Conflict), so that neither person's changes are silently lost.
    """
    scheme = parse_scheme(text)
    previous = ensure_default_scheme()
    if based_on is not None and based_on != previous.version:
        raise Conflict(
            _(
                "Version %(new)d was saved while you were editing version %(old)d; your "
                "changes were not saved. Compare the versions and make your changes again.",
                new=previous.version,
                old=based_on,
            )
        )
    if scheme == scoring.load_scheme(previous.toml):
        raise ValidationFailed(
            _("Nothing changed: the rules are the same as version %(n)d.", n=previous.version)
        )
    number = (db.session.scalar(select(func.max(SchemeVersion.version))) or 0) + 1
    version = SchemeVersion(
        version=number,
        name=scheme.name[:120],
        toml=text,
        note=note.strip()[:300],
        source=source,
        created_by_id=user_id,
    )
    db.session.add(version)
    db.session.flush()
    # Finalized cycles keep their pinned version; open ones that ran are out of date.
    inputs_changed("scheme_changed", open_only=True, version=number)
    changes = compare_versions(previous, version)
    audit.record(
        "scheme.save",
        "scheme_version",
        number,
        changes={c.path: [c.old, c.new] for c in changes[:AUDIT_CHANGES_KEPT]},
        summary=message(
            "Scheme version %(n)d saved (%(count)d changes from version %(old)d).",
            n=number,
            count=len(changes),
            old=previous.version,
        ),
    )
    return version


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Leaf values by path, in the path style of scheme problems: `commission.tiers[1].rate`.

    Arrays of scalars (a distribution limit's grades) stay one leaf.
    """
    if isinstance(data, dict):
        leaves: dict[str, Any] = {}
        for key, value in data.items():
            leaves.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return leaves
    if isinstance(data, list) and data and all(isinstance(item, dict) for item in data):
        leaves = {}
        for index, item in enumerate(data):
            leaves.update(flatten(item, f"{prefix}[{index}]"))
        return leaves
    return {prefix: data}


def compare_versions(old: SchemeVersion, new: SchemeVersion) -> list[Change]:
    """What changed from `old` to `new`, path by path, in the order of the documents."""
    before = flatten(scheme_data(old.toml))
    after = flatten(scheme_data(new.toml))
    changes = [
        Change(path, before.get(path), value)
        for path, value in after.items()
        if before.get(path) != value
    ]
    changes += [Change(path, value, None) for path, value in before.items() if path not in after]
    return changes
