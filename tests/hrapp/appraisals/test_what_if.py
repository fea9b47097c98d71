"""Point 7: `hrapp whatif` prints JSON with score, grade and commission (money as yuan strings)
under the active scheme, or under a scheme file; the HR page uses the same service."""

from __future__ import annotations

import json

import scoring
from hrapp.appraisals import schemes

# The domain guide's worked example: a senior streamer with ¥1,200,000 net GMV.
WORKED_EXAMPLE = ("--level", "senior", "--net-gmv", "1200000", "--watch-seconds", "90")


def _whatif(cli, *args: str) -> dict:
    result = cli("whatif", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_worked_example_below_the_hours_gate(cli) -> None:
    # Score: net GMV 1.2M of the 1.5M target = 80% × 50 = 40; watch 90 s of 90 = 25;
    # fans 15,000 of 15,000 = 25; total 90 → grade A (85 ≤ 90 < 95).
    # Marginal tiers: 300,000 × 0.5% + 700,000 × 1.0% + 200,000 × 1.5%
    #   = 1,500 + 7,000 + 3,000 = ¥11,500.
    # Multiplier: grade A 1.1 × hours gate 0.5 (200 h < the senior minimum of 240 h) = 0.55;
    # commission = 11,500 × 0.55 = ¥6,325.00.
    out = _whatif(cli, *WORKED_EXAMPLE, "--net-followers", "15000", "--hours", "200")

    assert (out["score"], out["grade"]) == (90.0, "A")
    assert out["tier_commission"] == "11500.00"
    assert out["multiplier"] == "0.55"
    assert out["commission"] == "6325.00"
    assert [f["kind"] for f in out["multipliers"]] == ["grade", "hours_gate"]
    assert out["scheme_version"] == 1
    assert [t["commission"] for t in out["tiers"]] == ["1500.00", "7000.00", "3000.00", "0.00"]


def test_enough_hours_keep_the_grade_multiplier_alone(cli) -> None:
    # Same quarter with 300 h (≥ 240 h): 11,500 × 1.1 = ¥12,650.00.
    out = _whatif(cli, *WORKED_EXAMPLE, "--net-followers", "15000", "--hours", "300")

    assert (out["multiplier"], out["commission"]) == ("1.1", "12650.00")


def test_fewer_than_30_hours_is_not_graded(cli) -> None:
    # 20 h < 30 h: not graded (multiplier 1.0) and below the gate (× 0.5): 11,500 × 0.5.
    out = _whatif(cli, *WORKED_EXAMPLE, "--net-followers", "15000", "--hours", "20")

    assert out["grade"] is None and out["not_graded"] is True
    assert (out["multiplier"], out["commission"]) == ("0.50", "5750.00")  # 1.0 × 0.5, exact


def test_a_scheme_file_is_used_instead_of_the_active_one(cli, tmp_path) -> None:
    # Whole-amount tiers: 1,200,000 × 1.5% = ¥18,000; × 1.1 (grade A, 300 h) = ¥19,800.
    whole = tmp_path / "whole.toml"
    text = scoring.default_scheme_text().replace('mode = "marginal"', 'mode = "whole"')
    whole.write_text(text, encoding="utf-8")

    out = _whatif(
        cli, *WORKED_EXAMPLE, "--net-followers", "15000", "--hours", "300", "--scheme", str(whole)
    )

    assert (out["tier_commission"], out["commission"]) == ("18000.00", "19800.00")
    assert out["scheme_version"] is None
    assert schemes.latest_version() is None  # nothing stored


def test_the_active_scheme_is_the_latest_version(cli) -> None:
    schemes.save_scheme(
        scoring.default_scheme_text().replace('A = "1.1"', 'A = "1.15"'), user_id=None
    )

    out = _whatif(cli, *WORKED_EXAMPLE, "--net-followers", "15000", "--hours", "300")

    assert out["scheme_version"] == 2
    assert out["commission"] == "13225.00"  # 11,500 × 1.15


def test_bad_input_exits_non_zero_with_every_problem(cli) -> None:
    result = cli(
        "whatif",
        "--level",
        "intern",
        "--net-gmv",
        "100",
        "--watch-seconds",
        "60",
        "--net-followers",
        "10",
        "--hours",
        "nan",
    )
    money = cli(
        "whatif",
        "--level",
        "senior",
        "--net-gmv",
        "1.234",
        "--watch-seconds",
        "60",
        "--net-followers",
        "10",
        "--hours",
        "40",
    )

    assert result.exit_code == 1
    assert "what_if.level: not a level of the scheme: 'intern'" in result.stderr
    assert "what_if: metric values must be finite numbers" in result.stderr
    assert money.exit_code == 2 and "more than two decimals" in money.stderr


def test_the_what_if_page_shows_the_statement(hr_client) -> None:
    page = hr_client.get(
        "/appraisals/what-if?level=senior&net_gmv=1,200,000&watch_seconds=90"
        "&net_followers=15000&hours=200"
    )

    assert page.status_code == 200
    assert "¥11,500.00" in page.text and "¥6,325.00" in page.text
    assert "× 0.55" in page.text
    assert "below the minimum of 240 h" in page.text


def test_the_what_if_page_reports_unreadable_input(hr_client) -> None:
    page = hr_client.get(
        "/appraisals/what-if?level=senior&net_gmv=lots&watch_seconds=90&net_followers=1&hours=2"
    )

    assert page.status_code == 422
    assert "Write the amount in yuan, e.g. 1200000 or 1,200,000.50." in page.text
