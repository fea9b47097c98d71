"""Teams are listed in counting order (一组, 二组 … 十一组), wherever they are listed."""

from __future__ import annotations

import re

import pytest

from hrapp.extensions import db
from hrapp.streamers.teams import sorted_teams
from hrapp.training.services import NO_TEAM, completion_by_team
from tests.factories import make_streamer

SHUFFLED = ["三组", "十一组", "A组", "二组", "十组", "一组", "二十三组", "12组", "四组", "2组"]
COUNTED = ["一组", "2组", "二组", "三组", "四组", "十组", "十一组", "12组", "二十三组", "A组"]


def test_numbers_in_chinese_numerals_or_digits_sort_by_value() -> None:
    assert sorted_teams(SHUFFLED) == COUNTED


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["直播十组", "直播二组", "直播一组"], ["直播一组", "直播二组", "直播十组"]),
        (["二组B", "二组A", "一组B"], ["一组B", "二组A", "二组B"]),
        (["二〇组", "十九组"], ["十九组", "二〇组"]),  # 二〇 read as 20
    ],
)
def test_the_text_around_the_number_still_counts(names: list[str], expected: list[str]) -> None:
    assert sorted_teams(names) == expected


def _options(page: str, select_name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{select_name}"[^>]*>(.*?)</select>', page, re.S)
    assert select, f"no {select_name} select on the page"
    return [v for v in re.findall(r'<option[^>]*value="([^"]*)"', select.group(1)) if v]


def test_the_roster_filter_and_the_training_pages_list_teams_in_counting_order(
    hr, login_as
) -> None:
    for team in SHUFFLED:
        make_streamer(team=team)
    make_streamer(team="")
    db.session.commit()
    client = login_as(hr)

    assert _options(client.get("/streamers/").text, "team") == COUNTED
    assert _options(client.get("/training/streamers").text, "team") == COUNTED
    assert _options(client.get("/training/classes/new").text, "team") == COUNTED
    assert list(completion_by_team()) == [*COUNTED, NO_TEAM]  # the team chart's bars
