"""A real job worker for the queue tests: a separate process on the app's database and queue."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parents[3]


@contextlib.contextmanager
def worker_process(script: str, app: Flask) -> Iterator[subprocess.Popen[bytes]]:
    """`script` run by a new Python process with the app's database URI and Redis URL as its
    arguments; killed (-9, with anything it started) at the end if alive."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            script,
            app.config["SQLALCHEMY_DATABASE_URI"],
            app.config["REDIS_URL"],
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
