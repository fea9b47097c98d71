"""The out-of-range addresses the attack found answer 404 or a form error, never a 500.

Ids beyond 64 bits match no route (`hrapp.core.params.IdConverter`), page numbers beyond any
list answer 404, and dates outside 1900–2999 are left out of a filter with an error naming it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import NotFound

from hrapp.auth.models import Role, User
from hrapp.core.params import MAX_ID
from hrapp.extensions import db
from tests.factories import make_streamer, make_user

HUGE = "99999999999999999999"


@pytest.fixture(autouse=True)
def _english(english: None) -> None:
    """Errors are checked in the English source text."""


@pytest.fixture
def hr_client(app: Flask, login_as: Callable[[User], FlaskClient]) -> FlaskClient:
    hr = make_user(Role.HR, username="hr_ranges")
    db.session.commit()
    return login_as(hr)


@pytest.mark.parametrize(
    "url",
    [
        f"/jobs/{HUGE}.json",
        f"/jobs/{HUGE}",
        f"/streamers/?page={HUGE}",
        f"/imports/batches/{HUGE}",
        f"/streamers/{2**63}",
        f"/audit/?page={2**63}",
        f"/training/records/new?module={HUGE}",
        f"/sessions/?batch={HUGE}",
    ],
)
def test_ids_and_pages_beyond_64_bits_are_not_found(hr_client: FlaskClient, url: str) -> None:
    assert hr_client.get(url).status_code == 404


def test_the_largest_id_reaches_the_view_and_one_more_matches_no_route(app: Flask) -> None:
    """2**63 - 1 is an id a row can have: the route matches and the view looks it up."""
    routes = app.url_map.bind("localhost")
    assert routes.match(f"/streamers/{MAX_ID}") == ("streamers.show", {"streamer_id": MAX_ID})
    with pytest.raises(NotFound):
        routes.match(f"/streamers/{MAX_ID + 1}")


def test_a_mentee_beyond_64_bits_is_not_found(
    app: Flask, login_as: Callable[[User], FlaskClient]
) -> None:
    streamer = make_user(Role.STREAMER, streamer=make_streamer(), username="mentor_ranges")
    db.session.commit()
    assert login_as(streamer).get(f"/training/me/mentees/{HUGE}").status_code == 404


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("/sessions/?since=0001-01-01", "From: 0001-01-01 is not a date between"),
        ("/sessions/long-weeks?until=9999-12-31", "To: 9999-12-31 is not a date between"),
        ("/sessions/long-weeks?since=0001-01-01", "From: 0001-01-01 is not a date between"),
        ("/audit/?since=0001-01-01", "From: 0001-01-01 is not a date between"),
        ("/audit/?until=9999-12-31", "To: 9999-12-31 is not a date between"),
        ("/audit/?until=2026-02-30", "To: 2026-02-30 is not a date between"),
    ],
)
def test_a_date_a_filter_cannot_use_is_left_out_with_an_error(
    hr_client: FlaskClient, url: str, error: str
) -> None:
    response = hr_client.get(url)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert error in page
    assert "1 Jan 1900 and 31 Dec 2999; it was left out." in page


def test_a_date_within_the_calendar_filters_as_before(hr_client: FlaskClient) -> None:
    response = hr_client.get("/audit/?since=2026-01-01&until=2026-12-31")
    assert response.status_code == 200
    assert "is not a date between" not in response.get_data(as_text=True)


def test_a_month_beyond_the_calendar_shows_all_months(
    app: Flask, login_as: Callable[[User], FlaskClient]
) -> None:
    streamer = make_user(Role.STREAMER, streamer=make_streamer(), username="months_ranges")
    db.session.commit()
    assert login_as(streamer).get("/me/sessions?month=9999-12").status_code == 200
