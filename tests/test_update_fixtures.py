"""Old/new fixture pairs for the update rules: findings equal the '# expect:' markers."""

from __future__ import annotations

from pathlib import Path

import pytest

from podlint.registry import default_registry
from podlint.testing import expected_markers
from podlint.update import UPDATE_RULES
from podlint.update.testing import cases, check_case

ROOT = Path(__file__).parent / "update"
CASES = cases(ROOT)


@pytest.mark.parametrize("case", CASES, ids=[str(c.relative_to(ROOT)) for c in CASES])
def test_case(case: Path) -> None:
    check_case(case)


def test_every_update_rule_has_failing_and_allowed_cases() -> None:
    markers: set[str] = set()
    for case in CASES:
        for path in case.glob("new*.yaml"):
            markers |= {rule for _, rule in expected_markers(path.read_text(encoding="utf-8"))}
    cards = {rule for rule in default_registry().rules if rule.startswith("immutable-")}
    assert cards == set(UPDATE_RULES)
    assert markers == cards
    assert any(c.parent.name == "allowed" for c in CASES)
    for case in CASES:
        has_markers = any(
            expected_markers(p.read_text(encoding="utf-8")) for p in case.glob("new*.yaml")
        )
        assert has_markers == (case.parent.name != "allowed"), case
