"""The audit is a front door on the engine: it never imports another front door, and its
client library is imported only when the command runs."""

from __future__ import annotations

import ast
import subprocess
import sys

from tests.conftest import ROOT

FRONT_DOORS = ("podlint.cli", "podlint.webhook", "podlint.lsp")


def imported_modules(source: str) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_audit_imports_no_other_front_door() -> None:
    modules = sorted((ROOT / "podlint" / "audit").glob("*.py"))
    assert modules
    for path in modules:
        imported = imported_modules(path.read_text(encoding="utf-8"))
        crossing = sorted(
            name
            for name in imported
            for door in FRONT_DOORS
            if name == door or name.startswith(door + ".")
        )
        assert not crossing, f"{path.name} imports {crossing}"


def test_listing_the_commands_does_not_import_the_client_library() -> None:
    probe = (
        "import sys; from podlint.cli import main; main(['--help']); "
        "print('lightkube' in sys.modules, file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert "audit" in done.stdout
    assert done.stderr.strip().endswith("False"), done.stderr
