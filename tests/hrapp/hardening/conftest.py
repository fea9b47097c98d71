"""Helpers for the hardening tests: extra applications (production among them) and CSRF tokens."""

from __future__ import annotations

from tests.hrapp.foundation.conftest import csrf_app, csrf_token, make_app  # noqa: F401
