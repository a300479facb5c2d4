"""Meta-tests over the rule catalog: cards, fixtures, docs and policies stay complete and in sync."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from podlint.catalog import rules_dir
from podlint.docs import render_all
from podlint.engine import Engine
from podlint.lint import lint_sources
from podlint.model.version import KubeVersion
from podlint.policy import RuleSetting, policy_layers, resolve_settings
from podlint.registry import default_registry
from podlint.rule import Rule

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "rules"
REGISTRY = default_registry()
BUILTIN = sorted((r for r in REGISTRY.rules.values() if "/" not in r.id), key=lambda r: r.id)
# Update rules compare two versions of an object, so one file cannot exercise them: their
# fixtures are old/new pairs in tests/update (see its README), checked both ways, with their
# docs examples, by tests/test_update_fixtures.py.
SINGLE_FILE = [r for r in BUILTIN if not (r.check or "").startswith("immutable.")]


def fixture_dir(rule: Rule) -> Path:
    return FIXTURES / rule.id


def test_card_file_names_are_rule_ids() -> None:
    stems = {path.stem for path in rules_dir().glob("*.yaml")}
    assert stems == {rule.id for rule in BUILTIN}


@pytest.mark.parametrize("rule", SINGLE_FILE, ids=lambda r: r.id)
def test_rule_has_fixtures_both_ways(rule: Rule) -> None:
    directory = fixture_dir(rule)
    names = [p.name for p in directory.iterdir()] if directory.is_dir() else []
    assert any(n.startswith("fail-") for n in names), f"{directory}: no fail-* fixture"
    assert any(n.startswith("pass-") for n in names), f"{directory}: no pass-* fixture"


def test_every_fixture_directory_is_a_rule() -> None:
    known = {rule.id for rule in BUILTIN}
    strays = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and p.name not in known)
    assert not strays, f"fixture directories without a rule: {strays}"


@pytest.mark.parametrize("rule", BUILTIN, ids=lambda r: r.id)
def test_rule_docs_are_complete(rule: Rule) -> None:
    for section in ("what", "why", "example", "use-instead"):
        assert str(rule.docs.get(section, "")).strip(), f"{rule.id}: docs.{section} is empty"
    references = rule.docs.get("references")
    assert isinstance(references, list) and references, f"{rule.id}: no references"
    assert rule.summary and not rule.summary.endswith(".")


def _lint_example(rule: Rule, text: str) -> list[str]:
    # a version-specific rule's card names the version its examples are judged at
    version = KubeVersion.parse(str(rule.docs.get("kubernetes-version", "latest")))
    # a rule that is quiet without options names those its examples are judged with
    options = dict(rule.docs.get("example-options") or {})
    engine = Engine(REGISTRY, {rule.id: RuleSetting(rule.severity, options)}, version)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"{rule.id}-example.yaml"
        path.write_text(text, encoding="utf-8")
        # A whole run, so cross-object rules (which report at its end) are exercised too.
        return [f.rule for result in lint_sources(engine, [str(path)]) for f in result.findings]


@pytest.mark.parametrize(
    "rule", [r for r in SINGLE_FILE if r.id != "file-too-large"], ids=lambda r: r.id
)
def test_example_fails_and_use_instead_passes(rule: Rule) -> None:
    assert rule.id in _lint_example(rule, str(rule.docs["example"])), (
        f"{rule.id}: the docs Example does not trigger the rule"
    )
    assert _lint_example(rule, str(rule.docs["use-instead"])) == [], (
        f"{rule.id}: the docs 'Use instead' triggers the rule"
    )


def test_file_too_large_example_fails_over_the_bound() -> None:
    # Its example is only too large relative to a bound, so lint it with a small one.
    from podlint.lint import lint_bytes

    rule = REGISTRY.rules["file-too-large"]
    engine = Engine(REGISTRY, {rule.id: RuleSetting(rule.severity)})
    example = str(rule.docs["example"]).encode()
    assert [f.rule for f in lint_bytes(engine, "x.yaml", example, len(example) - 1).findings] == [
        "file-too-large"
    ]
    use_instead = str(rule.docs["use-instead"]).encode()
    assert lint_bytes(engine, "x.yaml", use_instead, len(example) - 1).findings == []


def test_checks_resolve() -> None:
    for rule in BUILTIN:
        if rule.check:
            assert callable(REGISTRY.check(rule.check)), rule.id


@pytest.mark.parametrize("policy", sorted(REGISTRY.policies))
def test_policies_resolve_to_known_rules(policy: str) -> None:
    settings = resolve_settings(policy_layers(policy, REGISTRY.policies), REGISTRY.rules)
    assert settings, f"policy {policy} enables nothing"


def test_docs_are_generated_from_the_cards() -> None:
    expected = render_all(REGISTRY)
    docs = ROOT / "docs" / "rules"
    actual = {p.name: p.read_text(encoding="utf-8") for p in docs.glob("*.md")}
    stale = sorted(
        name for name in set(expected) | set(actual) if expected.get(name) != actual.get(name)
    )
    assert not stale, f"docs/rules is out of date for {stale}: run 'podlint docs docs/rules'"
