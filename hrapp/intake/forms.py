"""The forms of the roster's and training's import pages that are the same for both: the
confirm under a preview and the rollback of a batch (each kind has its own upload form, whose
label names what the file holds)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField
from wtforms.validators import DataRequired, Length


class ImportConfirmForm(FlaskForm):
    """Confirms the preview that was shown: the plan must still have the same fingerprint."""

    token = HiddenField(validators=[DataRequired()])
    fingerprint = HiddenField(validators=[DataRequired()])
    filename = HiddenField(validators=[Length(max=200)])


class ImportRollbackForm(FlaskForm):
    """Ticked to say HR read what rolling back an import batch removes."""

    confirm = BooleanField()
