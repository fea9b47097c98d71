"""Every page, as each role reads it in Chinese and in English, speaks to people: no code
names (`hire_date`), no Python values (`False`, `{'`), no money in fen, and on a Chinese page no
English sentence. What counts as each is defined in reading.py; which pages, in walk.py."""

from __future__ import annotations

import time

import pytest
from flask import Flask

from tests.page_text.demo_site import DemoSite
from tests.page_text.walk import (
    ARGUMENTS,
    DOWNLOADS,
    FOLLOWED,
    LANGUAGES,
    NOT_READ,
    ROLES,
    get_endpoints,
    readers,
    report,
    rule_arguments,
    walk,
)
from tests.permission_matrix.test_matrix import all_cases


def test_every_get_endpoint_is_read(demo_site: DemoSite) -> None:
    """A new GET endpoint is read by the roles the permission matrix lets in, with demo ids
    for its rule's arguments, or this fails and says what to add."""
    app: Flask = demo_site.app
    cases = all_cases()
    gaps = []
    for endpoint in get_endpoints(app):
        if endpoint in NOT_READ:
            continue
        if not readers(endpoint, cases):
            gaps.append(f"{endpoint}: no role gets 200 from it in the permission matrix")
        needed = rule_arguments(app, endpoint)
        if needed and endpoint not in ARGUMENTS:
            gaps.append(f"{endpoint}: give demo ids for {sorted(needed)} in walk.ARGUMENTS")
        elif needed and not ARGUMENTS[endpoint](demo_site.ids):
            gaps.append(f"{endpoint}: the demo agency has nothing for {sorted(needed)}")
    listed = {*ARGUMENTS, *DOWNLOADS, *FOLLOWED, *NOT_READ}
    gaps += [
        f"{name}: listed in walk.py but not a GET endpoint"
        for name in sorted(listed - set(get_endpoints(app)))
    ]
    if gaps:
        pytest.fail("GET endpoints the page reader does not read:\n" + "\n".join(gaps), False)


def test_the_demo_agency_has_an_ordinary_day(demo_site: DemoSite) -> None:
    """What the walk's pages show beyond the loaded demo (a dispute, a printed sheet) was
    done through the app, as its users do it; a refusal leaves those pages empty."""
    assert not demo_site.refused, "the app refused:\n" + "\n".join(demo_site.refused)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ROLES)
def test_every_page_reads(demo_site: DemoSite, role: str, language: str) -> None:
    started = time.perf_counter()
    done = walk(
        demo_site.app,
        role,
        language,
        demo_site.ids,
        demo_site.logins,
        all_cases(),
        demo_site.allowed,
    )
    seconds = time.perf_counter() - started
    assert done.pages, f"{role} read no page"
    if done.problems:
        pytest.fail(
            f"{len(done.problems)} problems on the {done.pages} pages {role} reads in "
            f"{language} ({seconds:.1f} s):\n{report(done.problems)}",
            pytrace=False,
        )
