"""Helpers for the hardening tests: extra applications (production among them), CSRF tokens,
and the two job queues the job tests run on."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.hrapp.foundation.conftest import csrf_app, csrf_token, make_app  # noqa: F401

# `make test` runs the Redis variants under scripts/with-redis.sh (`-m redis`) with this set, so
# that a Redis that is missing or did not start fails the run instead of skipping its tests.
REQUIRE_REDIS = "HRAPP_REQUIRE_REDIS"


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def queue_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The REDIS_URL of the queue a job test runs on: empty for SQLite (the default queue), the
    test server's (REDIS_URL in the environment) for Redis. An app made with it gets that queue,
    whatever the environment says."""
    if request.param == "sqlite":
        yield ""
        return
    url = os.environ.get("REDIS_URL", "")
    if not url:
        reason = "REDIS_URL is not set (make test runs these under scripts/with-redis.sh)"
        if os.environ.get(REQUIRE_REDIS):
            pytest.fail(f"{REQUIRE_REDIS} is set but {reason}")
        pytest.skip(reason)
    yield url
