"""The one generic rule test: every fixture's findings equal its '# expect:' markers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from podlint.testing import check_fixture, fixture_files

FIXTURES = Path(__file__).parent / "rules"
CASES = [
    case
    for case in fixture_files(FIXTURES)
    if not os.environ.get("PODLINT_RULE") or case[0] == os.environ["PODLINT_RULE"]
]


@pytest.mark.parametrize(("rule_id", "path"), CASES, ids=[f"{r}/{p.name}" for r, p in CASES])
def test_fixture(rule_id: str, path: Path) -> None:
    check_fixture(rule_id, path)
