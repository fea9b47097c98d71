"""Every endpoint × every role answers as its table says; a new endpoint must join the table."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from flask import Flask

from hrapp.extensions import db
from tests import permission_matrix
from tests.conftest import login
from tests.permission_matrix.cases import CORE, Case
from tests.permission_matrix.world import ROLES, World, build_base


def _feature_modules() -> list[object]:
    names = [m.name for m in pkgutil.iter_modules(permission_matrix.__path__)]
    return [
        importlib.import_module(f"tests.permission_matrix.{n}")
        for n in sorted(names)
        if n.startswith("feature_")
    ]


def all_cases() -> dict[str, list[Case]]:
    cases = dict(CORE)
    for module in _feature_modules():
        overlap = set(cases) & set(module.CASES)
        assert not overlap, f"{module.__name__} repeats {overlap}"
        cases.update(module.CASES)
    return cases


def build_world() -> World:
    world = build_base()
    for module in _feature_modules():
        if hasattr(module, "build"):
            module.build(world)
    db.session.commit()
    return world


def test_every_endpoint_has_a_case(app: Flask) -> None:
    missing = sorted(set(app.view_functions) - set(all_cases()))
    assert not missing, f"endpoints missing from the permission matrix: {missing}"
    stale = sorted(set(all_cases()) - set(app.view_functions))
    assert not stale, f"matrix names endpoints that no longer exist: {stale}"


@pytest.mark.parametrize("role", ROLES)
def test_endpoint_answers_each_role_as_expected(app: Flask, role: str) -> None:
    world = build_world()
    failures = []
    for endpoint, cases in sorted(all_cases().items()):
        for case in cases:
            client = app.test_client()
            if role != "anonymous":
                login(client, world.users[role].username)
            url = case.url(world)
            response = client.open(url, method=case.method, data=case.data or {})
            response.close()
            expected = case.expect[role]
            if response.status_code != expected:
                failures.append(
                    f"{endpoint} {case.method} {url}: {response.status_code} (expected {expected})"
                )
    assert not failures, "\n".join(failures)
