"""Point 6: scheme versions stored in the database — the default as version 1, saving through
the form or an upload makes a new version, invalid documents list every problem and store
nothing, versions can be compared, and the `hrapp scheme` commands."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

import scoring
from hrapp.appraisals import schemes
from hrapp.appraisals.models import SchemeVersion
from hrapp.core.audit import AuditEntry
from hrapp.core.errors import Conflict, ValidationFailed
from hrapp.extensions import db
from hrapp.training.curriculum import ensure_default_curriculum

DEFAULT = scoring.default_scheme_text()
# Three mistakes at once: a negative weight, a rate that is no number, a misspelt key.
INVALID = (
    DEFAULT.replace("weight = 50", "weight = -5")
    .replace('rate = "0.01"', 'rate = "one percent"')
    .replace("min_score = 85\n", "min_score = 85\nwieght = 1\n", 1)
)
WHOLE = DEFAULT.replace('mode = "marginal"', 'mode = "whole"')


def _versions() -> int:
    return db.session.scalar(select(func.count()).select_from(SchemeVersion))


def _audits(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_the_default_scheme_is_version_1_created_once_and_audited(app) -> None:
    first = schemes.ensure_default_scheme()
    again = schemes.ensure_default_scheme()

    assert first is again
    assert (first.version, first.source, first.toml) == (1, "default", DEFAULT)
    assert _versions() == 1
    assert len(_audits("scheme.create_default")) == 1


def test_reading_pages_show_the_default_without_storing_it(hr_client) -> None:
    listing = hr_client.get("/appraisals/schemes")
    shown = hr_client.get("/appraisals/schemes/1")

    assert listing.status_code == shown.status_code == 200
    assert "Default scheme" in listing.text
    assert "attainment_cap = 1.2" in shown.text
    assert _versions() == 0  # no GET writes


def _section(page_html: str, name: str) -> str:
    """The text of one part of the scheme page (tags dropped, spaces folded)."""
    match = re.search(rf'<(section|details) class="card" id="{name}">(.*?)</\1>', page_html, re.S)
    assert match, f"no {name} part on the page"
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", match.group(2)).split()))


def test_the_scheme_page_shows_the_rules_as_tables_and_the_document_on_request(
    hr_client,
) -> None:
    ensure_default_curriculum()  # the modules' pass marks and validity are the curriculum's
    db.session.commit()
    page = hr_client.get("/appraisals/schemes/1").text

    assert "Training mentor 120 h" in _section(page, "levels")  # by name, not by key
    assert "multiplied by 0.5" in _section(page, "levels")
    scoring_part = _section(page, "scoring")
    assert "Attainment counts up to 120%" in scoring_part
    assert "Net GMV 50.0 ¥300,000.00 ¥1,500,000.00 ¥800,000.00" in scoring_part
    assert "Average watch time 25.0 60.0 s 90.0 s 90.0 s" in scoring_part
    grades = _section(page, "grades")
    assert "S 95 or more × 1.2 A 85 to below 95 × 1.1" in grades
    assert "Not graded Fewer than 30 on-air hours in the quarter × 1.0" in grades
    commission = _section(page, "commission")
    assert "Marginal tiers" in commission
    assert "2 ¥300,000.00 – ¥1,000,000.00 1%" in commission
    assert "4 ¥3,000,000.00 – ∞ 2%" in commission
    assert "Cap per quarter No cap" in commission
    promotion = _section(page, "promotion")
    assert "Assistant streamer → Senior streamer" in promotion
    assert "Quarters at the required grade A or better in 2 quarters" in promotion
    assert "Refund rate in the window ≤ 25.0%" in promotion
    assert "COMPLIANCE-1 passed with at least 80 (valid 12 months)" in promotion
    assert "MENTOR-1 passed with at least 85" in promotion
    assert "Mentees who passed PRACTICAL-1 2" in promotion
    assert "last 4 quarters" in promotion
    assert '<details class="card" id="document">' in page  # collapsed: no `open`
    assert 'mode = "marginal"' in _section(page, "document")


def test_the_scheme_page_follows_the_version_and_the_readers_language(
    hr, hr_client, login_as
) -> None:
    text = WHOLE.replace("# cap_fen = 5_000_000", "cap_fen = 5_000_000").replace(
        'method = "target"', 'method = "percentile"'
    )
    schemes.save_scheme(text)
    db.session.commit()

    page = hr_client.get("/appraisals/schemes/2").text

    assert "Whole-amount tiers" in _section(page, "commission")
    assert "Cap per quarter ¥50,000.00" in _section(page, "commission")
    assert "Peer percentile" in _section(page, "scoring")
    assert "Minimum peer cohort 5 people" in _section(page, "scoring")
    hr.locale = "zh_CN"
    db.session.commit()
    chinese = login_as(hr).get("/appraisals/schemes/2").text
    assert "资深主播 → 培训导师" in _section(chinese, "promotion")


def test_a_save_makes_a_new_active_version_with_its_changes_audited(app) -> None:
    version = schemes.save_scheme(WHOLE, note="whole-amount tiers", user_id=None)

    assert version.version == 2  # the default became version 1 first
    assert schemes.active_version() is version
    assert scoring.load_scheme(schemes.active_scheme()[0].toml).commission.mode == "whole"
    audit = _audits("scheme.save")[0]
    assert audit.changes == {"commission.mode": ["marginal", "whole"]}


def test_an_invalid_document_lists_every_problem_and_stores_nothing(app) -> None:
    with pytest.raises(ValidationFailed) as refused:
        schemes.save_scheme(INVALID)

    assert refused.value.problems == [
        "metrics.net_gmv.weight: must be at least 0",
        "grades[1].wieght: unknown key",
        "commission.tiers[1].rate: not a decimal number: 'one percent'",
    ]
    db.session.rollback()
    assert _versions() == 0


def test_saving_the_same_rules_again_is_refused(app) -> None:
    schemes.ensure_default_scheme()
    reformatted = scoring.dump_scheme(scoring.load_scheme(DEFAULT))  # no comments, same rules

    with pytest.raises(ValidationFailed, match="Nothing changed"):
        schemes.save_scheme(reformatted)


def test_a_save_based_on_an_older_version_is_a_conflict(app) -> None:
    schemes.save_scheme(WHOLE)  # version 2, saved while someone edited version 1

    with pytest.raises(Conflict, match="Version 2 was saved while you were editing version 1"):
        schemes.save_scheme(
            DEFAULT.replace('gate_factor = "0.5"', 'gate_factor = "0.6"'), based_on=1
        )


def test_compare_lists_each_changed_path_with_old_and_new_values(app) -> None:
    old = schemes.ensure_default_scheme()
    text = (
        DEFAULT.replace('rate = "0.015"', 'rate = "0.016"')
        .replace("# cap_fen = 5_000_000", "cap_fen = 5_000_000")
        .replace('max_refund_rate = "0.25"\n', "")
    )
    new = schemes.save_scheme(text)

    changes = {c.path: (c.old, c.new, c.kind) for c in schemes.compare_versions(old, new)}

    assert changes == {
        "commission.tiers[2].rate": ("0.015", "0.016", "changed"),
        "commission.cap_fen": (None, 5_000_000, "added"),
        "promotion[0].max_refund_rate": ("0.25", None, "removed"),
    }


def test_the_compare_page_shows_the_changed_paths(hr_client) -> None:
    schemes.ensure_default_scheme()
    schemes.save_scheme(WHOLE)
    db.session.commit()

    page = hr_client.get("/appraisals/schemes/compare?old=1&new=2")

    assert page.status_code == 200
    assert "<td>Commission tiers and multipliers · Mode</td>" in page.text
    assert "<del>Marginal tiers</del>" in page.text and "<ins>Whole-amount tiers</ins>" in page.text


def _form_values(page_html: str) -> dict[str, str]:
    """Every input and the selected option of every select on the edit page, as submitted."""
    values = {
        name: value
        for name, value in re.findall(
            r'<input id="[^"]*" name="([^"]+)" value="([^"]*)"', page_html
        )
    }
    for name, body in re.findall(r'<select id="[^"]*" name="([^"]+)">(.*?)</select>', page_html):
        values[name] = re.search(r'<option value="([^"]+)" selected>', body).group(1)
    values["based_on"] = re.search(r'name="based_on" type="hidden" value="(\d+)"', page_html).group(
        1
    )
    return values


def test_the_form_saves_edited_values_as_a_new_version(hr_client) -> None:
    page = hr_client.get("/appraisals/schemes/edit")
    values = _form_values(page.text)
    assert values["scheme:commission.tiers[1].from_fen"] == "300000.00"  # money in yuan
    values["scheme:commission.tiers[1].from_fen"] = "350000"
    values["scheme:metrics.avg_watch_seconds.weight"] = "20"
    values["scheme:metrics.net_followers.weight"] = "30"
    values["scheme:commission.cap_fen"] = "50000"
    values["note"] = "fans count more"

    response = hr_client.post("/appraisals/schemes/edit", data=values)

    assert response.status_code == 302
    version = schemes.active_version()
    assert (version.version, version.note, version.source) == (2, "fans count more", "form")
    rules = scoring.load_scheme(version.toml)
    assert rules.commission.tiers[1].from_fen == 35_000_000
    assert rules.commission.cap_fen == 5_000_000
    assert [m.weight for m in rules.metrics] == [50, 20, 30]


def test_the_form_refuses_bad_values_naming_each_and_stores_nothing(hr_client) -> None:
    values = _form_values(hr_client.get("/appraisals/schemes/edit").text)
    values["scheme:metrics.net_gmv.weight"] = "fifty"
    values["scheme:commission.tiers[2].rate"] = "-0.1"
    values["scheme:metrics.net_followers.targets.senior"] = ""

    response = hr_client.post("/appraisals/schemes/edit", data=values)

    assert response.status_code == 422
    for problem in (
        "Net GMV · Weight (points)</a>: Not a number: “fifty”.",
        "Commission tiers and multipliers · Rate (3)</a>: Must be between 0% and 100%.",
        "Fan growth (net new followers) · Target: Senior streamer</a>: A value is required.",
    ):
        assert problem in response.text
    assert 'value="fifty"' in response.text  # what was typed stays in the input
    assert _versions() == 0


def test_an_upload_with_problems_lists_them_all_and_stores_nothing(hr_client) -> None:
    response = hr_client.post(
        "/appraisals/schemes/upload",
        data={"toml": INVALID, "note": "typos"},
    )

    assert response.status_code == 422
    assert "The scheme has 3 problems; nothing was saved." in response.text
    assert "<li>Net GMV · Weight (points): Must be at least 0.</li>" in response.text
    assert "<li>Grade bands · wieght (2): This key is not part of a scheme.</li>" in response.text
    assert "Rate (2): Not a decimal number: “one percent”.</li>" in response.text
    assert _versions() == 0


def test_an_uploaded_file_becomes_the_active_version(hr_client, tmp_path) -> None:
    import io

    response = hr_client.post(
        "/appraisals/schemes/upload",
        data={"file": (io.BytesIO(("\ufeff" + WHOLE).encode()), "scheme.toml"), "note": ""},
        content_type="multipart/form-data",
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/appraisals/schemes/2")
    assert schemes.active_version().source == "upload"
    assert hr_client.get("/appraisals/schemes/2.toml").text.startswith("# hrapp default")


def test_cli_show_prints_the_toml_and_fails_for_an_unknown_version(cli) -> None:
    shown = cli("scheme", "show")
    missing = cli("scheme", "show", "--version", "7")

    assert shown.exit_code == 0
    assert scoring.load_scheme(shown.stdout) == scoring.load_scheme(DEFAULT)
    assert missing.exit_code == 1
    assert "There is no scheme version 7." in missing.stderr


def test_cli_load_stores_a_valid_file_and_refuses_an_invalid_one(cli, tmp_path) -> None:
    good, bad = tmp_path / "good.toml", tmp_path / "bad.toml"
    good.write_text(WHOLE, encoding="utf-8")
    bad.write_text(INVALID, encoding="utf-8")

    refused = cli("scheme", "load", str(bad))
    assert refused.exit_code == 1
    assert refused.stderr.count("\n  ") == 3  # every problem on its own line
    assert "grades[1].wieght: unknown key" in refused.stderr
    assert _versions() == 0

    stored = cli("scheme", "load", str(good), "--note", "whole")
    assert stored.exit_code == 0
    assert "Stored as scheme version 2" in stored.stdout
    assert cli("scheme", "show", "--version", "2").stdout.strip() == WHOLE.strip()
    assert "commission.mode: 'marginal' -> 'whole'" in cli("scheme", "diff", "1", "2").stdout
