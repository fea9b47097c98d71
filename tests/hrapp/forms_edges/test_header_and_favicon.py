"""Issue 10: after the roster renames a streamer, the account header shows the new name (the
roster is the source of a streamer's name); every page links a favicon that exists."""

from __future__ import annotations

import re

from hrapp.auth.models import Role
from hrapp.extensions import db
from tests.factories import make_streamer, make_user


def _header_name(page: str) -> str:
    match = re.search(r'<a href="/account/password"[^>]*>([^<]*)</a>', page) or re.search(
        r'<a href="[^"]*password[^"]*"[^>]*>([^<]*)</a>', page
    )
    assert match, page
    return match.group(1).strip()


def test_the_header_follows_the_roster_rename(login_as) -> None:
    streamer = make_streamer(employee_no="E1001", legal_name="张小红", stage_name="小红酱")
    user = make_user(Role.STREAMER, streamer=streamer, username="xiaohong")
    user.display_name = "张小红（小红酱）"  # copied when the account was made
    db.session.commit()
    client = login_as(user)

    streamer.legal_name, streamer.stage_name = "张红", "红红"  # the roster renames E1001
    db.session.commit()

    assert _header_name(client.get("/", follow_redirects=True).text) == "张红（红红）"


def test_an_account_without_a_streamer_keeps_its_own_name(login_as) -> None:
    user = make_user(Role.HR, username="hr_name")
    user.display_name = "人事 王"
    db.session.commit()

    assert _header_name(login_as(user).get("/", follow_redirects=True).text) == "人事 王"


def test_every_page_links_a_favicon_that_is_served(client) -> None:
    page = client.get("/login").text
    match = re.search(r'<link rel="icon"[^>]*href="([^"]+)"', page)

    assert match, "no favicon link"
    with client.get(match.group(1)) as icon:  # closes the static file it streams
        assert icon.status_code == 200
        assert icon.mimetype == "image/svg+xml"
        assert b"<svg" in icon.data
