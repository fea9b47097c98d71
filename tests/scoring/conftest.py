"""Fixtures for the scoring library's tests (no database, no Flask)."""

from __future__ import annotations

import pytest

from scoring import Period, Scheme, default_scheme_text, load_scheme


@pytest.fixture(scope="session")
def scheme() -> Scheme:
    return load_scheme(default_scheme_text())


@pytest.fixture(scope="session")
def q3() -> Period:
    return Period.quarter(2026, 3, "Asia/Shanghai")
