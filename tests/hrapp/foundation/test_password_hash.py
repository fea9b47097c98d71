"""Passwords are hashed with scrypt in production; the tests use a fast method (config value
PASSWORD_HASH_METHOD) so that creating thousands of test accounts takes seconds."""

from __future__ import annotations

import pytest
from flask import Flask
from werkzeug.security import check_password_hash

from config import Config, DevelopmentConfig, ProductionConfig
from hrapp.auth import services
from hrapp.auth.models import Role
from hrapp.extensions import db
from tests.conftest import login
from tests.factories import make_user

PASSWORD = "Lantern-Harbor-19"


@pytest.mark.parametrize("config", [ProductionConfig, DevelopmentConfig, Config])
def test_production_and_the_default_hash_with_scrypt(config: type[Config]) -> None:
    bare = Flask(__name__)
    bare.config.from_object(config)
    with bare.app_context():
        hashed = services._hash(PASSWORD, "someone")
        unknown_user = services._dummy_hash(services._hash_method())
    assert hashed.startswith("scrypt:")
    assert unknown_user.startswith("scrypt:")  # an unknown name costs as much as a known one
    assert check_password_hash(hashed, PASSWORD)
    assert not check_password_hash(hashed, PASSWORD + "x")


def test_the_tests_hash_fast_and_still_check_passwords(app: Flask) -> None:
    user = make_user(Role.HR, password=PASSWORD)
    db.session.commit()
    assert user.password_hash.startswith("pbkdf2:sha256:1000$")
    assert check_password_hash(user.password_hash, PASSWORD)
    login(app.test_client(), user.username, PASSWORD)
    wrong = app.test_client().post("/login", data={"username": user.username, "password": "no"})
    assert wrong.status_code == 200  # the form again, with its error


def test_a_stored_scrypt_hash_still_logs_in_under_another_method(app: Flask) -> None:
    """Logins read the method from the stored hash: changing the setting needs no migration."""
    user = make_user(Role.HR, password=PASSWORD)
    bare = Flask(__name__)
    bare.config.from_object(ProductionConfig)
    with bare.app_context():
        user.password_hash = services._hash(PASSWORD, user.username)
    db.session.commit()
    login(app.test_client(), user.username, PASSWORD)
