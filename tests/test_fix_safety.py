"""--fix never makes a file worse: the inputs fuzzing found, and the checks every fix passes."""

from __future__ import annotations

import json

import pytest

from podlint import fixes
from podlint.engine import Engine
from podlint.fixes import (
    FIXERS,
    Fix,
    Reading,
    TextEdit,
    fix_text,
    keeps_reading,
    verified,
)
from podlint.lint import lint_text
from podlint.model.document import Document
from podlint.model.span import Span
from podlint.policy import RuleSetting
from podlint.registry import default_registry

REGISTRY = default_registry()
FIX_RULES = sorted(FIXERS)


def engine(*rules: str) -> Engine:
    chosen = rules or tuple(FIX_RULES)
    return Engine(REGISTRY, {r: RuleSetting(REGISTRY.rules[r].severity) for r in chosen})


def fixed_with_every_fix(text: str, name: str = "pod.yaml") -> str:
    before = Reading.of(text, name)
    outcome = fix_text(engine(), name, text, unsafe=True)
    after = Reading.of(outcome.text, name)
    assert sum(after.problems.values()) <= sum(before.problems.values()), outcome.text
    assert len(after.documents) == len(before.documents), outcome.text
    return outcome.text


def fixable_left(text: str, name: str = "pod.yaml") -> list[str]:
    """Findings of rules with fixes that are still there."""
    return sorted({f.rule for f in lint_text(engine(), name, text).findings})


HEAD = "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            "pod.yaml",
            HEAD + "  - name: a\n    image: nginx:1\n    securityContext: {capabilities: null}\n",
        ),
        (
            "pod.yaml",
            HEAD + "  - name: a\n    image: nginx:1\n    securityContext: {capabilities: }\n",
        ),
        (
            "pod.json",
            json.dumps(
                {
                    "apiVersion": "v1",
                    "kind": "Pod",
                    "metadata": {"name": "a"},
                    "spec": {
                        "containers": [
                            {
                                "name": "a",
                                "image": "nginx:1",
                                "securityContext": {"capabilities": None},
                            }
                        ]
                    },
                }
            ),
        ),
    ],
    ids=["flow-null", "flow-empty", "json-null"],
)
def test_null_capabilities_in_flow_and_json_style(name: str, text: str) -> None:
    fixed = fixed_with_every_fix(text, name)
    assert fixable_left(fixed, name) == []
    if name.endswith(".json"):
        context = json.loads(fixed)["spec"]["containers"][0]["securityContext"]
        assert context["capabilities"] == {"drop": ["ALL"]}
    else:
        assert "securityContext: {capabilities: {drop: [ALL]}, " in fixed


def test_block_sequence_ending_in_an_alias() -> None:
    text = (
        "x: &d NET_RAW\n"
        + HEAD
        + (
            "  - name: a\n    image: nginx:1\n    securityContext:\n      capabilities:\n"
            "        drop:\n        - SYS_ADMIN\n        - *d\n      privileged: true\n"
        )
    )
    outcome = fix_text(engine("pss-capabilities-restricted"), "pod.yaml", text, unsafe=True)
    assert outcome.applied == 1
    assert outcome.text == text.replace("        - *d\n", "        - *d\n        - ALL\n")


def test_block_mapping_ending_in_an_alias_gets_keys_after_the_alias() -> None:
    text = "x: &e [{name: A, value: b}]\n" + HEAD + "  - name: a\n    image: nginx:1\n    env: *e\n"
    outcome = fix_text(
        engine("pss-privileged", "read-only-root-filesystem"), "pod.yaml", text, unsafe=True
    )
    assert outcome.text == text + "    securityContext:\n      readOnlyRootFilesystem: true\n"


def test_values_written_through_an_alias_are_not_edited() -> None:
    # Editing the anchor would change the other container too.
    text = HEAD + (
        "  - name: a\n    image: nginx:1\n    securityContext: &sc {privileged: true}\n"
        "  - name: b\n    image: nginx:1\n    securityContext: *sc\n"
    )
    outcome = fix_text(engine("pss-privileged"), "pod.yaml", text, unsafe=True)
    assert outcome.text == text
    assert outcome.applied == 0


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\u0085"])
def test_line_separators_in_an_earlier_document(separator: str) -> None:
    text = (
        f'apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c}}\ndata: {{a: "x{separator}y"}}\n'
        "---\n" + HEAD + "  - name: a\n    image: nginx:1\n    securityContext:\n"
        "      privileged: true   # why\n"
    )
    outcome = fix_text(engine("pss-privileged"), "pod.yaml", text, unsafe=True)
    assert outcome.text == text.replace("privileged: true", "privileged: false")
    fixed = fixed_with_every_fix(text)
    assert fixable_left(fixed) == []
    assert fixed.startswith(text.split("---\n")[0])


def test_explicit_key_containers() -> None:
    text = HEAD + "  - ? name\n    : a\n    ? image\n    : nginx:1\n"
    outcome = fix_text(engine("pss-allow-privilege-escalation"), "pod.yaml", text, unsafe=True)
    assert outcome.applied == 1
    assert outcome.text == text + "    securityContext:\n      allowPrivilegeEscalation: false\n"
    fixed = fixed_with_every_fix(text)
    assert fixable_left(fixed) == []


def test_explicit_key_with_a_null_value_is_not_guessed_at() -> None:
    text = HEAD + "  - name: a\n    image: nginx:1\n    ? securityContext\n"
    outcome = fix_text(
        engine("pss-privileged", "pss-allow-privilege-escalation"), "pod.yaml", text, unsafe=True
    )
    assert Reading.of(outcome.text, "pod.yaml").problems == Reading.of(text, "pod.yaml").problems


@pytest.mark.parametrize(
    "text",
    [
        HEAD + "  - &c\n    name: a\n    image: nginx:1\n    x: *c\n",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: &s\n  containers:\n"
        "  - name: a\n    image: nginx:1\n  x: *s\n",
    ],
    ids=["container", "pod-spec"],
)
def test_recursive_alias(text: str) -> None:
    # No RecursionError; and since the object contains itself, a fix inside it would change
    # what the alias shows as well, so such fixes are refused.
    outcome = fix_text(engine(), "pod.yaml", text, unsafe=True)
    assert "securityContext" not in outcome.text
    assert outcome.refused >= 1
    assert not Reading.of(outcome.text, "pod.yaml").problems


def test_block_scalar_value_is_replaced_without_eating_the_next_line() -> None:
    text = (
        HEAD
        + "  - name: a\n    image: nginx:1\n    securityContext:\n      privileged: |\n        true\n      runAsUser: 1\n"
    )
    assert (
        Reading.of(text, "pod.yaml")
        .documents[0]
        .data["spec"]["containers"][0]["securityContext"]["privileged"]
        == "true\n"
    )
    outcome = fix_text(engine("pss-privileged"), "pod.yaml", text, unsafe=True)
    assert Reading.of(outcome.text, "pod.yaml").problems == Reading.of(text, "pod.yaml").problems


def test_a_fix_that_breaks_the_text_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """The net under every fixer: a fixer that writes broken YAML, or changes something else,
    or does not clear its finding, is refused and its finding stays."""
    text = HEAD + "  - name: a\n    image: nginx:1\n    securityContext:\n      privileged: true\n"

    def breaks(finding, source):  # type: ignore[no-untyped-def]
        change = FIXERS_BEFORE["pss-privileged"](finding, source)
        assert change is not None
        title, good = change
        bad = TextEdit(good.edits[0].span, "false\n  : [")
        return title, type(good)((bad,), good.target)

    def renames(finding, source):  # type: ignore[no-untyped-def]
        change = source.set("/metadata/name", "b")
        return "Rename", type(change)(change.edits, "/spec/containers/0/securityContext/privileged")

    def does_nothing(finding, source):  # type: ignore[no-untyped-def]
        change = source.set("/spec/containers/0/securityContext/privileged", True)
        return "Nothing", change

    FIXERS_BEFORE = dict(FIXERS)
    for fixer in (breaks, renames, does_nothing):
        monkeypatch.setitem(fixes.FIXERS, "pss-privileged", fixer)
        outcome = fix_text(engine("pss-privileged"), "pod.yaml", text, unsafe=True)
        assert (outcome.text, outcome.applied, outcome.refused) == (text, 0, 1), fixer.__name__


def test_verified_and_keeps_reading() -> None:
    text = HEAD + "  - name: a\n    image: nginx:1\n"
    before = Reading.of(text, "pod.yaml")
    [document] = before.documents
    target = "/spec/containers/0/securityContext"
    good = Fix("ok", (TextEdit(Span(7, 0, 7, 0), "    securityContext: {}\n"),), target)
    assert verified(good, document, text, "pod.yaml", before)
    unreadable = Fix("bad", (TextEdit(Span(7, 0, 7, 0), "  securityContext: [\n"),), target)
    assert not verified(unreadable, document, text, "pod.yaml")
    elsewhere = Fix("bad", (TextEdit(Span(2, 16, 2, 17), "b"),), target)
    assert not verified(elsewhere, document, text, "pod.yaml")
    other = Document("pod.yaml", 0, {"kind": "Pod"}, "", None)
    after = Reading([other])
    assert not keeps_reading(before, after, {(0, ""): target})


def test_every_fix_is_declared_safe_or_unsafe_on_its_card() -> None:
    declared = {rule.id for rule in REGISTRY.rules.values() if rule.fix is not None}
    assert declared == set(FIXERS)
    for rule_id in FIXERS:
        fix = REGISTRY.rules[rule_id].fix
        assert fix is not None and fix.applicability in ("safe", "unsafe")
        assert ("Safe:" in fix.description) == fix.safe, rule_id


def test_anchors_and_tags_on_replaced_values_are_kept() -> None:
    text = HEAD + (
        "  - name: a\n    image: nginx:1\n    securityContext: {privileged: &p true}\n"
        "  - name: b\n    image: nginx:1\n    securityContext: &s ~\n"
    )
    outcome = fix_text(
        engine("pss-privileged", "pss-allow-privilege-escalation"), "pod.yaml", text, unsafe=True
    )
    assert (
        "securityContext: {privileged: &p false, allowPrivilegeEscalation: false}" in outcome.text
    )
    assert "    securityContext: &s\n      allowPrivilegeEscalation: false\n" in outcome.text
    # The same null, aliased by another container: editing it would change both, so no.
    aliased = text + "  - name: c\n    image: nginx:1\n    securityContext: *s\n"
    outcome = fix_text(engine("pss-allow-privilege-escalation"), "pod.yaml", aliased, unsafe=True)
    assert "securityContext: &s ~\n" in outcome.text
    assert not Reading.of(outcome.text, "pod.yaml").problems


def test_an_empty_value_after_an_explicit_key_is_filled_in() -> None:
    text = HEAD + "  - name: a\n    image: nginx:1\n  ? automountServiceAccountToken\n  : \n"
    outcome = fix_text(engine("automount-service-account-token"), "pod.yaml", text, unsafe=True)
    assert outcome.text == text.replace("  : \n", "  : false\n")
    tight = text.replace("  : \n", "  :\n")
    outcome = fix_text(engine("automount-service-account-token"), "pod.yaml", tight, unsafe=True)
    assert outcome.applied == 1
    assert not Reading.of(outcome.text, "pod.yaml").problems
