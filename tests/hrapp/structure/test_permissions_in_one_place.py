"""Object-level access checks live in one place, `hrapp.auth.permissions`, and the views,
services and templates call them.

Read from the source: every `can_*` predicate there is called somewhere else (none is dead),
no template asks for a role itself (`has_role(`), and no module outside the permissions
compares an id with the logged-in user's (`current_user.streamer_id == …`): such a comparison
is an access rule written a second time. The behaviour of each predicate is tested with the
feature that uses it and in the permission matrix.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.hrapp.structure.import_graph import ROOT

PERMISSIONS = ROOT / "hrapp" / "auth" / "permissions.py"
_AGAINST_THE_USER = re.compile(r"current_user\.\w+\s*[!=]=|[!=]=\s*current_user\.\w+")


def _sources() -> dict[Path, str]:
    found = {p: p.read_text(encoding="utf-8") for p in (ROOT / "hrapp").rglob("*.py")}
    found |= {p: p.read_text(encoding="utf-8") for p in (ROOT / "templates").rglob("*.html")}
    return {path: text for path, text in found.items() if path != PERMISSIONS}


def _predicates() -> list[str]:
    tree = ast.parse(PERMISSIONS.read_text(encoding="utf-8"))
    return [
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("can_")
    ]


def test_every_predicate_is_used() -> None:
    sources = _sources()
    unused = [
        name
        for name in _predicates()
        if not any(re.search(rf"\b{name}\b", text) for text in sources.values())
    ]
    assert len(_predicates()) >= 8
    assert unused == [], f"can_* predicates nobody calls: {unused}"


def test_templates_ask_the_predicates_not_the_roles() -> None:
    asking = [
        str(path.relative_to(ROOT))
        for path, text in _sources().items()
        if path.suffix == ".html" and "has_role(" in text
    ]
    assert asking == []


def test_no_module_compares_ids_with_the_logged_in_user_itself() -> None:
    inline = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path, text in _sources().items()
        for number, line in enumerate(text.splitlines(), start=1)
        if _AGAINST_THE_USER.search(line)
    ]
    assert inline == []
