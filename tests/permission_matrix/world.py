"""The people and objects every permission case is checked against.

Roles: anonymous, streamer A (sees only their own things), streamer B, trainer, HR, admin.
Feature modules add the objects their endpoints need through `build` functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hrapp.auth.models import Role
from tests.factories import make_account, make_session, make_streamer, make_user

ROLES = ("anonymous", "streamer", "trainer", "hr", "admin")


@dataclass
class World:
    users: dict[str, Any] = field(default_factory=dict)
    streamer_a: Any = None
    streamer_b: Any = None
    objects: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["objects"][name]
        except KeyError as exc:
            raise AttributeError(name) from exc


def build_base() -> World:
    world = World()
    world.streamer_a = make_streamer(employee_no="E0001", legal_name="甲主播")
    world.streamer_b = make_streamer(employee_no="E0002", legal_name="乙主播")
    world.users = {
        "streamer": make_user(Role.STREAMER, streamer=world.streamer_a, username="streamer_a"),
        "streamer_b": make_user(Role.STREAMER, streamer=world.streamer_b, username="streamer_b"),
        "trainer": make_user(Role.TRAINER, username="trainer"),
        "hr": make_user(Role.HR, username="hr"),
        "admin": make_user(Role.ADMIN, username="admin"),
    }
    account_a = make_account(world.streamer_a)
    world.objects["account_a"] = account_a
    world.objects["session_a"] = make_session(account_a)
    world.objects["session_b"] = make_session(make_account(world.streamer_b))
    return world
