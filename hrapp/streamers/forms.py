"""Forms of the roster pages. They read only the fields they declare: anything else is ignored."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from hrapp.core.labels import choices
from hrapp.core.timeutil import org_today
from hrapp.streamers import services
from hrapp.streamers.models import Streamer

ANY = SelectChoice("", _l("Any"))
KEEP_HINT = _l("Leave empty to keep the stored number.")


def _text(label: str, limit: int, *, required: bool = False, **kwargs: object) -> StringField:
    first = DataRequired() if required else Optional()
    return StringField(label, validators=[first, Length(max=limit)], **kwargs)


class StreamerForm(FlaskForm):
    """The profile and HR-only details, for editing an existing streamer."""

    employee_no = _text(_l("Employee number"), 20, required=True)
    legal_name = _text(_l("Legal name"), services.NAME_MAX, required=True)
    stage_name = _text(_l("Stage name"), services.NAME_MAX)
    date_of_birth = DateField(_l("Date of birth"), validators=[DataRequired()])
    hire_date = DateField(_l("Hire date"), validators=[DataRequired()])
    category = SelectField(_l("Category"), choices=choices("category"))
    team = _text(_l("Team"), services.TEAM_MAX)
    persona = _text(_l("Persona"), services.PERSONA_MAX)
    id_number = _text(_l("ID number"), 40, description=KEEP_HINT)
    remove_id_number = BooleanField(_l("Remove the stored ID number"))
    bank_account = _text(_l("Bank account number"), 40, description=KEEP_HINT)
    remove_bank_account = BooleanField(_l("Remove the stored bank account number"))
    hr_notes = TextAreaField(_l("HR notes (only HR and administrators see them)"))

    def profile(self) -> services.Profile:
        return services.Profile(
            employee_no=self.employee_no.data or "",
            legal_name=self.legal_name.data or "",
            stage_name=self.stage_name.data or "",
            date_of_birth=self.date_of_birth.data,
            hire_date=self.hire_date.data,
            category=self.category.data or "",
            team=self.team.data or "",
            persona=self.persona.data or "",
        )

    def details(self) -> services.PersonalDetails:
        """An empty number field keeps the stored number; the remove box clears it."""
        return services.PersonalDetails(
            hr_notes=self.hr_notes.data or "",
            id_number="" if self.remove_id_number.data else (self.id_number.data or None),
            bank_account="" if self.remove_bank_account.data else (self.bank_account.data or None),
        )


class NewStreamerForm(StreamerForm):
    """A new streamer also gets a starting level, which starts their level history."""

    level = SelectField(_l("Level"), choices=choices("level"))
    id_number = _text(_l("ID number"), 40)
    bank_account = _text(_l("Bank account number"), 40)


class LevelForm(FlaskForm):
    level = SelectField(_l("New level"), choices=choices("level"))
    effective_on = DateField(_l("Effective from"), validators=[DataRequired()], default=org_today)
    reason = _text(_l("Reason"), services.REASON_MAX, required=True)


class LeaveForm(FlaskForm):
    left_on = DateField(_l("Last day"), validators=[DataRequired()], default=org_today)
    # Its own id: the level form on the same page has a "reason" too.
    reason = _text(_l("Reason (optional)"), services.REASON_MAX, id="leave_reason")


class MentorForm(FlaskForm):
    mentor_id = SelectField(_l("Mentor"), choices=[], validate_choice=True)
    # Back-dated when the mentoring began before HR recorded it: passes count from that day.
    since = DateField(_l("Effective from"), validators=[Optional()], default=org_today)

    def set_candidates(self, candidates: list[Streamer]) -> None:
        self.mentor_id.choices = [
            SelectChoice("", _l("No mentor")),
            *(SelectChoice(str(s.id), f"{s.employee_no} {s.display_name}") for s in candidates),
        ]


class AccountForm(FlaskForm):
    platform = SelectField(_l("Platform"), choices=choices("platform"))
    account_id = _text(_l("Account id"), 64, required=True)
    nickname = _text(_l("Nickname"), services.NICKNAME_MAX)


class NicknameForm(FlaskForm):
    nickname = _text(_l("Nickname"), services.NICKNAME_MAX)


class MoveAccountForm(FlaskForm):
    employee_no = _text(_l("Move to employee number"), 20, required=True)


class CreateLoginForm(FlaskForm):
    username = _text(_l("Username"), 80, required=True)
    password = StringField(
        _l("Password"),
        validators=[Optional()],
        description=_l("Leave empty to generate one; it is shown once, after saving."),
    )


class LinkLoginForm(FlaskForm):
    username = _text(_l("Existing username"), 80, required=True)


class RosterFilterForm(FlaskForm):
    """The list's search and filters: built from `request.args` (a GET, so no CSRF)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"))
    level = SelectField(_l("Level"), choices=[ANY, *choices("level")])
    team = SelectField(_l("Team"), choices=[ANY])
    category = SelectField(_l("Category"), choices=[ANY, *choices("category")])
    status = SelectField(
        _l("Status"),
        choices=[
            SelectChoice("active", lazy_pgettext("streamer status", "Active")),
            SelectChoice("left", _l("Left")),
            SelectChoice("all", _l("All")),
        ],
        default="active",
    )

    def filter(self, teams: list[str]) -> services.RosterFilter:
        """The filter asked for; a value that is not one of the choices counts as "any"."""
        self.team.choices = [ANY, *(SelectChoice(t, t) for t in teams)]
        self.validate()
        return services.RosterFilter(
            text=self.q.data or "",
            level=self.level.data if not self.level.errors else "",
            team=self.team.data if not self.team.errors else "",
            category=self.category.data if not self.category.errors else "",
            status=self.status.data if not self.status.errors else "active",
        )


class ImportUploadForm(FlaskForm):
    file = FileField(_l("Roster file (CSV or XLSX)"), validators=[FileRequired()])
