"""``podlint lsp`` on the command line: pygls is loaded only by it, and bad input is exit 2."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path


def _podlint(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "podlint", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        stdin=subprocess.DEVNULL,
    )


def test_other_commands_do_not_import_pygls() -> None:
    code = (
        "import sys\n"
        "from podlint.cli import main\n"
        "main(['--help'])\n"
        "main(['lsp', '--help'])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pygls', 'lsprotocol')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"^\s+lsp\s+Run the language server", result.stdout, re.MULTILINE)
    assert result.stdout.rstrip().endswith("[]")


def test_missing_extra_is_a_clear_error(tmp_path: Path) -> None:
    shadow = tmp_path / "pygls"
    shadow.mkdir()
    (shadow / "__init__.py").write_text("raise ImportError('not installed')\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    result = _podlint("lsp", env=env)
    assert result.returncode == 2
    assert "pip install 'podlint[lsp]'" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_policy_is_exit_2() -> None:
    result = _podlint("lsp", "--policy", "no-such-policy")
    assert result.returncode == 2
    assert "no-such-policy" in result.stderr
    assert "Traceback" not in result.stderr
