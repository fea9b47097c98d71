"""The background worker's entry point: ``huey_consumer hrapp.worker.huey``.

Reading `huey` builds the application (`create_app`, configured by the environment like the web
server), whose queue it is and whose tasks run in it. Importing this module builds nothing;
nothing in hrapp imports it.
"""

from __future__ import annotations

from typing import Any

from hrapp import create_app


def __getattr__(name: str) -> Any:
    if name != "huey":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    huey = create_app().extensions["hrapp.jobs"].huey
    globals()["huey"] = huey  # built once; later reads find it without coming here
    return huey
