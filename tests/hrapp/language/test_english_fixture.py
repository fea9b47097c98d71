"""The `english` fixture of tests/conftest.py: a test in English gets English pages the way a
user would, by a saved choice, since the browser's language no longer counts after login."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from hrapp.auth.models import Role, User
from hrapp.extensions import db
from tests.factories import make_user
from tests.hrapp.language.test_language_default import language_of

pytestmark = pytest.mark.usefixtures("english")


def test_a_user_without_a_choice_has_chosen_english(
    login_as: Callable[[User], FlaskClient],
) -> None:
    user = make_user(Role.HR)
    db.session.commit()
    client = login_as(user)
    assert user.locale == "en"
    assert language_of(client, "/account/password") == "en"


def test_a_user_who_saved_chinese_keeps_it(login_as: Callable[[User], FlaskClient]) -> None:
    user = make_user(Role.HR)
    user.locale = "zh_CN"
    db.session.commit()
    assert language_of(login_as(user), "/account/password") == "zh-CN"


def test_anonymous_pages_are_english(client: FlaskClient) -> None:
    assert language_of(client, "/login") == "en"
