"""Which pages each role reads, at which URLs of the demo agency, and the walk itself.

Who may open an endpoint is the permission matrix's answer (tests/permission_matrix): a role
reads every GET endpoint for which one of the matrix's cases gives it 200. The matrix's own
ids belong to its small factory world, so the URLs here are built from the url_map's rules
with ids of the demo agency (`DemoIds`), one or more per rule argument (`ARGUMENTS`), plus a
few query strings that change what a page shows (a sorted or filtered list, a what-if with
figures). Endpoints that answer with a file or JSON (`DOWNLOADS`) are only checked to answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.demo_agency import DEMO_PASSWORD
from tests.page_text.reading import Allowed, findings, visible_text
from tests.permission_matrix.cases import Case

ROLES = ("anonymous", "streamer", "trainer", "hr", "admin")
LANGUAGES = ("zh_CN", "en")
# Endpoints no role reads, and why.
NOT_READ = {"static": "the app's files (CSS, JavaScript, icons), not pages"}
# Endpoints that answer with a file or data, not a page: checked to answer 200, once per role
# (in the first language: a file's words do not follow the account's language).
DOWNLOADS = {
    "jobs.progress": "JSON the progress bar polls",
    "main.healthz": "JSON the load balancer asks (database and job queue)",
    "appraisals.scheme_toml": "the scheme's TOML file",
    "live_sessions.template": "the empty CSV template",
    "portal.sessions_csv": "a streamer's sessions as CSV",
    "portal.what_if_json": "JSON the what-if form polls",
    "sheets.sheet": "an appraisal sheet as PDF",
    "sheets.bundle": "a print job's PDF or ZIP",
}
# Endpoints whose answer is a redirect for everyone: the page they lead to is read.
FOLLOWED = {"main.index": "sends each reader to their first page"}
# A page every reader may meet, with the matrix case that says who gets it and how.
ERROR_PAGES = {
    "errors.404": ("/appraisals/999999", "appraisals.appraisal"),
    "errors.403": ("/accounts", "auth.users"),
}


@dataclass(frozen=True)
class DemoIds:
    """Ids of the demo agency a walk's URLs are built from (see `collect_ids`)."""

    open_cycle: str
    finalized_cycles: list[str]
    appraisals: list[int]
    scheme_versions: list[int]
    users: list[int]
    jobs: list[int]
    preview_jobs: list[tuple[str, int]]  # (cycle code, job id) of re-run previews
    batches: list[int]  # session import batches
    roster_batches: list[int]
    training_batches: list[int]
    roster_checks: list[dict[str, Any]]  # a roster check job's preview: sha256, job
    training_checks: list[dict[str, Any]]
    uploads: list[dict[str, Any]]  # the preview page's arguments: sha256, name, platform, [job]
    sessions: list[int]
    streamers: list[int]
    modules: list[int]
    records: list[int]
    classes: list[int]
    mentees: list[int]  # the streamer login's mentees
    own_appraisals: list[int]  # the streamer login's finalized appraisals, oldest first
    responses: list[int]  # streamers' answers to finalized appraisals (a dispute)
    print_jobs: list[int]  # finished jobs that printed appraisal sheets
    first_module: int
    team: str


Arguments = list[dict[str, Any]]

# Per endpoint with rule arguments (or worth a query string): the URL arguments to read it with.
ARGUMENTS: dict[str, Callable[[DemoIds], Arguments]] = {
    "appraisals.cycle": lambda ids: [
        *({"code": code} for code in [ids.open_cycle, *ids.finalized_cycles]),
        {"code": ids.open_cycle, "sort": "payable", "dir": "desc"},
        {"code": ids.open_cycle, "team": ids.team, "grade": "A", "level": "senior"},
        {"code": ids.open_cycle, "not_graded": "1", "incomplete": "1", "eligible": "1"},
    ],
    "appraisals.appraisal": lambda ids: [{"appraisal_id": a} for a in ids.appraisals],
    "appraisals.run_preview": lambda ids: [
        {"code": code, "job_id": job} for code, job in ids.preview_jobs
    ],
    "appraisals.finalize_cycle": lambda ids: [{"code": ids.open_cycle}],
    "appraisals.reopen_cycle": lambda ids: [{"code": c} for c in ids.finalized_cycles[-1:]],
    "appraisals.scheme": lambda ids: [{"version": v} for v in ids.scheme_versions],
    "appraisals.scheme_toml": lambda ids: [{"version": v} for v in ids.scheme_versions],
    "appraisals.edit_scheme": lambda ids: [{}, *({"from": v} for v in ids.scheme_versions)],
    "appraisals.compare_schemes": lambda ids: [
        {},
        *({"old": v, "new": v} for v in ids.scheme_versions[-1:]),
    ],
    "appraisals.what_if": lambda ids: [
        {},
        {
            "level": "senior",
            "net_gmv": "1,200,000",
            "hours": "220",
            "watch_seconds": "80",
            "net_followers": "9000",
        },
        {
            "level": "assistant",
            "net_gmv": "80万",
            "hours": "12",
            "watch_seconds": "40",
            "net_followers": "30",
        },
    ],
    "auth.edit_user": lambda ids: [{"user_id": u} for u in ids.users],
    "jobs.show": lambda ids: [{"job_id": j} for j in ids.jobs],
    "jobs.progress": lambda ids: [{"job_id": j} for j in ids.jobs],
    "audit.index": lambda ids: [{}, {"page": 2}],
    "live_sessions.batch": lambda ids: [{"batch_id": b} for b in ids.batches],
    "live_sessions.preview": lambda ids: list(ids.uploads),
    "streamers.import_batch": lambda ids: [{"batch_id": b} for b in ids.roster_batches],
    "streamers.import_preview": lambda ids: list(ids.roster_checks),
    "training.import_batch": lambda ids: [{"batch_id": b} for b in ids.training_batches],
    "training.import_preview": lambda ids: list(ids.training_checks),
    # The column-mapping page of the same uploads (any table file can be mapped).
    "mappings.map_columns": lambda ids: [
        {"sha256": u["sha256"], "name": u["name"]} for u in ids.uploads if "job" not in u
    ],
    "live_sessions.session": lambda ids: [{"session_id": s} for s in ids.sessions],
    "live_sessions.edit_hosts": lambda ids: [{"session_id": s} for s in ids.sessions[:2]],
    "live_sessions.sessions": lambda ids: [
        {},
        {"batch": ids.batches[-1]},
        {"long": "1"},
    ],
    "promotions.index": lambda ids: [
        {},
        *({"cycle": code} for code in ids.finalized_cycles),
    ],
    "streamers.index": lambda ids: [{}, {"status": "left"}],
    "streamers.show": lambda ids: [{"streamer_id": s} for s in ids.streamers],
    "streamers.edit": lambda ids: [{"streamer_id": s} for s in ids.streamers[:2]],
    "streamers.login": lambda ids: [{"streamer_id": s} for s in ids.streamers[:2]],
    "training.edit_module": lambda ids: [{"module_id": m} for m in ids.modules],
    "training.new_record": lambda ids: [{}, {"module": ids.first_module}],
    "training.new_class": lambda ids: [{"module": m} for m in ids.modules[:2]],
    "training.show_record": lambda ids: [{"record_id": r} for r in ids.records],
    "training.show_class": lambda ids: [{"class_id": c} for c in ids.classes],
    "training.streamer": lambda ids: [{"streamer_id": s} for s in ids.streamers],
    "training.mentee": lambda ids: [{"streamer_id": s} for s in ids.mentees],
    "portal.quarter": lambda ids: [{"appraisal_id": a} for a in ids.own_appraisals],
    "portal.inbox": lambda ids: [{}, {"show": "all"}],
    "portal.dispute_thread": lambda ids: [{"response_id": r} for r in ids.responses],
    "sheets.sheet": lambda ids: [{"appraisal_id": a} for a in ids.own_appraisals[-2:-1]],
    "sheets.bundle": lambda ids: [{"job_id": j} for j in ids.print_jobs],
}


# --- who reads what -----------------------------------------------------------------------------


def get_endpoints(app: Flask) -> list[str]:
    """Every endpoint of the url_map that answers GET."""
    return sorted({rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods})


def readers(endpoint: str, cases: dict[str, list[Case]]) -> list[str]:
    """The roles the permission matrix lets open this endpoint (200), or, for an endpoint
    that redirects everyone, the roles it redirects."""
    wanted = (301, 302, 303) if endpoint in FOLLOWED else (200,)
    gets = [case for case in cases.get(endpoint, []) if case.method == "GET"]
    return [role for role in ROLES if any(case.expect[role] in wanted for case in gets)]


def rule_arguments(app: Flask, endpoint: str) -> set[str]:
    return {name for rule in app.url_map.iter_rules(endpoint) for name in rule.arguments}


# --- the walk -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    endpoint: str
    url: str
    role: str
    language: str
    kind: str  # a detector's kind, or "status"
    snippet: str


@dataclass
class Walk:
    role: str
    language: str
    pages: int = 0
    problems: list[Problem] = field(default_factory=list)


def urls(app: Flask, endpoint: str, ids: DemoIds) -> list[str]:
    arguments = ARGUMENTS.get(endpoint, lambda _ids: [{}])(ids)
    with app.test_request_context():
        return [url_for(endpoint, **args) for args in arguments]


def client_for(app: Flask, role: str, language: str, logins: dict[str, str]) -> FlaskClient:
    """A test client reading in `language`: logged in as the role's demo login, whose saved
    language is set first, or, for anonymous, a browser that asks for the language."""
    from hrapp.auth.models import User
    from hrapp.extensions import db

    client = app.test_client()
    if role == "anonymous":
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language.replace("_", "-")
        return client
    with app.app_context():
        user = db.session.scalars(select(User).where(User.username == logins[role])).one()
        user.locale = language
        db.session.commit()
    answer = client.post("/login", data={"username": logins[role], "password": DEMO_PASSWORD})
    assert answer.status_code == 302, f"login as {logins[role]} failed"
    return client


def walk(
    app: Flask,
    role: str,
    language: str,
    ids: DemoIds,
    logins: dict[str, str],
    cases: dict[str, list[Case]],
    allowed: Allowed,
) -> Walk:
    """Open every page `role` may read, in `language`, and read each."""
    done = Walk(role, language)
    client = client_for(app, role, language, logins)
    for endpoint in get_endpoints(app):
        if endpoint in NOT_READ or role not in readers(endpoint, cases):
            continue
        if endpoint in DOWNLOADS and language != LANGUAGES[0]:
            continue
        for url in urls(app, endpoint, ids):
            _read(done, client, endpoint, url, 200, allowed)
    for name, (url, matrix_endpoint) in ERROR_PAGES.items():
        expected = _status(cases, matrix_endpoint, url, role)
        if expected in (403, 404):
            _read(done, client, name, url, expected, allowed)
    return done


def _status(cases: dict[str, list[Case]], endpoint: str, url: str, role: str) -> int:
    for case in cases[endpoint]:
        try:
            case_url = case.url(None)
        except AttributeError:  # a case that needs the matrix's world: not an error page
            continue
        if case.method == "GET" and case_url == url:
            return case.expect[role]
    raise LookupError(f"the permission matrix has no GET {url} for {endpoint}")


def _read(
    done: Walk, client: FlaskClient, endpoint: str, url: str, expected: int, allowed: Allowed
) -> None:
    answer = client.get(url, follow_redirects=endpoint in FOLLOWED)
    done.pages += 1

    def problem(kind: str, snippet: str) -> None:
        done.problems.append(Problem(endpoint, url, done.role, done.language, kind, snippet))

    if answer.status_code != expected:
        problem("status", f"answered {answer.status_code}, expected {expected}")
    elif (answer.mimetype == "text/html") == (endpoint in DOWNLOADS):
        problem("status", f"answered {answer.mimetype}: see walk.DOWNLOADS")
    elif answer.mimetype == "text/html":
        for found in findings(visible_text(answer.get_data(as_text=True)), done.language, allowed):
            problem(found.kind, found.snippet)
    answer.close()


def report(problems: Iterable[Problem]) -> str:
    """The problems grouped by endpoint, then URL: one line per snippet, with who saw it."""
    grouped: dict[str, dict[str, dict[tuple[str, str], list[str]]]] = {}
    for p in problems:
        seen = grouped.setdefault(p.endpoint, {}).setdefault(p.url, {})
        seen.setdefault((p.kind, p.snippet), []).append(f"{p.role}/{p.language}")
    lines = []
    for endpoint in sorted(grouped):
        lines.append(f"{endpoint}")
        for url, snippets in grouped[endpoint].items():
            lines.append(f"  {url}")
            for (kind, snippet), who in snippets.items():
                lines.append(f"    {kind:<10} {snippet}   ({', '.join(who)})")
    return "\n".join(lines)
