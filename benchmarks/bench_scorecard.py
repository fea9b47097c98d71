"""The streamer scorecard (我的考核) under load, served as in production: gunicorn, 2 workers.

The data is the demo agency scaled to 500 streamers (`hrapp demo load --streamers 500`): a year
of sessions each, four quarters appraised (three finalized), loaded as of today so that the
running quarter has sessions. Clients are threads of this process, each with its own login
(cookies), sending one request after another to 127.0.0.1 only, for a bounded time.

scorecard_p95: p95 latency (ms) of `/me/` for one streamer (e1001), 8 concurrent clients over
    20 s. Baseline: the p95 of a trivial route on the same server at the same load
    (`/healthz`: one `SELECT 1`), measured in the same run. Target (quality.md): 50 ms.
load_scorecard_32: p95 latency (ms) of `/me/` with 32 clients, each a different streamer
    (e1001 … e1032), over 20 s: the load of a whole agency on payday. Baseline: `/healthz` at
    the same 32 clients. Target: 150 ms.
load_scorecard_32_errors: answers other than 200 (or failed requests) in that run. Target 0.

The first request of each streamer in each worker computes the running quarter (tens of
milliseconds: the scoring library for one streamer); later ones reuse it while the data stays
the same (`hrapp.portal.cache`). Each client therefore opens the page a few times before the
timed window, as streamers do.

`HRAPP_BENCH_SIZE=tiny` runs the same steps on a small agency for 2 s (the figures then mean
nothing).

    python -m benchmarks --only scorecard
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.common import result

PASSWORD = "bench-scorecard-2026"  # noqa: S105 - for a throwaway database
SIZE_VARIABLE = "HRAPP_BENCH_SIZE"
WORKERS = 2
WARM_UP_REQUESTS = 8  # enough for both workers to have seen each streamer
TARGET_P95_MS = 50.0
TARGET_LOAD_P95_MS = 150.0
ROOT = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Size:
    streamers: int
    seconds: float
    clients: int
    load_clients: int


FULL = Size(streamers=500, seconds=20.0, clients=8, load_clients=32)
TINY = Size(streamers=12, seconds=2.0, clients=4, load_clients=8)


def size() -> Size:
    return TINY if os.environ.get(SIZE_VARIABLE) == "tiny" else FULL


def _environment(folder: Path) -> dict[str, str]:
    return {
        **os.environ,
        "HRAPP_CONFIG": "development",
        "HRAPP_INSTANCE": str(folder),
        "DATABASE_URL": f"sqlite:///{folder / 'scorecard.sqlite'}",
        "HUEY_SQLITE_PATH": str(folder / "jobs.sqlite"),
        "SECRET_KEY": "bench-scorecard-secret",
        "FLASK_DEBUG": "0",
    }


def load_agency(env: dict[str, str], streamers: int) -> None:
    """A fresh database with the demo agency of `streamers` streamers (not timed)."""
    hrapp = str(ROOT / ".venv" / "bin" / "hrapp")
    command = hrapp if Path(hrapp).exists() else "hrapp"
    for args in (
        ["db", "upgrade"],
        ["demo", "load", "--password", PASSWORD, "--streamers", str(streamers)],
    ):
        subprocess.run([command, *args], env=env, cwd=ROOT, check=True, capture_output=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """gunicorn with 2 sync workers on a free loopback port, stopped on exit."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
        self.process = subprocess.Popen(
            [
                str(gunicorn) if gunicorn.exists() else "gunicorn",
                "-w",
                str(WORKERS),
                "-b",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                "hrapp:create_app()",
            ],
            env=env,
            cwd=ROOT,
        )

    def __enter__(self) -> Server:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                health = f"{self.url}/healthz"  # our own server on the loopback address
                with urllib.request.urlopen(health, timeout=2) as answer:  # noqa: S310
                    if answer.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        self.process.terminate()
        raise RuntimeError("gunicorn did not start within 60 s")

    def __exit__(self, *_exc: object) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args: Any, **_kwargs: Any) -> None:
        return None


def logged_in(base: str, username: str) -> urllib.request.OpenerDirector:
    """A client (its own cookies) logged in as `username`."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    with opener.open(f"{base}/login", timeout=30) as page:
        token = CSRF.search(page.read().decode("utf-8"))
    assert token is not None, "no CSRF token on the login page"
    form = urllib.parse.urlencode(
        {"csrf_token": token.group(1), "username": username, "password": PASSWORD}
    ).encode()
    try:
        opener.open(f"{base}/login", data=form, timeout=30)
    except urllib.error.HTTPError as answer:  # the redirect after login
        if answer.code != 302:
            raise
    return opener


def measure(
    base: str, path: str, openers: list[urllib.request.OpenerDirector], seconds: float
) -> tuple[list[float], int]:
    """Every client sends requests one after another for `seconds`: (latencies in ms, errors)."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(opener: urllib.request.OpenerDirector) -> None:
        nonlocal errors
        mine, failed = [], 0
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                with opener.open(f"{base}{path}", timeout=30) as answer:
                    answer.read()
                    ok = answer.status == 200
            except (OSError, urllib.error.HTTPError):
                ok = False
            mine.append((time.perf_counter() - started) * 1000)
            failed += not ok
        with lock:
            latencies.extend(mine)
            errors += failed

    threads = [threading.Thread(target=client, args=(o,)) for o in openers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def _warm(base: str, openers: list[urllib.request.OpenerDirector]) -> None:
    for opener in openers:
        for _ in range(WARM_UP_REQUESTS):
            with opener.open(f"{base}/me/", timeout=60) as answer:
                answer.read()


def run() -> list[dict[str, Any]]:
    chosen = size()
    with tempfile.TemporaryDirectory(prefix="hrapp-bench-scorecard-") as name:
        env = _environment(Path(name))
        load_agency(env, chosen.streamers)
        with Server(env) as server:
            base = server.url
            one = [logged_in(base, "e1001") for _ in range(chosen.clients)]
            _warm(base, one)
            baseline, _ = measure(base, "/healthz", one, chosen.seconds)
            single, single_errors = measure(base, "/me/", one, chosen.seconds)
            names = [f"e{1001 + i % chosen.streamers}" for i in range(chosen.load_clients)]
            many = [logged_in(base, username) for username in names]
            _warm(base, many)
            loaded_baseline, _ = measure(base, "/healthz", many, chosen.seconds)
            loaded, errors = measure(base, "/me/", many, chosen.seconds)
    print(
        f"  scorecard: {len(single)} requests at {chosen.clients} clients "
        f"({single_errors} errors), {len(loaded)} at {chosen.load_clients} ({errors} errors)",
        file=sys.stderr,
    )
    return [
        result("scorecard_p95", p95(single), "ms", p95(baseline), TARGET_P95_MS),
        result("load_scorecard_32", p95(loaded), "ms", p95(loaded_baseline), TARGET_LOAD_P95_MS),
        result("load_scorecard_32_errors", float(errors + single_errors), "count", None, 0.0),
    ]
