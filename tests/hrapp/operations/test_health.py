"""`/healthz` answers 200 when the database and the job queue answer, 503 naming the one that
does not."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy.exc import OperationalError

from hrapp.extensions import db
from hrapp.jobs.queue import job_queue


def test_healthy(client: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"database": "ok", "queue": "ok"}


def test_a_database_that_does_not_answer(
    app: Flask, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"database": "failed", "queue": "ok"}
    assert "connection refused" not in response.get_data(as_text=True)


def test_a_queue_that_does_not_answer(
    app: Flask, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse() -> int:
        raise ConnectionError("queue storage unreachable")

    monkeypatch.setattr(job_queue().huey.storage, "queue_size", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"database": "ok", "queue": "failed"}
