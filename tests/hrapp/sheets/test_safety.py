"""What a sheet's rendering may read (issue 12, acceptance 5): only the application's own static
files. Names and comments full of HTML, `file://`, cloud metadata addresses and CSS `url()`s are
printed as text and fetch nothing — proven by a local HTTP server that counts every request and
by the fetcher's own record; raw hostile HTML given to `render_pdf` is refused URL by URL. A
pathological comment cannot hang the renderer: the time limit stops it with a clear error, on
the main thread and in the child process used from other threads."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest

from hrapp.appraisals.sheet import appraisal_sheet
from hrapp.extensions import db
from hrapp.reports import pdf
from hrapp.reports.pdf import LockedURLFetcher, RenderTimeout, render_pdf, static_path
from hrapp.reports.sheets import SheetTooSlow, appraisal_pdf, sheet_html
from tests.hrapp.sheets.conftest import appraisal_of
from tests.hrapp.sheets.pdfcheck import squeezed, text_of


class _Counting(http.server.BaseHTTPRequestHandler):
    hits: list[str]

    def do_GET(self) -> None:
        self.hits.append(self.path)
        # A redirect to a local file, for a renderer that would follow it.
        self.send_response(302)
        self.send_header("Location", "file:///etc/passwd")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def trap() -> Iterator[tuple[str, list[str]]]:
    """(base URL, requests received) of a local HTTP server that answers with a redirect."""
    hits: list[str] = []
    handler = type("Handler", (_Counting,), {"hits": hits})
    server = http.server.HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", hits
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def hostile(base: str) -> str:
    return (
        f'<img src="file:///etc/passwd"><img src="{base}/img.png">'
        '<img src="http://169.254.169.254/latest/meta-data/">'
        f"<style>@import url({base}/import.css); body {{ background: url({base}/bg.png) }}</style>"
        f"<div style=\"background-image: url('{base}/inline.png')\">x</div>"
        f'<link rel="stylesheet" href="{base}/link.css"><script>alert(1)</script>'
        f'"><svg onload=alert(1)><iframe src="{base}/frame"></iframe>'
    )


def test_the_fetcher_serves_only_the_apps_static_files() -> None:
    assert static_path("https://hrapp.invalid/static/css/sheet.css") is not None
    fetcher = LockedURLFetcher({"chart.svg": b"<svg/>"})
    assert fetcher.fetch("https://hrapp.invalid/generated/chart.svg").read() == b"<svg/>"
    for url in (
        "https://hrapp.invalid/generated/other.svg",  # not made for this rendering
        "https://hrapp.invalid/generated/../static/css/sheet.css",
        "https://hrapp.invalid/generated/chart.svg?x",
        "https://elsewhere.example/generated/chart.svg",
    ):
        with pytest.raises(PermissionError):
            fetcher.fetch(url)
    for url in (
        "file:///etc/passwd",
        "https://hrapp.invalid/static/../../config.py",
        "https://hrapp.invalid/static/%2e%2e/%2e%2e/config.py",
        "https://hrapp.invalid/static/css/../../__init__.py",  # not a served type either
        "https://hrapp.invalid:8443/static/css/sheet.css",
        "https://user@hrapp.invalid/static/css/sheet.css",
        "https://hrapp.invalid/static/css/sheet.css?x=1",
        "http://hrapp.invalid/static/css/sheet.css",
        "https://evil.example/static/css/sheet.css",
        "http://169.254.169.254/latest/meta-data/",
        "data:text/css,body{}",
        "https://hrapp.invalid/static/css/missing.css",
        "https://hrapp.invalid/templates/base.html",
    ):
        assert static_path(url) is None, url


def test_raw_hostile_html_is_refused_url_by_url(trap) -> None:
    base, hits = trap
    fetcher = LockedURLFetcher()

    document = render_pdf(f"<p>hello</p>{hostile(base)}", fetcher=fetcher)

    assert document.startswith(b"%PDF")
    assert hits == []
    assert fetcher.served == []
    assert any(url.startswith("file:") for url in fetcher.refused)
    assert any("169.254.169.254" in url for url in fetcher.refused)
    assert {f"{base}/import.css", f"{base}/bg.png", f"{base}/link.css"} <= set(fetcher.refused)


def test_hostile_names_and_comments_print_as_text_and_fetch_nothing(
    q3, senior, hr, trap, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, hits = trap
    senior.legal_name = f"<b>龚喆</b>{hostile(base)}"[:80]
    senior.stage_name = f'"><img src="{base}/stage.png">'[:80]
    appraisal = appraisal_of(q3, senior)
    appraisal.shared_comment = hostile(base)
    db.session.flush()
    fetchers: list[LockedURLFetcher] = []

    class Recording(LockedURLFetcher):
        def __init__(self, generated: dict[str, bytes] | None = None) -> None:
            super().__init__(generated)
            fetchers.append(self)

    monkeypatch.setattr(pdf, "LockedURLFetcher", Recording)
    html = sheet_html(appraisal_sheet(appraisal))
    _name, document = appraisal_pdf(appraisal)

    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html  # escaped, not markup
    assert "<script>alert" not in html and "<iframe" not in html
    assert hits == []
    assert fetchers and all(f.refused == [] for f in fetchers)  # nothing even asked for
    served = [url for f in fetchers for url in f.served]
    assert set(served) <= {
        "https://hrapp.invalid/generated/weekly.svg",  # the chart made for this sheet
        "https://hrapp.invalid/static/css/sheet.css",  # when this process first parses it
    }
    assert "https://hrapp.invalid/generated/weekly.svg" in served
    text = squeezed(text_of(document))
    assert squeezed('<img src="file:///etc/passwd">') in text  # the comment, as written


def test_a_pathological_comment_is_stopped_with_a_clear_error(
    q3, senior, hr, login_as, fast_timeout: float
) -> None:
    appraisal = appraisal_of(q3, senior)
    # 100,000 characters: one unbreakable word and deep nesting, both only text on the sheet.
    appraisal.shared_comment = "<div>" * 5_000 + "备" * 25_000 + "a" * 50_000
    db.session.commit()

    with pytest.raises(SheetTooSlow) as stopped:
        appraisal_pdf(appraisal)
    assert "E2001" in stopped.value.message
    assert "3" in stopped.value.message  # the seconds it was given

    response = login_as(hr).get(f"/appraisals/{appraisal.id}/sheet.pdf")
    assert response.status_code == 422
    assert "E2001" in response.get_data(as_text=True)


def test_the_time_limit_holds_off_the_main_thread_too() -> None:
    """From a thread (a threaded server, the job worker's threads) the rendering runs in a
    child process, which is stopped all the same; the next rendering works."""
    stuck = "<p style='overflow-wrap: anywhere'>" + "a" * 100_000 + "</p>"
    outcome: dict[str, object] = {}

    def render() -> None:
        try:
            render_pdf(stuck, timeout=2)
        except RenderTimeout as exc:
            outcome["stopped"] = exc.seconds
        outcome["after"] = render_pdf("<p>龚喆</p>", timeout=30)

    thread = threading.Thread(target=render)
    thread.start()
    thread.join(timeout=120)

    assert outcome["stopped"] == 2
    assert bytes(outcome["after"]).startswith(b"%PDF")  # type: ignore[arg-type]
