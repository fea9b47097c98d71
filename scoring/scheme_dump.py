"""Writing a scheme back to TOML, so the web app can edit a scheme through a form and store text.

The standard library reads TOML but cannot write it, and `scoring` may depend on nothing but
pandas and numpy, so this module carries a small writer for the value types a scheme uses:
strings, integers, floats, booleans, arrays of those, tables and arrays of tables.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TypeGuard, cast

from scoring.scheme import CommissionRules, PromotionRule, Scheme

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def dump_scheme(scheme: Scheme) -> str:
    """TOML text for `scheme` (without comments); `load_scheme(dump_scheme(s)) == s`."""
    return to_toml(_scheme_data(scheme))


def _scheme_data(scheme: Scheme) -> dict[str, object]:
    data: dict[str, object] = {
        "name": scheme.name,
        "levels": [vars(level) for level in scheme.levels],
        "scoring": vars(scheme.scoring),
        "metrics": {
            m.key: {"weight": m.weight, "targets": dict(m.targets)} for m in scheme.metrics
        },
        "grades": [vars(band) for band in scheme.grades],
        "forced_distribution": [
            {"grades": list(limit.grades), "max_share": limit.max_share}
            for limit in scheme.forced_distribution
        ],
        "commission": _commission_data(scheme.commission),
        "promotion": [_promotion_data(rule) for rule in scheme.promotion],
    }
    return cast(dict[str, object], _plain(data))


def _commission_data(rules: CommissionRules) -> dict[str, object]:
    return {
        "mode": rules.mode,
        "gate_factor": rules.gate_factor,
        "cap_fen": rules.cap_fen,
        "tiers": [vars(tier) for tier in rules.tiers],
        "multipliers": dict(rules.multipliers),
    }


def _promotion_data(rule: PromotionRule) -> dict[str, object]:
    data = {key: value for key, value in vars(rule).items() if key != "modules"}
    data["modules"] = [vars(module) for module in rule.modules]
    return data


def _plain(value: object) -> object:
    """TOML-ready values: Decimal as exact string, whole floats as integers, None/empty dropped."""
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items() if item not in (None, [], ())}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def to_toml(data: Mapping[str, object]) -> str:
    """Serialise nested mappings as TOML: scalars first, then sub-tables and arrays of tables."""
    lines: list[str] = []
    _table(data, (), lines)
    return "\n".join(lines).strip() + "\n"


def _is_table_array(value: object) -> TypeGuard[list[Mapping[str, object]]]:
    return isinstance(value, list) and bool(value) and all(isinstance(v, Mapping) for v in value)


def _table(table: Mapping[str, object], path: tuple[str, ...], lines: list[str]) -> None:
    # TOML requires a table's own keys before any of its sub-table headers.
    for key, value in table.items():
        if not isinstance(value, Mapping) and not _is_table_array(value):
            lines.append(f"{_key(key)} = {_value(value)}")
    for key, value in table.items():
        header = ".".join(_key(part) for part in (*path, key))
        if isinstance(value, Mapping):
            # A table holding only sub-tables needs no header of its own.
            if not value or not all(isinstance(v, Mapping) for v in value.values()):
                lines.extend(["", f"[{header}]"])
            _table(value, (*path, key), lines)
        elif _is_table_array(value):
            for item in value:
                lines.extend(["", f"[[{header}]]"])
                _table(item, (*path, key), lines)


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else _string(key)


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value:_}"  # 30_000_000 reads better than 30000000 in a form's text view
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, Sequence):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def _string(text: str) -> str:
    escaped = "".join(
        _ESCAPES.get(char)
        or (f"\\u{ord(char):04x}" if ord(char) < 0x20 or ord(char) == 0x7F else char)
        for char in text
    )
    return f'"{escaped}"'
