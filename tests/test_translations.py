"""translations/en.json against Home Assistant's rules and the code's keys."""

from __future__ import annotations

import ast
from collections.abc import Iterator
import importlib
import json
from pathlib import Path
import re
from typing import Any

import pytest

import custom_components.camera_bridge as integration

_ROOT = Path(integration.__file__).parent
_STRINGS: dict[str, Any] = json.loads((_ROOT / "translations" / "en.json").read_text())
# hassfest refuses translation strings that look like HTML
_HTML = re.compile(r"<[a-z].*?>")
# where an entity description's translation key lives, by description class
_PLATFORMS = {"Button": "button", "Sensor": "sensor", "Event": "event"}


def _strings(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, f"{path}.{key}" if path else key)
    else:
        yield path, node


def _has(path: str) -> bool:
    node: Any = _STRINGS
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def _module(path: Path) -> str:
    return ".".join(path.relative_to(_ROOT.parent.parent).with_suffix("").parts)


def _value(node: ast.expr, path: Path) -> str | None:
    """A string constant, or a module-level name that holds one."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        value = getattr(importlib.import_module(_module(path)), node.id, None)
        return value if isinstance(value, str) else None
    return None


def _call_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _used_keys() -> Iterator[tuple[str, str, str]]:
    """(where, kind, key) for every translation key the code names."""
    for path in sorted(_ROOT.rglob("*.py")):
        tree = ast.parse(path.read_text())
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            name = _call_name(call)
            where = f"{path.relative_to(_ROOT)}:{call.lineno}"
            if name == "register_error_translation" and len(call.args) >= 2:
                key = _value(call.args[1], path)
                assert key is not None, where
                yield where, "exceptions", key
            for keyword in call.keywords:
                if keyword.arg != "translation_key":
                    continue
                key = _value(keyword.value, path)
                if key is None:  # passed through (translate_error)
                    continue
                if name.endswith("Description"):
                    platform = next(
                        (p for word, p in _PLATFORMS.items() if word in name),
                        "camera",
                    )
                    yield where, f"entity.{platform}", key
                elif name.endswith("SelectorConfig"):
                    yield where, "selector", key
                else:
                    yield where, "exceptions", key


def test_no_html_in_strings() -> None:
    """No string looks like an HTML tag (hassfest refuses them)."""
    offending = [path for path, text in _strings(_STRINGS) if _HTML.search(text)]
    assert offending == []


def test_html_rule_catches_a_placeholder_in_angle_brackets() -> None:
    """The rule above matches what hassfest refused before."""
    assert _HTML.search("The endpoint linkvisual.<region>.aliyuncs.com is used.")


def test_every_translation_key_in_code_exists() -> None:
    """Exceptions, entity names and selectors the code names are in en.json."""
    used = list(_used_keys())
    # the scan finds the keys at all: exceptions, entities and a selector
    assert len({kind for _, kind, _ in used}) >= 4
    assert len(used) > 40
    missing = [
        f"{where}: {kind}.{key}"
        for where, kind, key in used
        if not _has(f"{kind}.{key}")
    ]
    assert missing == []


@pytest.mark.parametrize("key", ["invalid_auth", "cannot_connect", "backend_error"])
def test_shared_error_translations_exist(key: str) -> None:
    """The errors helpers.translate_error maps every library error to."""
    assert _has(f"exceptions.{key}.message")
