"""User-supplied text renders escaped: a display name cannot run script in anyone's browser."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from markupsafe import escape

from hrapp.auth.models import Role, User
from hrapp.extensions import db
from tests.factories import make_user

HOSTILE_NAMES = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_display_name_is_escaped_on_the_accounts_page_and_in_the_navbar(
    login_as: Callable[[User], FlaskClient], name: str
) -> None:
    admin = make_user(Role.ADMIN)
    admin.display_name = name
    db.session.commit()
    client = login_as(admin)
    # The accounts list, the edit form (an attribute value) and any page's navbar.
    for url in ("/accounts", f"/accounts/{admin.id}", "/account/password"):
        body = client.get(url).get_data(as_text=True)
        assert name not in body, url
        assert str(escape(name)) in body, url  # shown, as text
