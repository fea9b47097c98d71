"""Forms of the import pages. They read only the fields they declare: anything else is ignored."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileRequired, MultipleFileField
from wtforms import BooleanField, FieldList, Form, FormField, HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

PLATFORM_CHOICES = [
    SelectChoice("auto", _l("Recognise from the headers")),
    SelectChoice("douyin", _l("Douyin (Compass list or big-screen export)")),
    SelectChoice("taobao", _l("Taobao Live")),
    SelectChoice("tiktok", _l("TikTok Shop")),
    SelectChoice("template", _l("hrapp template")),
]
PLATFORMS = tuple(c.value for c in PLATFORM_CHOICES)
EXTRA_HOST_ROWS = 3


class UploadForm(FlaskForm):
    # Several at once: a month of per-session 直播大屏 downloads, or ZIPs of them.
    file = MultipleFileField(
        _l("Export files (CSV, XLSX or ZIP; several at once)"), validators=[FileRequired()]
    )
    platform = SelectField(_l("Format"), choices=PLATFORM_CHOICES, default="auto")


class ConfirmForm(FlaskForm):
    name = HiddenField(validators=[DataRequired(), Length(max=255)])
    platform = HiddenField(validators=[DataRequired()])
    accept_valid_rows = BooleanField(_l("Import the valid rows and skip the rejected ones"))


class RollbackForm(FlaskForm):
    # Ticked to say HR read what the rollback removes (the page words it with the batch's counts).
    confirm = BooleanField()
    discard_host_edits = BooleanField(_l("Also discard the host edits made since this import"))


class MapAccountForm(FlaskForm):
    platform = HiddenField(validators=[DataRequired()])
    account_id = HiddenField(validators=[DataRequired(), Length(max=64)])
    nickname = HiddenField(validators=[Optional(), Length(max=120)])
    employee_no = StringField(_l("Employee number"), validators=[DataRequired(), Length(max=20)])
    next = HiddenField()
    # The page the form is on: from an import's check, the file is checked again at once.
    origin = HiddenField()


class AccountRow(Form):
    """One unknown account of a check; left without a number, it is not mapped now."""

    platform = HiddenField(validators=[DataRequired()])
    account_id = HiddenField(validators=[DataRequired(), Length(max=64)])
    nickname = HiddenField(validators=[Optional(), Length(max=120)])
    employee_no = StringField(_l("Employee number"), validators=[Optional(), Length(max=20)])


class MapAccountsForm(FlaskForm):
    """Every unknown account of a check in one form: one submit maps all the filled rows."""

    accounts = FieldList(FormField(AccountRow))
    next = HiddenField()

    def filled(self) -> list[tuple[str, str, str, str]]:
        """(platform, account id, nickname, employee number) of the rows given a number."""
        return [
            (
                row.platform.data or "",
                row.account_id.data or "",
                row.nickname.data or "",
                (row.employee_no.data or "").strip(),
            )
            for row in self.accounts
            if (row.employee_no.data or "").strip()
        ]


class RateForm(FlaskForm):
    currency = StringField(
        _l("Currency (e.g. USD)"),
        validators=[DataRequired(), Regexp(r"^[A-Za-z]{3}$", message=_l("Three letters."))],
    )
    month = StringField(
        _l("Month (YYYY-MM)"),
        validators=[DataRequired(), Regexp(r"^\d{4}-\d{2}$", message=_l("As YYYY-MM."))],
    )
    rate = StringField(
        _l("1 unit of the currency is worth (in the organisation's currency)"),
        validators=[DataRequired(), Length(max=30)],
    )


class HostRow(Form):
    """One host line; a plain Form inside the page's form, which carries the CSRF token."""

    employee_no = StringField(_l("Employee number"), validators=[Optional(), Length(max=20)])
    share = StringField(_l("Share (%)"), validators=[Optional(), Length(max=10)])


class HostsForm(FlaskForm):
    hosts = FieldList(FormField(HostRow), min_entries=1)

    def filled(self) -> list[tuple[str, str]]:
        """(employee number, share text) of the lines HR filled in."""
        return [
            ((row.employee_no.data or "").strip(), (row.share.data or "").strip())
            for row in self.hosts
            if (row.employee_no.data or "").strip() or (row.share.data or "").strip()
        ]
