"""The form HR confirms a promotion with."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, StringField
from wtforms.validators import DataRequired, Length

from hrapp.streamers.services import REASON_MAX


class ConfirmForm(FlaskForm):
    streamer_id = IntegerField(validators=[DataRequired()])
    to_level = HiddenField(validators=[DataRequired()])
    cycle = HiddenField(validators=[DataRequired()])
    effective_on = DateField(_l("Effective from"), validators=[DataRequired()])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=REASON_MAX)])
