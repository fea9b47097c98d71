"""The roster's rules as plain functions, shared by the services and the roster import.

A check returns the reason a value is refused (a full, translated sentence) or None, so that a
page can show it beside its field and the import can report it with its row and column.
"""

from __future__ import annotations

import datetime as dt
import re

from flask_babel import gettext as _

from hrapp.streamers.models import MIN_STREAMER_AGE

EMPLOYEE_NO_MAX = 20
ACCOUNT_ID_MAX = 64
MASK = "****"
VISIBLE_TAIL = 4

_ID_NUMBER = re.compile(r"[0-9A-Z-]{4,40}")
_MAINLAND_ID = re.compile(r"\d{17}[\dX]")
# GB 11643: weights of the first 17 digits and the check character for each remainder mod 11.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_BANK_ACCOUNT = re.compile(r"\d{8,30}")


def age_on(born: dt.date, day: dt.date) -> int:
    """Whole years of age on `day` (someone born on 29 February turns a year older on 1 March)."""
    years = day.year - born.year
    if (day.month, day.day) < (born.month, born.day):
        years -= 1
    return years


def age_problem(born: dt.date | None, hired: dt.date | None, today: dt.date) -> str | None:
    """Streamers must be at least 16 on their hire date and today (网络直播营销管理办法)."""
    if born is None:
        return None
    if born > today:
        return _("The date of birth is in the future.")
    if hired is not None and hired < born:
        return _("The hire date is before the date of birth.")
    if hired is not None and age_on(born, hired) < MIN_STREAMER_AGE:
        return _(
            "A streamer must be at least %(min)d years old on the hire date; "
            "born %(born)s, hired %(hired)s.",
            min=MIN_STREAMER_AGE,
            born=born.isoformat(),
            hired=hired.isoformat(),
        )
    if age_on(born, today) < MIN_STREAMER_AGE:
        return _(
            "A streamer must be at least %(min)d years old; born %(born)s, this person is "
            "%(age)d today.",
            min=MIN_STREAMER_AGE,
            born=born.isoformat(),
            age=age_on(born, today),
        )
    return None


def normalise_employee_no(text: str | None) -> str:
    """Employee numbers are codes: no surrounding space, upper case (E1001 and e1001 are one)."""
    return (text or "").strip().upper()


def employee_no_problem(employee_no: str) -> str | None:
    if not employee_no:
        return _("An employee number is required.")
    if len(employee_no) > EMPLOYEE_NO_MAX:
        return _("An employee number has at most %(n)d characters.", n=EMPLOYEE_NO_MAX)
    if any(ch.isspace() for ch in employee_no):
        return _("An employee number cannot contain spaces.")
    return None


def normalise_account_id(text: str | None) -> str:
    """Account ids are text: only the surrounding space goes, leading zeros stay."""
    return (text or "").strip()


def account_id_problem(account_id: str) -> str | None:
    if not account_id:
        return _("An account id is required.")
    if len(account_id) > ACCOUNT_ID_MAX:
        return _("An account id has at most %(n)d characters.", n=ACCOUNT_ID_MAX)
    if any(ch.isspace() for ch in account_id):
        return _("An account id cannot contain spaces.")
    return None


def normalise_id_number(text: str) -> str:
    return re.sub(r"\s+", "", text).upper()


def id_number_problem(id_number: str) -> str | None:
    """Any identity document number; an 18-character mainland number must pass its checksum."""
    if not _ID_NUMBER.fullmatch(id_number):
        return _("An ID number has 4 to 40 letters, digits or hyphens.")
    if _MAINLAND_ID.fullmatch(id_number):
        total = sum(int(d) * w for d, w in zip(id_number[:17], _ID_WEIGHTS, strict=True))
        if _ID_CHECK[total % 11] != id_number[17]:
            return _("The check digit of this ID number is wrong; please check the number.")
    return None


def normalise_bank_account(text: str) -> str:
    return re.sub(r"[\s-]+", "", text)


def bank_account_problem(bank_account: str) -> str | None:
    if not _BANK_ACCOUNT.fullmatch(bank_account):
        return _("A bank account number has 8 to 30 digits.")
    return None


def mask(value: str | None) -> str:
    """Only the last four characters of an ID or bank number are ever shown (PIPL)."""
    if not value:
        return ""
    tail = value[-VISIBLE_TAIL:] if len(value) > VISIBLE_TAIL else ""
    return MASK + tail
