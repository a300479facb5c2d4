"""The audit's client library is imported only when its command runs (that no front door
imports another is tests/test_layering.py)."""

from __future__ import annotations

import subprocess
import sys


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
