"""hrapp's import graph, read from the source (nothing is imported to build it)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = "hrapp"


@dataclass(frozen=True)
class Edge:
    importer: str
    imported: str
    line: int


def module_names(root: Path = ROOT, package: str = PACKAGE) -> dict[str, Path]:
    """Every module of the package by dotted name; a package by its own name."""
    modules = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def edges(root: Path = ROOT, package: str = PACKAGE) -> list[Edge]:
    """Each import of one package module by another, wherever it is written, except under
    `if TYPE_CHECKING:` (which never runs)."""
    modules = module_names(root, package)
    found = []
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        for node in _imports(tree):
            for target in _targets(node, name, is_package, modules):
                resolved = _resolve(target, modules)
                if resolved and resolved != name:
                    found.append(Edge(name, resolved, node.lineno))
    return found


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _targets(
    node: ast.Import | ast.ImportFrom, importer: str, is_package: bool, modules: dict[str, Path]
) -> list[str]:
    """The dotted names an import statement reads: `from a import b` reads the module a.b
    when there is one, else a name defined in a."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        here = importer.split(".") if is_package else importer.split(".")[:-1]
        here = here[: len(here) - (node.level - 1)]
        base = ".".join([*here, base] if base else here)
    return [
        f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
        for alias in node.names
    ]


def _resolve(target: str, modules: dict[str, Path]) -> str | None:
    """The longest known module a dotted name starts with."""
    parts = target.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def cycles(found: list[Edge]) -> list[list[str]]:
    """Each strongly connected group of modules (Tarjan), as its members sorted."""
    graph: dict[str, set[str]] = {}
    for edge in found:
        graph.setdefault(edge.importer, set()).add(edge.imported)
        graph.setdefault(edge.imported, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def loop_through(group: list[str], found: list[Edge]) -> list[Edge]:
    """One closed path of imports through a cycle's modules, starting at its first module
    (the shortest back to it), to name in a failure."""
    members = set(group)
    inside = [e for e in found if e.importer in members and e.imported in members]
    start = group[0]
    paths: dict[str, list[Edge]] = {start: []}
    frontier = [start]
    while frontier:
        following = []
        for module in frontier:
            for edge in inside:
                if edge.importer != module:
                    continue
                if edge.imported == start:
                    return [*paths[module], edge]
                if edge.imported not in paths:
                    paths[edge.imported] = [*paths[module], edge]
                    following.append(edge.imported)
        frontier = following
    return []
