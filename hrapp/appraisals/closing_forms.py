"""Forms of closing a quarter, and what the appraisal page shows of it: the adjustment lines,
the score override, the comments, and the latest revision against the current figures.

Every appraisal form carries the `lock_version` it was read at (a hidden field), so a save made
on an outdated page is refused as a conflict instead of overwriting someone else's.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from hrapp.appraisals import closing
from hrapp.appraisals.models import Appraisal, AppraisalAdjustment
from hrapp.appraisals.settlement import shown_reason
from hrapp.auth.models import User
from hrapp.extensions import db

REASON_HELP = _l("The streamer reads this reason.")


def _lock_version() -> HiddenField:
    return HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,9}$")])


def _reason(label: Any = None) -> StringField:
    return StringField(
        label or _l("Reason"),
        validators=[DataRequired(), Length(max=closing.MAX_REASON)],
        description=REASON_HELP,
    )


class AdjustmentForm(FlaskForm):
    amount = StringField(
        _l("Amount (¥)"),
        validators=[DataRequired(), Length(max=20)],
        description=_l("Negative to deduct, e.g. -200.50; positive to add."),
    )
    reason = _reason()
    lock_version = _lock_version()


class ScoreOverrideForm(FlaskForm):
    score = StringField(_l("New score"), validators=[DataRequired(), Length(max=10)])
    reason = _reason()
    lock_version = _lock_version()


class ClearOverrideForm(FlaskForm):
    reason = _reason(_l("Reason for going back to the computed score"))
    lock_version = _lock_version()


class CommentsForm(FlaskForm):
    hr_notes = TextAreaField(
        _l("HR notes (only HR sees these)"),
        validators=[Optional(), Length(max=closing.MAX_COMMENT)],
    )
    shared_comment = TextAreaField(
        _l("Comment (the streamer sees it; printed as remarks on the sheet)"),
        validators=[Optional(), Length(max=closing.MAX_COMMENT)],
    )
    lock_version = _lock_version()


class LockVersionForm(FlaskForm):
    """Removing an adjustment: nothing to type but the version the page was read at."""

    lock_version = _lock_version()


class FinalizeForm(FlaskForm):
    understood = BooleanField(
        _l(
            "I understand: the appraisals become final, and only an administrator can reopen "
            "the cycle."
        ),
        validators=[DataRequired(_l("Tick the box to confirm."))],
    )


class ReopenForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for reopening"),
        validators=[DataRequired(), Length(max=closing.MAX_REASON)],
        description=_l("Kept in the audit log with the finalized revision."),
    )


FORM_CLASSES = {
    "adjust": AdjustmentForm,
    "score": ScoreOverrideForm,
    "clear": ClearOverrideForm,
    "comments": CommentsForm,
    "remove": LockVersionForm,
}
KIND_LABELS = {
    "pay": _l("Pay adjustment"),
    "score": _l("Score override"),
    "clawback": _l("Clawback (追回) for an earlier quarter"),
    "top_up": _l("Top-up (补发) for an earlier quarter"),
}
FIELD_LABELS = {
    "score": _l("Score"),
    "grade": _l("Grade"),
    "multiplier": _l("Multiplier"),
    "commission_fen": _l("Commission"),
    "adjustment_fen": _l("Adjustments"),
    "payable_fen": _l("Payable"),
}


def make_form(name: str, appraisal: Appraisal, submitted: bool = False) -> FlaskForm:
    """The page's form `name`, read from the request when `submitted`, else blank for the
    appraisal as it is now (its comments, its current lock version)."""
    form_class = FORM_CLASSES[name]
    if submitted:
        return form_class(prefix=name)
    data: dict[str, Any] = {"lock_version": str(appraisal.lock_version)}
    if name == "comments":
        data.update(hr_notes=appraisal.hr_notes, shared_comment=appraisal.shared_comment)
    return form_class(formdata=None, prefix=name, data=data)


def closing_context(
    appraisal: Appraisal, forms: dict[str, FlaskForm] | None = None, conflict: bool = False
) -> dict[str, Any]:
    """What the appraisal page's closing parts need, as `closing` for the template.

    `forms` replaces blank forms by the ones the user submitted (refused or in conflict), so
    what they typed is shown again. After a conflict every form gets the current lock version:
    the page shows the other person's save, and saving again is a deliberate choice.
    """
    shown = {name: make_form(name, appraisal) for name in FORM_CLASSES}
    for name, form in (forms or {}).items():
        if conflict:
            form.lock_version.data = str(appraisal.lock_version)
        shown[name] = form
    override = (appraisal.explanation or {}).get("score_override")
    return {
        "closing": {
            "editable": appraisal.status != "finalized" and appraisal.cycle.status != "finalized",
            "forms": shown,
            "conflict": conflict,
            "lines": adjustment_rows(appraisal),
            "override": override,
            "revision": closing.revision_comparison(appraisal),
            "field_labels": FIELD_LABELS,
            "hr_notes": appraisal.hr_notes,
            "shared_comment": appraisal.shared_comment,
        }
    }


def adjustment_reason(line: AppraisalAdjustment) -> str:
    """The reason as the reader sees it (settlement lines get theirs from their parameters)."""
    return shown_reason(line)


def _kind(line: AppraisalAdjustment) -> str:
    if line.kind == "settlement":
        return "clawback" if line.amount_fen < 0 else "top_up"
    return line.kind


def adjustment_rows(appraisal: Appraisal) -> list[dict[str, Any]]:
    """The appraisal's adjustment lines, oldest first, with who made them."""
    lines = sorted(appraisal.adjustments, key=lambda a: a.id)
    ids = {line.created_by_id for line in lines if line.created_by_id is not None}
    names = dict(db.session.execute(select(User.id, User.username).where(User.id.in_(ids))).all())
    return [
        {
            "id": line.id,
            "kind": _kind(line),
            "kind_label": KIND_LABELS[_kind(line)],
            "amount_fen": line.amount_fen,
            "score": line.score,
            "reason": adjustment_reason(line),
            "by": names.get(line.created_by_id),
            "created_at": line.created_at,
            "removable": line.kind == "pay",
        }
        for line in lines
    ]
