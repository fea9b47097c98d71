"""Every audit action the source writes, and every field its changes name, has a label in both
languages: the log never shows HR a code such as `streamer.update` or `hire_date`.

The source is read, not run: an action or a field added anywhere in hrapp/ without a label in
hrapp/audit/labels.py fails here with the file that writes it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import force_locale

from hrapp.core import labels
from hrapp.live_sessions.importer import SESSION_FIELDS
from hrapp.streamers.services import PROFILE_FIELDS
from hrapp.training.services import AUDITED_RECORD_FIELDS, MODULE_FIELDS

SOURCE = Path(__file__).resolve().parents[3] / "hrapp"
ACTION_CODE = re.compile(r"^[a-z_]+(?:\.[a-z_]+)+$")
FIELD_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
# Functions that pass their own `action` parameter on to `audit.record`: their callers name it.
RECORDING_WRAPPERS = {"_audit_streamer", "_audit_account", "_audit_login_trouble"}
# Audit rows whose fields are paths in a scheme document, worded by the scheme editor.
PATH_FIELDS = {"scheme.save"}


def _modules() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(SOURCE.rglob("*.py")):
        yield path, ast.parse(path.read_text("utf-8"))


def _is_record(call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Attribute):
        return (
            func.attr == "record" and isinstance(func.value, ast.Name) and func.value.id == "audit"
        )
    return isinstance(func, ast.Name) and func.id in RECORDING_WRAPPERS


def _constants(node: ast.AST, pattern: re.Pattern[str]) -> set[str]:
    return {
        n.value
        for n in ast.walk(node)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and pattern.match(n.value)
    }


def _assigned(scope: ast.AST, name: str) -> list[ast.AST]:
    """The values assigned to `name` in `scope` (plain and tuple assignments)."""
    values: list[ast.AST] = []
    for node in ast.walk(scope):
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            if isinstance(target, ast.Name) and target.id == name:
                values.append(node.value)
            elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                for element, value in zip(target.elts, node.value.elts, strict=False):
                    if isinstance(element, ast.Name) and element.id == name:
                        values.append(value)
    return values


def _functions(tree: ast.Module) -> Iterator[ast.FunctionDef]:
    yield from (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef))


def _action_values(node: ast.AST, function: ast.FunctionDef, tree: ast.Module) -> set[str]:
    """The codes an action argument can be: a literal, a name assigned literals, or an
    f-string such as f"dispute.{kind}" whose name is assigned literals."""
    if isinstance(node, ast.Name):
        values = _assigned(function, node.id) or _assigned(tree, node.id)
        return set().union(set(), *(_constants(v, ACTION_CODE) for v in values))
    if isinstance(node, ast.JoinedStr):
        codes = {""}
        for part in node.values:
            if isinstance(part, ast.Constant):
                codes = {code + str(part.value) for code in codes}
            elif isinstance(part, ast.FormattedValue) and isinstance(part.value, ast.Name):
                values = _assigned(function, part.value.id)
                words = set().union(set(), *(_constants(v, re.compile(r"^\w+$")) for v in values))
                codes = {code + word for code in codes for word in words}
            else:
                return set()
        return {code for code in codes if ACTION_CODE.match(code)}
    return _constants(node, ACTION_CODE)


def action_codes() -> dict[str, str]:
    """Each action code the source writes, with the file that writes it."""
    found: dict[str, str] = {}
    for path, tree in _modules():
        where = str(path.relative_to(SOURCE.parent))
        for function in _functions(tree):
            parameters = {a.arg for a in function.args.args}
            for call in (n for n in ast.walk(function) if isinstance(n, ast.Call)):
                if not _is_record(call) or not call.args:
                    continue
                first = call.args[0]
                if isinstance(first, ast.Name) and first.id in parameters:
                    continue  # a wrapper passing its caller's action on
                codes = _action_values(first, function, tree)
                assert codes, f"{where}:{call.lineno}: cannot tell which action is recorded"
                found.update(dict.fromkeys(codes, where))
        # Audit rows inserted in bulk name their action in the row's dict.
        for node in (n for n in ast.walk(tree) if isinstance(n, ast.Dict)):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "action":
                    found.update(dict.fromkeys(_constants(value, ACTION_CODE), where))
    return found


def field_keys() -> dict[str, str]:
    """Each key the services' audit changes name, with the file that writes it: the dict
    literals given as `changes`, given to `audit.diff` (directly or through a name assigned in
    the same function), and returned by the snapshot helpers whose results are compared."""
    found: dict[str, str] = {}
    for path, tree in _modules():
        where = str(path.relative_to(SOURCE.parent))
        helpers = {f.name: f for f in _functions(tree)}
        for function in _functions(tree):
            if any(_records_path_fields(call) for call in ast.walk(function)):
                continue
            for node in (n for n in ast.walk(function) if isinstance(n, ast.Call)):
                for value in _compared(node):
                    for key in _dict_keys(value, function, helpers):
                        found.setdefault(key, where)
    return found


def _records_path_fields(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and _is_record(node)
        and bool(node.args)
        and isinstance(node.args[0], ast.Constant)
        and node.args[0].value in PATH_FIELDS
    )


def _compared(call: ast.Call) -> list[ast.AST]:
    """The arguments whose keys become audit fields: `changes=` of a record, `diff`'s two."""
    if _is_record(call):
        return [k.value for k in call.keywords if k.arg == "changes"]
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "diff":
        return list(call.args)
    return []


def _dict_keys(
    node: ast.AST, function: ast.FunctionDef, helpers: dict[str, ast.FunctionDef]
) -> set[str]:
    if isinstance(node, ast.Dict):
        keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:  # {**other, ...}
                keys |= _dict_keys(value, function, helpers)
        return {k for k in keys if isinstance(k, str) and FIELD_KEY.match(k)}
    if isinstance(node, ast.Name):
        return set().union(
            set(), *(_dict_keys(v, function, helpers) for v in _assigned(function, node.id))
        )
    if isinstance(node, ast.Call):
        keys = set().union(set(), *(_dict_keys(a, function, helpers) for a in node.args))
        name = node.func.id if isinstance(node.func, ast.Name) else None
        helper = helpers.get(name or "") or _nested(function, name)
        if helper is not None:
            for ret in (n for n in ast.walk(helper) if isinstance(n, ast.Return) and n.value):
                keys |= _dict_keys(ret.value, helper, helpers)
        return keys
    return set()


def _nested(function: ast.FunctionDef, name: str | None) -> ast.FunctionDef | None:
    return next((f for f in _functions(function) if f.name == name and f is not function), None)  # type: ignore[arg-type]


def test_the_source_is_read_for_a_plausible_number_of_codes() -> None:
    actions = action_codes()
    fields = {*field_keys(), *PROFILE_FIELDS, *MODULE_FIELDS, *AUDITED_RECORD_FIELDS}
    assert {"streamer.update", "appraisal.adjust", "auth.login_failed", "job.submit"} <= set(
        actions
    )
    assert {"session.import_update", "session.hosts", "account.link", "training.module.create"} <= (
        set(actions)
    )
    assert {"hire_date", "legal_name", "roles", "active", "status", "payable_fen"} <= set(fields)
    assert len(actions) >= 40 and len(fields) >= 40


def test_every_action_the_source_writes_has_a_label(app: Flask) -> None:
    found = action_codes()
    missing = {c: w for c, w in found.items() if not labels.has_label("audit_action", c)}
    assert not missing, f"audit actions without a label in hrapp/audit/labels.py: {missing}"


def test_every_field_the_services_write_has_a_label(app: Flask) -> None:
    keys = dict(field_keys())
    # Fields copied in bulk from a model or a form: the lists the services compare.
    for name in (*PROFILE_FIELDS, *MODULE_FIELDS, *AUDITED_RECORD_FIELDS, *SESSION_FIELDS):
        keys.setdefault(name, "the services' field lists")
    missing = {k: w for k, w in keys.items() if not labels.has_label("field", k)}
    assert not missing, f"audit fields without a label in hrapp/audit/labels.py: {missing}"


@pytest.mark.parametrize("kind", ["audit_action", "entity_type", "field", "record_status"])
def test_each_label_reads_in_both_languages(app: Flask, kind: str) -> None:
    untranslated = []
    for code in labels.table(kind):
        with force_locale("en"):
            english = labels.label(kind, code)
        with force_locale("zh_CN"):
            chinese = labels.label(kind, code)
        if english == chinese or not re.search(r"[\u4e00-\u9fff]", chinese):
            untranslated.append(code)
    assert not untranslated
