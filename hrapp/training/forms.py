"""Forms of the trainer's workspace.

Per-attendee scores of the class form and per-dimension rubric scores depend on the roster and
the module, so they are plain inputs named ``score-<streamer id>`` and ``rubric-<key>``, read by
`scores_from` and `rubric_from`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from hrapp.core.errors import ValidationFailed
from hrapp.core.labels import choices
from hrapp.training.curriculum import TOPICS
from hrapp.training.services import REASON_MIN_LENGTH

RUBRIC_SEPARATOR = "|"
RUBRIC_PARTS = 3  # key, Chinese name, English name


def rubric_text(rubric: list[dict[str, str]]) -> str:
    """The rubric as the form edits it: one ``key | 中文 | English`` line per dimension."""
    return "\n".join(f" {RUBRIC_SEPARATOR} ".join((d["key"], d["zh"], d["en"])) for d in rubric)


def parse_rubric(text: str) -> list[dict[str, str]]:
    dimensions = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split(RUBRIC_SEPARATOR)]
        if len(parts) != RUBRIC_PARTS or not all(parts):
            raise ValueError(
                _(
                    "Line %(n)d: write key | 中文 | English, e.g. pacing | 控场节奏 | Pacing.",
                    n=number,
                )
            )
        dimensions.append({"key": parts[0], "zh": parts[1], "en": parts[2]})
    return dimensions


class ModuleForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=30)])
    title_zh = StringField(_l("Chinese title"), validators=[DataRequired(), Length(max=120)])
    title_en = StringField(_l("English title"), validators=[DataRequired(), Length(max=120)])
    topic = SelectField(_l("Topic"), choices=[], validators=[Optional(), Length(max=60)])
    hours = FloatField(_l("Hours"), default=0, validators=[NumberRange(min=0, max=1000)])
    pass_mark = FloatField(
        _l("Pass mark (0–100)"),
        validators=[Optional(), NumberRange(min=0, max=100)],
        description=_l("Empty: attending the module is passing it."),
    )
    validity_months = IntegerField(
        _l("Valid for (months)"),
        validators=[Optional(), NumberRange(min=1, max=240)],
        description=_l("Empty: never expires."),
    )
    assessed = BooleanField(_l("Assessed"))
    # Not named `rubric`: the module's own `rubric` (a list) would fill it instead.
    rubric_lines = TextAreaField(
        _l("Rubric dimensions"),
        description=_l("One per line: key | 中文 | English. Each is scored 0–10."),
        render_kw={"rows": 6},
    )
    position = IntegerField(_l("Order in the curriculum"), default=0, validators=[Optional()])
    active = BooleanField(_l("In use"), default=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The curriculum's categories; a topic typed in before they existed stays selectable.
        stored = getattr(kwargs.get("obj"), "topic", "") or ""
        self.topic.choices = [SelectChoice("", "—"), *choices("training_category")]
        if stored and stored not in TOPICS:
            self.topic.choices.append(SelectChoice(stored, stored))

    def validate_rubric_lines(self, field: StringField) -> None:
        try:
            parse_rubric(field.data or "")
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc

    def values(self) -> dict[str, Any]:
        """The module's column values as the service takes them."""
        return {
            "code": self.code.data or "",
            "title_zh": (self.title_zh.data or "").strip(),
            "title_en": (self.title_en.data or "").strip(),
            "topic": (self.topic.data or "").strip(),
            "hours": self.hours.data or 0,
            "pass_mark": self.pass_mark.data,
            "validity_months": self.validity_months.data,
            "assessed": bool(self.assessed.data),
            "rubric": parse_rubric(self.rubric_lines.data or ""),
            "active": bool(self.active.data),
            "position": self.position.data or 0,
        }


class RecordForm(FlaskForm):
    """One attempt; the module is chosen first (in the address), as it decides the inputs."""

    streamer_id = SelectField(_l("Streamer"), coerce=int, validators=[DataRequired()])
    completed_on = DateField(_l("Date"), validators=[DataRequired()])
    score = FloatField(_l("Score (0–100)"), validators=[Optional()])
    trainer_id = SelectField(_l("Trainer"), coerce=int, validators=[DataRequired()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])


class ClassForm(FlaskForm):
    """A class; the module comes from the address, the attendees from `attendee` checkboxes."""

    held_on = DateField(_l("Date"), validators=[DataRequired()])
    trainer_id = SelectField(_l("Trainer"), coerce=int, validators=[DataRequired()])
    notes = TextAreaField(_l("Notes on the class"), validators=[Optional(), Length(max=2000)])


def long_enough_reason(_form: FlaskForm, field: StringField) -> None:
    """A reason of at least REASON_MIN_LENGTH characters, the error naming its field."""
    if len((field.data or "").strip()) < REASON_MIN_LENGTH:
        raise ValidationError(
            _(
                "%(field)s: give at least %(n)d characters; the reason is kept in the audit log.",
                field=field.label.text,
                n=REASON_MIN_LENGTH,
            )
        )


class CorrectForm(FlaskForm):
    completed_on = DateField(_l("Date"), validators=[DataRequired()])
    score = FloatField(_l("Score (0–100)"), validators=[Optional()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])
    reason = StringField(
        _l("Reason for the correction"), validators=[long_enough_reason, Length(max=300)]
    )
    version = HiddenField()


class VoidForm(FlaskForm):
    reason = StringField(_l("Reason for voiding"), validators=[long_enough_reason, Length(max=300)])


class MentorForm(FlaskForm):
    mentor_id = SelectField(_l("Mentor"), coerce=int)


class ImportForm(FlaskForm):
    file = FileField(_l("CSV or XLSX file"), validators=[FileRequired()])


def _number(text: str, what: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValidationFailed(
            _("%(what)s: %(text)s is not a number.", what=what, text=text)
        ) from None
    if not math.isfinite(value):
        raise ValidationFailed(_("%(what)s: %(text)s is not a number.", what=what, text=text))
    return value


def rubric_from(
    formdata: Mapping[str, str], rubric: list[dict[str, str]]
) -> dict[str, float | None]:
    """The rubric inputs of a submitted form, by dimension key (None where left empty)."""
    return {d["key"]: _number(formdata.get(f"rubric-{d['key']}", ""), d["zh"]) for d in rubric}


def scores_from(
    formdata: Mapping[str, str], streamer_ids: list[int], names: Mapping[int, str]
) -> dict[int, float | None]:
    """Each chosen attendee's score input (None where left empty)."""
    return {sid: _number(formdata.get(f"score-{sid}", ""), names[sid]) for sid in streamer_ids}
