"""Old/new fixture pairs for the update rules: findings equal the '# expect:' markers."""

from __future__ import annotations

from pathlib import Path

import pytest

from podlint.engine import Engine
from podlint.lint import lint_text
from podlint.model.document import Document
from podlint.policy import RuleSetting
from podlint.registry import default_registry
from podlint.rule import Rule
from podlint.source.manifest import parse_text
from podlint.testing import expected_markers
from podlint.update import UPDATE_RULES, check_update
from podlint.update.run import identity
from podlint.update.testing import cases, check_case

ROOT = Path(__file__).parent / "update"
CASES = cases(ROOT)


UPDATE_CARDS = sorted(
    (r for r in default_registry().rules.values() if (r.check or "").startswith("immutable.")),
    key=lambda r: r.id,
)


@pytest.mark.parametrize("case", CASES, ids=[str(c.relative_to(ROOT)) for c in CASES])
def test_case(case: Path) -> None:
    check_case(case)


def test_every_update_rule_has_failing_and_allowed_cases() -> None:
    markers: set[str] = set()
    for case in CASES:
        for path in case.glob("new*.yaml"):
            markers |= {rule for _, rule in expected_markers(path.read_text(encoding="utf-8"))}
    cards = {rule.id for rule in UPDATE_CARDS}
    assert cards == set(UPDATE_RULES)
    assert markers == cards
    assert any(c.parent.name == "allowed" for c in CASES)
    for case in CASES:
        has_markers = any(
            expected_markers(p.read_text(encoding="utf-8")) for p in case.glob("new*.yaml")
        )
        assert has_markers == (case.parent.name != "allowed"), case


def _documents(text: str) -> list[Document]:
    return [item for item in parse_text(text, "example.yaml") if isinstance(item, Document)]


@pytest.mark.parametrize("rule", UPDATE_CARDS, ids=lambda r: r.id)
def test_card_example_is_a_refused_pair_and_use_instead_is_not(rule: Rule) -> None:
    before, after = _documents(str(rule.docs["example"]))
    assert identity(before) == identity(after)
    assert rule.id in {f.rule for f in check_update(before.data, after.data)}, (
        f"{rule.id}: the docs Example (before, then after) does not trigger the rule"
    )
    # As in `podlint diff`: only an object with the same identity is an update of the Example.
    for instead in _documents(str(rule.docs["use-instead"])):
        if identity(instead) == identity(before):
            found = {f.rule for f in check_update(before.data, instead.data)}
            assert rule.id not in found, (
                f"{rule.id}: the docs 'Use instead' is refused as an update of the Example"
            )


@pytest.mark.parametrize("rule", UPDATE_CARDS, ids=lambda r: r.id)
def test_plain_lint_of_the_card_examples_reports_nothing(rule: Rule) -> None:
    engine = Engine(default_registry(), {rule.id: RuleSetting(rule.severity)})
    for section in ("example", "use-instead"):
        findings = lint_text(engine, f"{rule.id}.yaml", str(rule.docs[section])).findings
        assert findings == [], f"{rule.id}: a single-file lint of docs.{section} reported"
