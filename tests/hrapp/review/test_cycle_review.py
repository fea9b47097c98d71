"""Issue 9, point 3: the cycle's review table — filters, search, sorting, pagination, totals
per team, the grade distribution against the forced-distribution limits, the links to the
sessions and other quarters, and the out-of-date notice."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import event, select

import scoring
from hrapp.appraisals import schemes
from hrapp.appraisals.models import Appraisal
from hrapp.appraisals.runner import run_cycle
from hrapp.appraisals.services import create_cycle
from hrapp.extensions import db
from tests.factories import make_account, make_session, make_streamer
from tests.hrapp.appraisals.helpers import MID_Q3, broadcast, worked_example_quarter
from tests.hrapp.review.helpers import appraise, listed

URL = "/appraisals/cycles/2026Q3"


@pytest.fixture
def cycle(app):
    return create_cycle("2026Q3")


def test_each_filter_narrows_the_table_to_what_it_names(hr_client, cycle) -> None:
    appraise(cycle, make_streamer(employee_no="E01", team="一组", level="assistant"))
    appraise(cycle, make_streamer(employee_no="E02", team="二组", level="senior"), grade="A")
    appraise(cycle, make_streamer(employee_no="E03", category="food"), promotion_eligible=True)
    appraise(cycle, make_streamer(employee_no="E04"), grade=None, score=None, not_graded=True)
    appraise(
        cycle,
        make_streamer(employee_no="E05"),
        data_incomplete=True,
        net_gmv_fen=None,
        commission_fen=None,
        payable_fen=None,
    )
    appraise(
        cycle,
        make_streamer(employee_no="E06"),
        disputed_at=dt.datetime(2026, 11, 2, tzinfo=dt.UTC),
        dispute_reason="少算了一场",
    )
    db.session.commit()

    def shown(query: str) -> list[str]:
        response = hr_client.get(f"{URL}?{query}")
        assert response.status_code == 200
        return listed(response.text)

    assert shown("") == ["E01", "E02", "E03", "E04", "E05", "E06"]
    assert shown("team=二组") == ["E02"]
    assert shown("level=senior") == ["E02"]
    assert shown("category=food") == ["E03"]
    assert shown("grade=A") == ["E02"]
    assert shown("eligible=1") == ["E03"]
    assert shown("not_graded=1") == ["E04"]
    assert shown("incomplete=1") == ["E05"]
    assert shown("disputed=1") == ["E06"]
    assert shown("team=一组&grade=B") == ["E01", "E03", "E05", "E06"]
    # Values that are not choices are ignored rather than matching nothing.
    assert shown("team=<b>&grade=Z&eligible=maybe") == ["E01", "E02", "E03", "E04", "E05", "E06"]
    page = hr_client.get(f"{URL}?disputed=1").text
    assert "1 appraisal matches." in page
    assert '<input type="checkbox" name="disputed" value="1" checked>' in page
    assert "Clear the filters" in page


def test_search_finds_by_employee_number_name_and_stage_name(hr_client, cycle) -> None:
    appraise(cycle, make_streamer(employee_no="E1001", legal_name="王小美", stage_name="美美"))
    appraise(cycle, make_streamer(employee_no="E2002", legal_name="李雷", stage_name="雷子"))
    appraise(cycle, make_streamer(employee_no="E3003", legal_name="100%真诚", stage_name="诚"))
    db.session.commit()

    def found(text: str) -> list[str]:
        return listed(hr_client.get(URL, query_string={"q": text}).text)

    assert found("e1001") == ["E1001"]
    assert found("小美") == ["E1001"]
    assert found("雷子") == ["E2002"]
    assert found("E") == ["E1001", "E2002", "E3003"]
    assert found("%") == ["E3003"]  # a LIKE wildcard is searched for, not obeyed
    assert found("nobody") == []
    assert "No appraisal matches the filters." in hr_client.get(f"{URL}?q=nobody").text


def test_the_table_is_sorted_by_the_database_unknown_amounts_last(hr_client, cycle) -> None:
    appraise(cycle, make_streamer(employee_no="E1"), net_gmv_fen=5_000)
    appraise(cycle, make_streamer(employee_no="E2"), net_gmv_fen=None, data_incomplete=True)
    appraise(cycle, make_streamer(employee_no="E3"), net_gmv_fen=9_000)
    appraise(cycle, make_streamer(employee_no="E4", team="二组"), net_gmv_fen=1_000)
    db.session.commit()

    assert listed(hr_client.get(f"{URL}?sort=net_gmv&dir=desc").text) == ["E3", "E1", "E4", "E2"]
    assert listed(hr_client.get(f"{URL}?sort=net_gmv&dir=asc").text) == ["E4", "E1", "E3", "E2"]
    assert listed(hr_client.get(f"{URL}?sort=team&dir=desc").text) == ["E4", "E1", "E2", "E3"]
    # An unknown sort falls back to the employee number.
    assert listed(hr_client.get(f"{URL}?sort=password").text) == ["E1", "E2", "E3", "E4"]


def test_pages_of_a_hundred_keep_the_filters_in_their_links(hr_client, cycle) -> None:
    for n in range(105):
        team = "一组" if n % 2 == 0 else "二组"
        appraise(cycle, make_streamer(employee_no=f"E{n:04d}", team=team))
    db.session.commit()

    first = hr_client.get(URL).text
    second = hr_client.get(f"{URL}?page=2").text
    filtered = hr_client.get(f"{URL}?team=一组&sort=employee_no&dir=desc").text

    assert len(listed(first)) == 100 and listed(first)[0] == "E0000"
    assert listed(second) == [f"E{n:04d}" for n in range(100, 105)]
    assert "105 appraisals match." in first
    assert "Page 1 of 2" in first
    assert "53 appraisals match." in filtered  # 0, 2, …, 104
    assert "Page" not in filtered.split("</table>")[-1]  # one page: no pager
    assert listed(filtered)[0] == "E0104"
    two_teams_page2 = hr_client.get(f"{URL}?q=E00&page=2").text
    assert "Page 2 of 1" not in two_teams_page2
    next_link = re.search(r'<a href="([^"]+)">Next', first)
    assert next_link is not None and "page=2" in next_link.group(1)
    filtered_many = hr_client.get(f"{URL}?grade=B&sort=employee_no&dir=desc").text
    next_link = re.search(r'<a href="([^"]+)">Next', filtered_many)
    assert next_link is not None
    assert "grade=B" in next_link.group(1) and "dir=desc" in next_link.group(1)


def test_totals_per_team_and_overall_are_the_sums_of_the_appraisals(hr_client, cycle) -> None:
    team_one = [(123_456, 1_000, 1_500), (200_000, 2_001, 2_001)]
    team_two = [(5_000_000, 40_000, 38_000)]
    for net, commission, payable in team_one:
        appraise(
            cycle,
            make_streamer(team="一组"),
            net_gmv_fen=net,
            commission_fen=commission,
            payable_fen=payable,
        )
    for net, commission, payable in team_two:
        appraise(
            cycle,
            make_streamer(team="二组"),
            net_gmv_fen=net,
            commission_fen=commission,
            payable_fen=payable,
            grade="A",
        )
    appraise(
        cycle,
        make_streamer(team="二组"),
        net_gmv_fen=None,
        commission_fen=None,
        payable_fen=None,
        data_incomplete=True,
    )
    db.session.commit()

    html = hr_client.get(URL).text
    totals = html[html.index("<h2>Totals</h2>") : html.index('<h2 id="appraisals">')]
    rows = re.findall(r"<tr[^>]*>\s*<td>(.*?)</td>(.*?)</tr>", totals, re.DOTALL)
    cells = {
        re.sub(r"<[^>]+>", "", name): [
            cell.strip() for cell in re.findall(r'<td class="num[^"]*">([^<]+)', rest)
        ]
        for name, rest in rows
    }
    # ¥3,234.56 + ¥2,000.00; commission 10.00 + 20.01; payable 15.00 + 20.01.
    assert cells["一组"] == ["2", "¥3,234.56", "¥30.01", "¥35.01"]
    assert cells["二组"] == ["2", "¥50,000.00", "¥400.00", "¥380.00"]  # + 1 unknown
    assert cells["All teams"] == ["4", "¥53,234.56", "¥430.01", "¥415.01"]
    assert "(1 unknown)" in totals
    assert "Matching the filters" not in totals

    filtered = hr_client.get(f"{URL}?grade=A").text
    matching = filtered[filtered.index("Matching the filters") :]
    assert re.findall(r'<td class="num[^"]*">([^<]+)', matching)[:4] == [
        "1",
        "¥50,000.00",
        "¥400.00",
        "¥380.00",
    ]


def _scheme_with_limits() -> str:
    text = scoring.default_scheme_text()
    for line in (
        '# [[forced_distribution]]\n# grades = ["S"]\n# max_share = "0.10"',
        '# [[forced_distribution]]\n# grades = ["S", "A"]\n# max_share = "0.30"',
    ):
        assert line in text
        text = text.replace(line, line.replace("# ", ""))
    return text


def test_more_than_ten_percent_s_is_shown_as_over_the_limit(hr_client, cycle) -> None:
    cycle.scheme_version_id = schemes.save_scheme(_scheme_with_limits()).id
    for grade in ["S", "S", "A", "B", "B", "B", "B", "B", "C", "D", None]:
        appraise(cycle, grade=grade, not_graded=grade is None)
    db.session.commit()

    html = hr_client.get(URL).text

    limits = html[html.index("Forced-distribution limits") : html.index("<h2>Totals</h2>")]
    rows = re.findall(r"<tr class=\"(over)?\">(.*?)</tr>", limits, re.DOTALL)
    assert len(rows) == 2
    s_over, s_row = rows[0]
    assert s_over == "over" and "S ≤ 10%" in s_row
    assert "2 of 10 graded (20.0%); at most 1 allowed" in s_row
    assert "Over the limit" in s_row  # said in words, not only in red
    sa_over, sa_row = rows[1]
    assert sa_over == "" and "S + A ≤ 30%" in sa_row and "Within the limit" in sa_row
    assert "exceed the scheme's forced-distribution limits" in limits
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "Appraisals per grade" in svg and "Not graded" in svg
    assert "#d92d20" in svg  # the S column drawn in the warning colour


def test_within_the_limits_nothing_is_flagged_and_no_limits_says_so(hr_client, cycle) -> None:
    for grade in ["S"] + ["B"] * 9:
        appraise(cycle, grade=grade)
    db.session.commit()

    plain = hr_client.get(URL).text
    assert "The scheme sets no forced-distribution limits." in plain

    cycle.scheme_version_id = schemes.save_scheme(_scheme_with_limits()).id
    db.session.commit()
    limited = hr_client.get(URL).text
    assert "1 of 10 graded (10.0%); at most 1 allowed" in limited
    assert "Over the limit" not in limited and "#d92d20" not in limited


def test_each_row_links_to_its_sessions_and_the_streamers_other_quarters(hr_client, cycle) -> None:
    streamer = make_streamer(employee_no="E7001", legal_name="赵六")
    account = make_account(streamer, nickname="赵六的直播间")
    broadcast(account, title="八月场")
    make_session(account, started_at=dt.datetime(2026, 10, 5, 12, 0, tzinfo=dt.UTC))  # Q4
    other = make_streamer(employee_no="E7002")
    broadcast(make_account(other), start=MID_Q3)
    run_cycle(cycle)
    db.session.commit()
    appraisal = db.session.scalars(
        select(Appraisal).where(Appraisal.streamer_id == streamer.id)
    ).one()

    html = hr_client.get(URL).text
    row = html[html.index(">E7001<") : html.index(">E7002<")]
    link = re.search(r'href="(/sessions/\?[^"]+)"', row)
    assert link is not None
    href = link.group(1).replace("&amp;", "&")
    assert "employee_no=E7001" in href
    assert "since=2026-07-01" in href and "until=2026-09-30" in href
    assert f'href="/streamers/{streamer.id}#appraisals"' in row
    assert f'href="/appraisals/{appraisal.id}"' in row

    sessions = hr_client.get(href)
    assert sessions.status_code == 200
    # Only the streamer's Q3 session: not October's, not the other streamer's.
    assert sessions.text.count("赵六的直播间") == 1


def test_a_real_run_feeds_the_filters(hr_client, cycle) -> None:
    worked_example_quarter(make_streamer(employee_no="E1001", level="senior"))
    make_streamer(employee_no="E1002")  # no sessions: not graded
    run_cycle(cycle)
    db.session.commit()

    assert listed(hr_client.get(f"{URL}?not_graded=1").text) == ["E1002"]
    assert listed(hr_client.get(f"{URL}?grade=A").text) == ["E1001"]
    assert listed(hr_client.get(f"{URL}?level=senior").text) == ["E1001"]
    page = hr_client.get(URL).text
    assert "¥12,650.00" in page  # the senior's payable, in the table and the totals
    assert page.count("¥12,650.00") >= 3


def test_the_out_of_date_notice_says_since_when_and_why(hr_client, cycle) -> None:
    cycle.last_run_at = dt.datetime(2026, 10, 2, 1, 0, tzinfo=dt.UTC)
    cycle.scheme_version_id = schemes.ensure_default_scheme().id
    cycle.stale_since = dt.datetime(2026, 10, 3, 17, 30, tzinfo=dt.UTC)  # 10-04 01:30 Shanghai
    cycle.stale_reasons = [
        {"key": "sessions_imported", "at": "2026-10-03T17:30:00+00:00", "n": 1350, "batch": 7},
        {"key": "training_changed", "at": "2026-10-04T02:00:00+00:00"},
    ]
    db.session.commit()

    html = hr_client.get(URL).text

    banner = html[html.index("stale-banner") : html.index("</div>", html.index("stale-banner"))]
    assert "Results out of date (since 4 Oct 2026 01:30" in banner
    assert "1350 sessions imported or updated (import 7) and training records changed" in banner
    assert "Run the cycle again" in banner

    cycle.stale_since = None
    cycle.stale_reasons = []
    db.session.commit()
    assert "stale-banner" not in hr_client.get(URL).text


def test_a_finalized_stale_cycle_says_the_next_quarter_settles_it(hr_client, cycle) -> None:
    cycle.status = "finalized"
    cycle.stale_since = dt.datetime(2026, 10, 3, 17, 30, tzinfo=dt.UTC)
    cycle.stale_reasons = [{"key": "unknown_key"}]
    db.session.commit()

    banner = hr_client.get(URL).text.split("stale-banner", 1)[1].split("</div>", 1)[0]
    assert "Results out of date (since 4 Oct 2026" in banner
    assert "the next quarter's run settles the difference" in banner


def test_the_page_costs_the_same_queries_for_5_or_150_appraisals(app, hr_client, cycle) -> None:
    """Filtering, counting, totals and the distribution are SQL: no query per row."""

    def queries(url: str) -> int:
        statements: list[str] = []

        def count(*args: object) -> None:
            statements.append(str(args[2]))

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert hr_client.get(url).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    for _n in range(5):
        appraise(cycle, make_streamer(team="一组"))
    db.session.commit()
    few = queries(f"{URL}?grade=B&sort=payable&dir=desc")
    for n in range(145):
        appraise(cycle, make_streamer(team=f"{n % 3 + 1}组"), grade="B")
    db.session.commit()
    many = queries(f"{URL}?grade=B&sort=payable&dir=desc")

    assert many == few
