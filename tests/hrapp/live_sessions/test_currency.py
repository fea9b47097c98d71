"""Foreign-currency exports: HR's monthly rate, exact conversion, a clear refusal without one."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import select

from hrapp.core.audit import AuditEntry
from hrapp.core.errors import ValidationFailed
from hrapp.extensions import db
from hrapp.intake.batch_model import ImportBatch
from hrapp.live_sessions import services
from hrapp.live_sessions.importer import convert_minor, import_sessions
from hrapp.live_sessions.models import ExchangeRate, LiveSession
from tests.factories import make_account

from .builders import count, template_file


def tiktok_file(revenue: str = "$1,234.57", launched: str = "2026/09/03/ 19:30") -> bytes:
    """TikTok Shop LIVE analysis: the currency is only in the header, `Revenue ($)`."""
    return (
        "Creator ID,Creator,Launched Time,Duration,Revenue ($),Viewers,Views\n"
        f'7001,Amy Live,{launched},1h,"{revenue}",100,150\n'
    ).encode()


@pytest.fixture
def creator(streamer):
    account = make_account(streamer, platform="tiktok", account_id="7001", nickname="Amy Live")
    db.session.commit()
    return account


def test_no_rate_names_currency_and_month_and_writes_nothing(creator):
    outcome = import_sessions(tiktok_file(), "live.csv")
    db.session.commit()

    assert outcome.status == "refused"
    [problem] = outcome.problems
    assert "USD" in problem.text and "2026-09" in problem.text
    assert count(LiveSession) == 0
    assert db.session.get(ImportBatch, outcome.batch_id).status == "refused"


def test_with_a_rate_amounts_are_converted_exactly_and_keep_their_currency(creator):
    services.set_rate("USD", "2026-09", "7.1234", user_id=None)
    db.session.commit()

    outcome = import_sessions(tiktok_file("$1,234.57"), "live.csv")
    db.session.commit()

    assert outcome.inserted == 1
    session = db.session.scalars(select(LiveSession)).one()
    # 123,457 cents × 7.1234 = 879,433.5938 fen → 879,434 (one half-up rounding).
    assert session.gmv_fen == 879_434
    assert (session.currency, session.fx_rate) == ("USD", "7.1234")


def test_the_month_is_the_start_month_in_the_organisation_zone(creator):
    services.set_rate("USD", "2026-09", "7.0", user_id=None)
    services.set_rate("USD", "2026-10", "8.0", user_id=None)
    db.session.commit()

    # 00:30 on 1 October in Shanghai is still 30 September in UTC: October's rate applies.
    import_sessions(tiktok_file("$1.00", "2026/10/01/ 00:30"), "live.csv")
    db.session.commit()

    assert db.session.scalars(select(LiveSession.gmv_fen)).one() == 800


def test_template_rows_in_another_currency_convert_every_amount(room):
    services.set_rate("HKD", "2026-09", "0.9123", user_id=None)
    db.session.commit()

    import_sessions(
        template_file({"currency": "HKD", "gmv": "100.00", "refunds": "0.05"}), "hk.csv"
    )
    db.session.commit()

    session = db.session.scalars(select(LiveSession)).one()
    # 10,000 × 0.9123 = 9,123; 5 × 0.9123 = 4.5615 → 5.
    assert (session.gmv_fen, session.refunds_fen) == (9_123, 5)


def test_a_new_rate_converts_the_same_file_anew_on_reimport(creator):
    services.set_rate("USD", "2026-09", "7", user_id=None)
    import_sessions(tiktok_file("$10.00"), "live.csv")
    services.set_rate("USD", "2026-09", "7.2", user_id=None)

    again = import_sessions(tiktok_file("$10.00"), "live.csv")
    db.session.commit()

    assert again.updated == 1
    session = db.session.scalars(select(LiveSession)).one()
    assert (session.gmv_fen, session.fx_rate) == (7_200, "7.2")


@pytest.mark.parametrize(
    ("minor", "rate", "exponent", "fen"),
    [
        (10, "7.15", 2, 72),  # 71.5 → 72: half up
        (-10, "7.15", 2, -72),  # negative platform net: half away from zero
        (123_457, "7.1234", 2, 879_434),
        (15, "0.3", 2, 5),  # 4.5 → 5
        (1_000, "0.048", 0, 4_800),  # 1,000 yen × 0.048 = 48 yuan
        (1, "0.0000001", 2, 0),
    ],
)
def test_conversion_is_exact_integer_arithmetic(minor, rate, exponent, fen):
    converted = convert_minor(pd.Series([minor, None], dtype="Int64"), Decimal(rate), exponent)

    assert converted.iloc[0] == fen and pd.isna(converted.iloc[1])


def test_setting_a_rate_is_validated_normalised_and_audited(app, hr):
    row = services.set_rate("usd", "2026-09", "7.1000", user_id=hr.id)
    services.set_rate("USD", "2026-09", "7.2", user_id=hr.id)
    db.session.commit()

    assert (row.currency, row.rate, row.set_by_id) == ("USD", "7.2", hr.id)
    changes = db.session.scalars(
        select(AuditEntry.changes).where(AuditEntry.action == "exchange_rate.set")
    ).all()
    assert changes == [{"rate": [None, "7.1"]}, {"rate": ["7.1", "7.2"]}]
    for currency, month, rate in [
        ("CNY", "2026-09", "1"),  # the organisation's own currency needs no rate
        ("XYZ", "2026-09", "1"),
        ("USD", "2026-13", "7"),
        ("USD", "2026-09", "-7"),
        ("USD", "2026-09", "seven"),
    ]:
        with pytest.raises(ValidationFailed):
            services.set_rate(currency, month, rate, user_id=hr.id)
    assert count(ExchangeRate) == 1
