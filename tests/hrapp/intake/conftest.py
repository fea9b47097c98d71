"""Two Douyin rooms (0439563 for E1001, 00071 for E1002) and an HR user; English messages."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from hrapp.auth.models import Role
from hrapp.extensions import db
from tests.factories import make_account, make_streamer, make_user


@pytest.fixture(autouse=True)
def _english(app, _clean_database):
    with force_locale("en"):
        yield


@pytest.fixture
def rooms(app):
    first = make_streamer(employee_no="E1001", legal_name="张小红", stage_name="小红酱")
    second = make_streamer(employee_no="E1002", legal_name="李阿明", stage_name="阿明")
    accounts = (
        make_account(first, account_id="0439563", nickname="小红的直播间"),
        make_account(second, account_id="00071", nickname="阿明"),
    )
    db.session.commit()
    return accounts


@pytest.fixture
def hr(app):
    user = make_user(Role.HR, username="hr_li")
    db.session.commit()
    return user
