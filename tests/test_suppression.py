"""Suppression comments and the podlint.io/ignore annotation, through the real lint path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from podlint.cli import cli
from podlint.engine import Engine
from podlint.lint import lint_text
from podlint.model.document import Document
from podlint.model.finding import Severity
from podlint.policy import RuleSetting
from podlint.registry import default_registry
from podlint.source.manifest import parse_text
from podlint.suppression import apply_suppressions


def engine_with(*rule_ids: str) -> Engine:
    registry = default_registry()
    settings = {rule_id: RuleSetting(registry.rules[rule_id].severity) for rule_id in rule_ids}
    return Engine(registry, settings)


def lint(text: str, *rule_ids: str, strict: bool = False):
    return lint_text(engine_with(*rule_ids, "unused-suppression"), "pod.yaml", text, strict=strict)


def found(result) -> list[tuple[int, str]]:
    return [(f.span.line + 1, f.rule) for f in result.findings]


POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: web
    image: nginx:latest{same}
  - name: side
    image: envoy:latest
"""


def test_disable_on_the_reported_line_with_a_reason() -> None:
    text = POD.format(same="  # podlint: disable=latest-image-tag -- pinned by the release job")
    result = lint(text, "latest-image-tag")
    assert found(result) == [(10, "latest-image-tag")]
    [item] = result.suppressed
    assert (item.finding.span.line + 1, item.form, item.reason) == (
        8,
        "# podlint: disable",
        "pinned by the release job",
    )


def test_disable_next_line_skips_blank_and_comment_lines() -> None:
    text = POD.format(same="").replace(
        "  - name: side\n",
        "  - name: side\n    # podlint: disable-next-line=latest-image-tag\n\n    # note\n",
    )
    assert found(lint(text, "latest-image-tag")) == [(8, "latest-image-tag")]


def test_disable_file_and_several_ids() -> None:
    text = "# podlint: disable-file=latest-image-tag,missing-image\n" + POD.format(same="")
    assert found(lint(text, "latest-image-tag")) == []
    text = "# podlint: disable-file=latest-image-tag\n" + POD.format(same="")
    assert found(lint(text, "latest-image-tag")) == []


def test_unused_suppression_of_an_enabled_rule_is_reported_at_the_id() -> None:
    text = "# podlint: disable-file=latest-image-tag,missing-image\n" + POD.format(same="")
    result = lint(text, "latest-image-tag", "missing-image")
    result_all = lint_text(
        engine_with("latest-image-tag", "missing-image", "unused-suppression"), "p.yaml", text
    )
    assert found(result_all) == [(1, "unused-suppression")]
    [problem] = result_all.findings
    assert problem.severity is Severity.INFO
    assert problem.span.column == text.index("missing-image")
    assert 'suppression of "missing-image" matched no finding in this file' in problem.message
    assert [f.message for f in result.findings] == [f.message for f in result_all.findings]


def test_suppression_of_a_rule_that_is_not_enabled_is_not_reported() -> None:
    text = POD.format(same="  # podlint: disable=missing-image")
    assert found(lint(text)) == []


def test_unknown_ids_and_malformed_comments_say_what_is_valid() -> None:
    text = (
        POD.format(same="  # podlint: disable=latest-tag").replace(
            "  - name: side\n", "  - name: side  # podlint: ignore=latest-image-tag\n"
        )
        + "# podlint: disable\n"
    )
    result = lint(text, "latest-image-tag")
    messages = {
        f.span.line + 1: f.message for f in result.findings if f.rule == "unused-suppression"
    }
    assert (
        messages[8] == 'unknown rule "latest-tag" in suppression; did you mean "latest-image-tag"?'
    )
    assert 'unknown suppression "ignore"' in messages[9]
    assert "disable=<id>" in messages[9]
    assert "needs rule ids" in messages[11]
    # The unknown id suppressed nothing: its finding stays.
    assert (8, "latest-image-tag") in found(result)


def test_comment_markers_inside_quoted_strings_are_not_suppressions() -> None:
    text = POD.format(same="").replace(
        "    image: envoy:latest\n",
        '    image: envoy:latest\n    args: ["a # podlint: disable=latest-image-tag"]\n',
    )
    assert found(lint(text, "latest-image-tag")) == [
        (8, "latest-image-tag"),
        (10, "latest-image-tag"),
    ]


ANNOTATED = """\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata:
    name: a
    annotations:
      podlint.io/ignore: "latest-image-tag,missing-image -- accepted in SEC-12"
  spec:
    containers:
    - name: web
      image: nginx:latest
- apiVersion: v1
  kind: Pod
  metadata:
    name: b
  spec:
    containers:
    - name: web
      image: nginx:latest
    - name: nope
"""


def test_annotation_suppresses_only_its_object() -> None:
    result = lint(ANNOTATED, "latest-image-tag", "missing-image")
    assert found(result) == [
        (9, "unused-suppression"),
        (21, "latest-image-tag"),
        (22, "missing-image"),
    ]
    assert [s.reason for s in result.suppressed] == ["accepted in SEC-12"]
    assert result.suppressed[0].finding.name == "a"


def test_strict_refuses_annotations_for_errors_and_says_so() -> None:
    text = ANNOTATED.replace("latest-image-tag,missing-image", "missing-image").replace(
        "    - name: web\n      image: nginx:latest\n- apiVersion",
        "    - name: web\n- apiVersion",
        1,
    )
    relaxed = lint(text, "missing-image")
    assert found(relaxed) == [(21, "missing-image")]
    strict = lint(text, "missing-image", strict=True)
    first = text.splitlines().index("    - name: web") + 1
    assert found(strict) == [(first, "missing-image"), (21, "missing-image")]
    assert "may not suppress this error under --strict" in strict.findings[0].message


def test_filter_works_without_text_for_admission_objects() -> None:
    documents = [d for d in parse_text(ANNOTATED, "x.yaml") if isinstance(d, Document)]
    engine = engine_with("latest-image-tag", "unused-suppression")
    findings = [f for d in documents for f in engine.lint_document(d)]
    outcome = apply_suppressions(
        findings,
        None,
        documents,
        settings=engine.settings,
        known=engine.registry.rules,
        refuse={"latest-*"},
    )
    assert sorted(f.name for f in outcome.findings if f.rule == "latest-image-tag") == ["a", "b"]
    assert "may not suppress this warning under policy" in outcome.findings[0].message
    by_category = apply_suppressions(
        findings,
        None,
        documents,
        settings=engine.settings,
        known=engine.registry.rules,
        refuse={"@reliability"},
    )
    assert by_category.findings == outcome.findings


def test_cli_strict_and_show_suppressed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sarif_schema: dict[str, Any]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pod.yaml").write_text(
        POD.format(same="  # podlint: disable=latest-image-tag -- pinned")
    )
    runner = CliRunner()
    plain = runner.invoke(
        cli, ["lint", "--select", "latest-image-tag", "--format", "sarif", "pod.yaml"]
    )
    assert len(json.loads(plain.output)["runs"][0]["results"]) == 1
    shown = runner.invoke(
        cli,
        [
            "lint",
            "--select",
            "latest-image-tag",
            "--format",
            "sarif",
            "--show-suppressed",
            "pod.yaml",
        ],
    )
    log = json.loads(shown.output)
    assert not list(jsonschema.Draft4Validator(sarif_schema).iter_errors(log))
    results = log["runs"][0]["results"]
    suppressed = [r for r in results if r.get("suppressions")]
    assert [r["suppressions"][0]["justification"] for r in suppressed] == ["pinned"]
    text = runner.invoke(cli, ["lint", "--show-suppressed", "pod.yaml"]).output
    assert "pod.yaml:8:12: suppressed:" in text


def test_json_lists_suppressed_findings_only_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pod.yaml").write_text(
        POD.format(same="  # podlint: disable=latest-image-tag -- pinned")
    )
    args = ["lint", "--select", "latest-image-tag", "--format", "json", "pod.yaml"]
    plain = json.loads(CliRunner().invoke(cli, args).output)
    assert "suppressed" not in plain
    shown = json.loads(CliRunner().invoke(cli, [*args, "--show-suppressed"]).output)
    [item] = shown["suppressed"]
    assert (item["line"], item["suppressedBy"], item["reason"]) == (
        8,
        "# podlint: disable",
        "pinned",
    )
    assert [f["line"] for f in shown["findings"]] == [10]


def test_cli_strict_refuses_the_annotation_for_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  annotations:\n"
        '    podlint.io/ignore: "missing-image -- injected later"\n'
        "spec:\n  containers:\n  - name: web\n"
    )
    args = ["lint", "--select", "missing-image", "pod.yaml"]
    assert CliRunner().invoke(cli, args).exit_code == 0
    strict = CliRunner().invoke(cli, [*args, "--strict"])
    assert strict.exit_code == 1
    assert (
        "podlint.io/ignore annotation may not suppress this error under --strict" in strict.output
    )


def test_suppression_mistakes_can_be_suppressed_like_any_finding() -> None:
    line = (
        "  # podlint: disable=latest-image-tag,legacy-rule  # podlint: disable=unused-suppression"
    )
    text = POD.format(same=line)
    result = lint(text, "latest-image-tag")
    assert found(result) == [(10, "latest-image-tag")]
    assert [s.finding.rule for s in result.suppressed] == ["latest-image-tag", "unused-suppression"]
    # ...and a suppression of unused-suppression that silences nothing is reported.
    text = "# podlint: disable-file=unused-suppression\n" + POD.format(same="")
    assert found(lint(text, "latest-image-tag")) == [
        (1, "unused-suppression"),
        (9, "latest-image-tag"),
        (11, "latest-image-tag"),
    ]
