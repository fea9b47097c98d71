"""Browser journeys: a real Chromium clicks through the running app, in Chinese and English.

Playwright for Python drives Debian's `chromium` package by path (`/usr/bin/chromium`, or
$HRAPP_CHROMIUM); `playwright install` is never run, nothing is downloaded. `make test`
installs the package (`scripts/system-packages.sh chromium`) and runs these journeys once, in
the SQLite pass. While working on one: `.venv/bin/pytest -q -p no:cacheprovider tests/browser`
(add `-k name`). To watch one: set `HRAPP_BROWSER_ARTIFACTS=/some/folder` and fail it on purpose
(`assert False`) to get its screenshot, or use `page.pause()` with a display.

What a journey gets (fixtures in conftest.py):

- `page`: a fresh browser (no cookies) whose language is the `locale` fixture, Chinese by
  default. `@BOTH_LANGUAGES` runs the journey in Chinese and English, `@ENGLISH` only in
  English. Relative URLs work (`page.goto("/appraisals/")`). A JavaScript error or a 5xx answer
  on any page fails the journey; a failing journey keeps a full-page screenshot and its HTML
  in /tmp/hrapp-browser-failures (the paths are printed with the failure).
- `demo`: the demo agency of `hrapp demo load`, as of today (48 streamers, a year of sessions,
  training, the last full quarter's cycle run and open), password `DEMO_PASSWORD`.
  `demo.last_quarter` is that cycle's code, `demo.appraised` its number of appraisals.
  All journeys of a run share it, so a journey that creates something names it with
  `unique("prefix")`, and none relies on another's changes or on running in a given order.
- `live_server`: `.url` and `.app` (use `with live_server.app.app_context():` to read or
  prepare rows directly; commit, the server runs in another thread of this process). The
  app is the testing config with CSRF on; background jobs run at once, inside the request
  that submits them, so a job page is already done when it opens.
- `tmp_path` as usual, e.g. for downloads.

Helpers (helpers.py), each taking the page; words are given in both languages and the
page's language picks:

    login_as(page, "hr")                      # admin, hr, trainer, streamer (e1001), or
    login_as(page, "hr", username=..., password=...)
    logout(page)
    goto(page, "/appraisals/", status=403)   # opens a path and checks the status
    expect_heading(page, zh="考核周期", en="Appraisal cycles")   # the h1 contains it
    expect_text(page, zh="账号已创建。", en="Account created.")  # in <main>; within=css
    expect_no_text(page, "Overview", "Log out")                 # e.g. English in Chinese
    button(page, zh="保存", en="Save").click()                   # exact accessible name
    link(page, zh="查看结果", en="See the result").click()
    words(page, zh="…", en="…")               # the one of the page's language
    path = download(page, button(page, zh="导出 CSV", en="Export CSV"), tmp_path)

A new journey is a `test_*.py` module here, one function per journey, named for what the
user achieves:

    @BOTH_LANGUAGES
    def test_hr_exports_the_quarter(page: Page, demo: DemoAgency, tmp_path: Path) -> None:
        login_as(page, "hr")
        goto(page, f"/appraisals/cycles/{demo.last_quarter}")
        path = download(page, button(page, zh="导出 CSV", en="Export CSV"), tmp_path)
        assert path.read_bytes().startswith(codecs.BOM_UTF8)

Expect what the user sees (texts, headings, checked boxes, a file), through the real forms
and links, with Playwright's `expect(...)`, which waits; never `time.sleep`. Select form
fields by `name` and buttons and links by their words, so that a missing translation or a
button that does nothing fails the journey.
"""
