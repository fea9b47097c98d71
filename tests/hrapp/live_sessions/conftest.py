"""The room most tests import into: streamer E1001 on Douyin account 0439563.

Tests assert the English source messages, so services and commands run in English here (pages
ask for English with Accept-Language); the Chinese catalogue is checked by the translation
tests.
"""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from hrapp.auth.models import Role
from hrapp.extensions import db
from tests.factories import make_account, make_streamer, make_user


@pytest.fixture(autouse=True)
def _english(app, _clean_database):
    # The test's app context (and its `g`, where the locale lives) is the CLI runner's too.
    with force_locale("en"):
        yield


@pytest.fixture
def streamer(app):
    return make_streamer(employee_no="E1001", legal_name="张小红", stage_name="小红酱")


@pytest.fixture
def room(streamer):
    account = make_account(streamer, account_id="0439563", nickname="小红的直播间")
    db.session.commit()
    return account


@pytest.fixture
def hr(app):
    user = make_user(Role.HR, username="hr_li")
    db.session.commit()
    return user
