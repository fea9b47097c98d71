"""hrapp's modules import one another without cycles, and importing them creates nothing.

What counts as an import: every `import` and `from … import` of an hrapp module, at the top of a
module or inside a function, relative ones resolved; only imports under `if TYPE_CHECKING:` are
left out, since they never run. An import written inside a function to dodge a cycle still
makes the two modules depend on each other: whoever reads either has to know the other, and the
order they load in still decides whether the program works. So a deferred import is a cycle
here like any other; the ways out are to move the shared piece to the module both build on, or
to hand the dependency over at run time (`create_app` registers job handlers and tasks; worker
processes get the application factory from the application that starts them).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.hrapp.structure.import_graph import ROOT, cycles, edges, loop_through, module_names


def _shown(loop: list[str]) -> str:
    return "\n  ".join(loop)


def test_hrapp_has_no_import_cycle() -> None:
    found = edges()
    loops = []
    for group in cycles(found):
        path = loop_through(group, found)
        steps = [
            f"{e.importer} imports {e.imported} "
            f"({module_names()[e.importer].relative_to(ROOT)}:{e.line})"
            for e in path
        ]
        loops.append(f"{len(group)} modules in a cycle, for example:\n  {_shown(steps)}")
    assert not loops, "\n\n".join(loops)


def test_the_import_graph_sees_deferred_and_relative_imports(tmp_path: Path) -> None:
    """The check would catch a cycle hidden in a function or behind a relative import, and
    ignores one that only type checkers read."""
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.sub import b\n")
    (package / "sub" / "b.py").write_text("def f():\n    from .. import a\n")
    (package / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import d\n"
    )
    (package / "d.py").write_text("import pkg.c\n")
    found = edges(tmp_path, "pkg")
    assert cycles(found) == [["pkg.a", "pkg.sub.b"]]
    assert [(e.importer, e.imported) for e in loop_through(["pkg.a", "pkg.sub.b"], found)] == [
        ("pkg.a", "pkg.sub.b"),
        ("pkg.sub.b", "pkg.a"),
    ]


_IMPORT_ALL = """
import importlib, json, sys
sys.path.insert(0, sys.argv[1])
from tests.hrapp.structure.import_graph import module_names
names = [*module_names(), "config"]
for name in names:
    importlib.import_module(name)
print(json.dumps(names))
"""


def _files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_importing_any_module_creates_no_file(tmp_path: Path) -> None:
    """Every module of hrapp, imported in a fresh interpreter whose working directory, instance
    folder and home are empty: none of them is left with a file or folder. (Before, importing
    the session importer created the job queue's database `instance/jobs.sqlite`.)"""
    cwd, instance, home = tmp_path / "cwd", tmp_path / "instance", tmp_path / "home"
    for folder in (cwd, instance, home):
        folder.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "HUEY_SQLITE_PATH", "UPLOAD_DIR", "SHEETS_DIR", "DATABASE_URL"}
    }
    env |= {"HRAPP_INSTANCE": str(instance), "HOME": str(home), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_ALL, str(ROOT)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "hrapp.live_sessions.importer" in done.stdout  # every module was imported
    assert {
        "cwd": _files_under(cwd),
        "instance": _files_under(instance),
        "home": _files_under(home),
    } == {"cwd": [], "instance": [], "home": []}
