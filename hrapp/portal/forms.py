"""The portal's forms: the streamer's what-if, acknowledgement and dispute; HR's answer,
adjustment and logins."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from hrapp.appraisals import closing
from hrapp.appraisals.forms import WhatIfForm
from hrapp.portal.responses import MAX_TEXT

# The lines of a statement a dispute can name (metric keys are the scheme's).
LINE_LABELS = {
    "net_gmv": _l("Net GMV"),
    "avg_watch_seconds": _l("Average watch time"),
    "net_followers": _l("Fan growth (net new followers)"),
    "on_air_hours": _l("On-air hours"),
    "score": _l("Score and grade"),
    "commission": _l("Commission"),
    "adjustments": _l("Adjustments"),
    "other": _l("Something else"),
}


class OwnWhatIfForm(WhatIfForm):
    """HR's what-if form without the level: a streamer's what-if is at their own level. Read
    only (GET), so no CSRF token; the figures are read by the session importer's parser."""

    level = None  # type: ignore[assignment]


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class DisputeForm(FlaskForm):
    line = SelectField(
        _l("Which line (optional)"),
        choices=[SelectChoice("", "—"), *(SelectChoice(k, v) for k, v in LINE_LABELS.items())],
        validators=[Optional()],
    )
    text = TextAreaField(
        _l("What is wrong, in your words"),
        validators=[DataRequired(), Length(max=MAX_TEXT)],
    )


class ReplyForm(FlaskForm):
    text = TextAreaField(_l("Your message"), validators=[DataRequired(), Length(max=MAX_TEXT)])


class AnswerForm(FlaskForm):
    text = TextAreaField(
        _l("Answer (the streamer reads it)"), validators=[DataRequired(), Length(max=MAX_TEXT)]
    )
    resolve = BooleanField(_l("This answer resolves the dispute"))


class DisputeAdjustmentForm(FlaskForm):
    amount = StringField(
        _l("Amount (¥)"),
        validators=[DataRequired(), Length(max=20)],
        description=_l("Negative to deduct, e.g. -200.50; positive to add."),
    )
    reason = StringField(
        _l("Reason"),
        validators=[DataRequired(), Length(max=closing.MAX_REASON)],
        description=_l("The streamer reads this reason."),
    )


class BulkLoginsForm(FlaskForm):
    streamer_ids = SelectMultipleField(_l("Streamers"), coerce=int, validators=[Optional()])
    everyone = BooleanField(_l("Every active streamer without a login"))

    def set_choices(self, choices: list[tuple[int, Any]]) -> None:
        self.streamer_ids.choices = [SelectChoice(value, text) for value, text in choices]
