"""Forms for logging in, changing a password and managing accounts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from hrapp.core.labels import choices


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired()])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AtLeastOne:
    """At least one box ticked, checked on the server only.

    Not DataRequired: its `required` flag puts the HTML `required` on every checkbox, and a
    browser then refuses to submit the form until all of them are ticked.
    """

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: FlaskForm, field: SelectMultipleField) -> None:
        if not field.data:
            raise StopValidation(self.message)


class UserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=80)])
    display_name = StringField(_l("Display name"), validators=[Optional(), Length(max=120)])
    roles = MultiCheckboxField(
        _l("Roles"),
        choices=choices("role"),
        validators=[AtLeastOne(message=_l("Choose at least one role."))],
    )
    employee_no = StringField(
        _l("Linked streamer (employee number)"), validators=[Optional(), Length(max=20)]
    )
    password = PasswordField(_l("Password"), validators=[Optional()])
    active = BooleanField(lazy_pgettext("user account", "Active"), default=True)
