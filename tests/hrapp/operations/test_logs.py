"""Structured logs: every line is one JSON object naming its request and user, and nothing a
request carries that must stay private — a password, the session cookie, an ID card or bank
account number, a query string — reaches the log, even when a statement holding them fails.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from hrapp.auth.models import Role
from hrapp.core.logs import HANDLER_NAME, configure_logging, masked
from hrapp.extensions import db
from hrapp.streamers.models import Streamer
from tests.factories import TEST_PASSWORD, make_user

SENTINEL_PASSWORD = "Sentinel-Passw0rd-Zq"
SENTINEL_ID_NUMBER = "11010519900307451X"
SENTINEL_BANK_ACCOUNT = "6222020200112233445"
SENTINELS = (SENTINEL_PASSWORD, SENTINEL_ID_NUMBER, SENTINEL_BANK_ACCOUNT, "Sentinel-Query")


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Every logger's output (DEBUG and up, SQL statements included) as the JSON lines
    production writes."""
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    sql = logging.getLogger("sqlalchemy.engine")
    sql_level = sql.level
    configure_logging(stream, logging.DEBUG)
    sql.setLevel(logging.INFO)  # statements and their parameters, were they not hidden
    try:
        yield stream
    finally:
        sql.setLevel(sql_level)
        for handler in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
            root.removeHandler(handler)
        root.setLevel(level)


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_session_of_requests_logs_json_lines_without_secrets(
    app: Flask, captured: io.StringIO
) -> None:
    hr = make_user(Role.HR)
    db.session.commit()
    browser = app.test_client()
    refused = browser.post("/login", data={"username": hr.username, "password": SENTINEL_PASSWORD})
    assert refused.status_code == 200
    logged_in = browser.post("/login", data={"username": hr.username, "password": TEST_PASSWORD})
    assert logged_in.status_code == 302
    cookie = browser.get_cookie("session")
    assert cookie is not None
    created = browser.post(
        "/streamers/new",
        data={
            "employee_no": "E9001",
            "legal_name": "哨兵",
            "hire_date": "2025-03-01",
            "date_of_birth": "1990-01-01",
            "category": "food",
            "level": "assistant",
            "id_number": SENTINEL_ID_NUMBER,
            "bank_account": SENTINEL_BANK_ACCOUNT,
        },
    )
    assert created.status_code == 302, created.get_data(as_text=True)[:500]
    streamer = db.session.scalars(select(Streamer).where(Streamer.employee_no == "E9001")).one()
    assert streamer.id_number == SENTINEL_ID_NUMBER
    shown = browser.get(f"/streamers/{streamer.id}?note=Sentinel-Query")
    assert shown.status_code == 200
    assert browser.get("/streamers/?q=Sentinel-Query").status_code == 200

    output = captured.getvalue()
    for secret in (*SENTINELS, cookie.value):
        assert secret not in output
    records = lines(captured)  # every line parses as one JSON object
    access = [r for r in records if r["logger"] == "hrapp.access"]
    assert [(r["method"], r["path"], r["status"]) for r in access] == [
        ("POST", "/login", 200),
        ("POST", "/login", 302),
        ("POST", "/streamers/new", 302),
        ("GET", f"/streamers/{streamer.id}", 200),
        ("GET", "/streamers/", 200),
    ]
    assert all(r["request_id"] for r in access)
    assert len({r["request_id"] for r in access}) == len(access)
    assert [r["user_id"] for r in access[2:]] == [hr.id] * 3
    assert access[0]["user_id"] is None


def test_the_response_names_its_request_id(app: Flask) -> None:
    browser = app.test_client()
    chosen = browser.get("/login", headers={"X-Request-ID": "proxy-abc-123"})
    assert chosen.headers["X-Request-ID"] == "proxy-abc-123"
    made_up = browser.get("/login", headers={"X-Request-ID": "bad id; <script>"})
    assert made_up.headers["X-Request-ID"] not in ("", "bad id; <script>")


def test_a_failed_statement_logs_without_its_values(app: Flask, captured: io.StringIO) -> None:
    try:
        db.session.execute(
            text("INSERT INTO no_such_table (a, b) VALUES (:a, :b)"),
            {"a": SENTINEL_ID_NUMBER, "b": SENTINEL_PASSWORD},
        )
    except SQLAlchemyError:
        logging.getLogger("hrapp.web").exception("unhandled error")
    db.session.rollback()
    output = captured.getvalue()
    assert "no_such_table" in output
    assert SENTINEL_ID_NUMBER not in output
    assert SENTINEL_PASSWORD not in output


def test_long_numbers_are_masked_as_a_last_guard() -> None:
    assert masked(f"id {SENTINEL_ID_NUMBER} card {SENTINEL_BANK_ACCOUNT} n 12345") == (
        "id [number] card [number] n 12345"
    )
