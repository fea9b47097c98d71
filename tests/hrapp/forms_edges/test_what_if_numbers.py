"""Issue 10, point 4: the what-if reads numbers as the session importer does (120万,
1,200,000, ¥1,200,000.50) and answers out-of-range input with a form error naming the field,
never a 500 — on the page and in `hrapp whatif`."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

# The worked example of tests/hrapp/appraisals/test_what_if.py: ¥1,200,000 net GMV, grade A,
# 200 h below the senior gate → commission ¥6,325.00.
FIGURES = {
    "level": "senior",
    "net_gmv": "1200000",
    "watch_seconds": "90",
    "net_followers": "15000",
    "hours": "200",
}


def _page(client, **changes: str):
    return client.get("/appraisals/what-if?" + urlencode({**FIGURES, **changes}))


@pytest.mark.parametrize("net_gmv", ["120万", "1,200,000", "¥1,200,000.00", "1200000"])
def test_the_importers_number_forms_are_read(hr_client, net_gmv: str) -> None:
    page = _page(hr_client, net_gmv=net_gmv)

    assert page.status_code == 200, page.text
    assert "¥6,325.00" in page.text


def test_the_other_figures_take_the_same_forms(hr_client) -> None:
    page = _page(hr_client, net_followers="1.5万", watch_seconds="90.0", hours="2,00")

    # "2,00" is no thousands grouping: the field is refused, the rest is not.
    assert page.status_code == 422
    assert "On-air hours: Write a number" in page.text
    ok = _page(hr_client, net_followers="1.5万")
    assert ok.status_code == 200 and "¥6,325.00" in ok.text


def test_cents_are_kept(hr_client) -> None:
    page = _page(hr_client, net_gmv="¥1,200,000.50", hours="300")

    assert page.status_code == 200
    # The statement starts from the net GMV as typed, fen included.
    assert "¥1,200,000.50" in page.text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"net_gmv": "1e30"}, "Net GMV for the quarter (¥): Write the amount in yuan"),
        (
            {"net_gmv": "1" + "0" * 30},
            "Net GMV for the quarter (¥): must be between -1,000,000,000,000 and",
        ),
        ({"net_gmv": "NaN"}, "Net GMV for the quarter (¥): Write the amount in yuan"),
        ({"net_gmv": "1.234"}, "Net GMV for the quarter (¥): more than two decimals"),
        ({"net_gmv": "$100"}, "Net GMV for the quarter (¥): amounts are in yuan (¥)."),
        ({"hours": "1e308"}, "On-air hours: Write a number"),
        ({"hours": "9" * 400}, "On-air hours: must be between 0 and 2,208."),
        ({"hours": "-5"}, "On-air hours: must be between 0 and 2,208."),
        ({"hours": "nan"}, "On-air hours: Write a number"),
        ({"watch_seconds": "inf"}, "Average watch time (seconds): Write a number"),
        ({"watch_seconds": "-1"}, "Average watch time (seconds): must be between 0 and"),
        ({"net_followers": "1" + "0" * 400}, "Net new followers: must be between"),
        ({"net_followers": "1.5"}, "Net new followers: a whole number, without decimals."),
        ({"net_followers": ""}, "Net new followers: this field is required."),
    ],
)
def test_out_of_range_input_is_a_form_error_naming_the_field(
    hr_client, changes: dict[str, str], message: str
) -> None:
    page = _page(hr_client, **changes)

    assert page.status_code == 422
    assert message in page.text
    assert "¥6,325.00" not in page.text


def _whatif(cli, net_gmv: str, hours: str = "200"):
    return cli(
        "whatif",
        "--level",
        "senior",
        "--net-gmv",
        net_gmv,
        "--watch-seconds",
        "90",
        "--net-followers",
        "15000",
        "--hours",
        hours,
    )


@pytest.mark.parametrize("net_gmv", ["120万", "1,200,000", "¥1,200,000.00"])
def test_the_command_reads_the_same_forms(cli, net_gmv: str) -> None:
    result = _whatif(cli, net_gmv)

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["commission"] == "6325.00"


@pytest.mark.parametrize(
    ("net_gmv", "hours", "message"),
    [
        ("1e30", "200", "--net-gmv: Write the amount in yuan"),
        ("1" + "0" * 30, "200", "--net-gmv: must be between"),
        ("1200000", "1e308", "'--hours'"),
        ("1200000", "-1", "'--hours'"),
    ],
)
def test_the_command_refuses_out_of_range_input_by_name(
    cli, net_gmv: str, hours: str, message: str
) -> None:
    result = _whatif(cli, net_gmv, hours)

    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
