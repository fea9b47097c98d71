"""Forms of the appraisal pages. The scheme's own values are plain inputs named by their path
(see `hrapp.appraisals.scheme_form`); these forms carry the rest."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from hrapp.live_sessions.parsing.numbers import CellError, parse_amount

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
    # The version the editor started from: a version number, or the form was not ours.
    based_on = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,18}$")])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=300)], description=NOTE_HELP)


class FigureError(ValueError):
    """A what-if figure that cannot be used; the message names the field and the reason."""


# What a quarter can hold: beyond these the figures are typing mistakes, and far beyond them
# (1e30 yuan, 1e308 hours) the arithmetic overflows.
MAX_NET_GMV_YUAN = Decimal(10) ** 12  # ¥1,000,000,000,000
MAX_WATCH_SECONDS = Decimal(24 * 3600)  # a day
MAX_NET_FOLLOWERS = Decimal(10) ** 9
MAX_HOURS = Decimal(92 * 24)  # the longest quarter: 92 days


def read_figure(
    text: str, label: str, low: Decimal, high: Decimal, *, places: int | None, money: bool
) -> Decimal:
    """One what-if figure read by the session importer's own number parser (``120万``,
    ``1,200,000``, ``¥1,200,000.50``), checked against ``low``…``high`` and ``places``
    decimals (None: any). FigureError says which field and why."""
    try:
        amount = parse_amount(text)
    except CellError:
        reason = (
            _("Write the amount in yuan, e.g. 1200000 or 1,200,000.50.")
            if money
            else _("Write a number, e.g. 1200, 1,200 or 1.2万.")
        )
        raise FigureError(_("%(field)s: %(reason)s", field=label, reason=reason)) from None
    if amount is None:
        raise FigureError(_("%(field)s: this field is required.", field=label))
    if amount.symbol and not (money and amount.symbol == "¥"):
        reason = (
            _("amounts are in yuan (¥).") if money else _("a currency sign is not allowed here.")
        )
        raise FigureError(_("%(field)s: %(reason)s", field=label, reason=reason))
    value = amount.value
    if not low <= value <= high:
        raise FigureError(
            _(
                "%(field)s: must be between %(low)s and %(high)s.",
                field=label,
                low=f"{low:,}",
                high=f"{high:,}",
            )
        )
    if places is not None and value != round(value, places):
        reason = (
            _("a whole number, without decimals.")
            if places == 0
            else _("more than two decimals (an amount is exact to the fen).")
        )
        raise FigureError(_("%(field)s: %(reason)s", field=label, reason=reason))
    return value


class FigureField(StringField):
    """A number typed as the importer reads it; `number` is the Decimal after validation."""

    def __init__(
        self,
        label: str,
        low: Decimal,
        high: Decimal,
        *,
        places: int | None = None,
        money: bool = False,
        **kwargs,
    ) -> None:
        super().__init__(label, validators=[Length(max=40)], **kwargs)
        self.low, self.high, self.places, self.money = low, high, places, money
        self.number: Decimal | None = None

    def pre_validate(self, form: FlaskForm) -> None:
        self.number = None
        try:
            self.number = read_figure(
                self.data or "",
                str(self.label.text),
                self.low,
                self.high,
                places=self.places,
                money=self.money,
            )
        except FigureError as exc:
            raise ValidationError(str(exc)) from None


class WhatIfForm(FlaskForm):
    """Read only (a GET form): it changes nothing, so it needs no CSRF token. The figures are
    read as the session importer reads an export (``120万``, ``1,200,000``)."""

    class Meta:
        csrf = False

    level = SelectField(_l("Level"), validators=[InputRequired()])
    net_gmv = FigureField(
        _l("Net GMV for the quarter (¥)"),
        -MAX_NET_GMV_YUAN,
        MAX_NET_GMV_YUAN,
        places=2,
        money=True,
        description=_l("In yuan, e.g. 1200000, 1,200,000.50 or 120万."),
    )
    watch_seconds = FigureField(_l("Average watch time (seconds)"), Decimal(0), MAX_WATCH_SECONDS)
    net_followers = FigureField(
        _l("Net new followers"), -MAX_NET_FOLLOWERS, MAX_NET_FOLLOWERS, places=0
    )
    hours = FigureField(_l("On-air hours"), Decimal(0), MAX_HOURS)

    def set_levels(self, levels: list[tuple[str, str]]) -> None:
        self.level.choices = [SelectChoice(key, label) for key, label in levels]
