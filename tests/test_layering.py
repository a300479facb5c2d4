"""The house's floors: the engine below, the front doors on it, and no door importing another.

Front doors are the lint CLI (``podlint.cli`` with its ``diff`` command in
``podlint.update.cli``), the webhook, the language server and the audit. What their click
commands share lives in ``podlint.commands``, below them. The top-level CLI reaches the other
doors only by name (``LAZY_COMMANDS``), never by an import, so that each stack is loaded only
when its command runs. ``podlint.library`` (the Python API) answers AdmissionReviews with the
webhook's review logic, which needs no server stack.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

DOORS = {
    "lint": ("podlint.cli", "podlint.update.cli"),
    "webhook": ("podlint.webhook",),
    "lsp": ("podlint.lsp",),
    "audit": ("podlint.audit",),
}
ABOVE_THE_ENGINE = {"podlint.__main__", "podlint.commands", "podlint.library"}
# What the Python API may use of a door: the webhook's review logic, not its server.
API_USES = ("podlint.webhook.review", "podlint.webhook.source")


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _door_of(module: str) -> str | None:
    return next((door for door, prefixes in DOORS.items() if _within(module, prefixes)), None)


MODULES = {_module(path): path for path in sorted((ROOT / "podlint").rglob("*.py"))}


def test_every_door_is_found() -> None:
    for door, prefixes in DOORS.items():
        assert any(_within(module, prefixes) for module in MODULES), door


@pytest.mark.parametrize("door", sorted(DOORS))
def test_a_front_door_imports_no_other_door(door: str) -> None:
    crossings = [
        f"{module} imports {name}"
        for module, path in MODULES.items()
        if _door_of(module) == door
        for name in sorted(_imports(path))
        if _door_of(name) not in (None, door)
    ]
    assert not crossings, "\n".join(crossings)


def test_the_engine_imports_no_front_door() -> None:
    crossings = [
        f"{module} imports {name}"
        for module, path in MODULES.items()
        if _door_of(module) is None and module not in ABOVE_THE_ENGINE
        for name in sorted(_imports(path))
        if _door_of(name) is not None
    ]
    assert not crossings, "\n".join(crossings)


def test_the_python_api_uses_only_the_review_logic_of_a_door() -> None:
    used = {name for name in _imports(MODULES["podlint.library"]) if _door_of(name)}
    assert used <= set(API_USES), sorted(used)
