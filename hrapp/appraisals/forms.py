"""Forms of the appraisal pages. The scheme's own values are plain inputs named by their path
(see `hrapp.appraisals.scheme_form`); these forms carry the rest."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import FloatField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

NOTE_HELP = _l("What changed and why; shown in the version list.")


class CycleForm(FlaskForm):
    code = StringField(
        _l("Quarter"),
        validators=[DataRequired(), Length(max=10)],
        description=_l("Year and quarter, e.g. 2026Q3."),
    )


class SchemeUploadForm(FlaskForm):
    file = FileField(_l("TOML file"))
    toml = TextAreaField(_l("Or paste the TOML document"), validators=[Optional()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=300)], description=NOTE_HELP)


class SchemeEditForm(FlaskForm):
    based_on = HiddenField(validators=[DataRequired()])  # the version the editor started from
    note = StringField(_l("Note"), validators=[Optional(), Length(max=300)], description=NOTE_HELP)


class WhatIfForm(FlaskForm):
    """Read only (a GET form): it changes nothing, so it needs no CSRF token."""

    class Meta:
        csrf = False

    level = SelectField(_l("Level"), validators=[InputRequired()])
    net_gmv = StringField(
        _l("Net GMV for the quarter (¥)"), validators=[DataRequired(), Length(max=30)]
    )
    watch_seconds = FloatField(
        _l("Average watch time (seconds)"), validators=[InputRequired(), NumberRange(min=0)]
    )
    net_followers = IntegerField(_l("Net new followers"), validators=[InputRequired()])
    hours = FloatField(_l("On-air hours"), validators=[InputRequired(), NumberRange(min=0)])

    def set_levels(self, levels: list[tuple[str, str]]) -> None:
        self.level.choices = [SelectChoice(key, label) for key, label in levels]
