"""Positions as editors and GitHub count lines, for characters YAML treats specially."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from podlint.cli import cli
from podlint.source.manifest import SourceProblem, parse_text

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
  annotations:
    note: "{break}"
spec:
  containers:
  - name: app
    image: nginx:latest
"""


def _findings(tmp_path: Path, text: str, *args: str) -> list[dict[str, object]]:
    (tmp_path / "pod.yaml").write_text(text, encoding="utf-8")
    args = ("--select", "latest-image-tag,yaml-syntax", "--format", "json", *args)
    result = CliRunner().invoke(cli, ["lint", str(tmp_path / "pod.yaml"), *args])
    findings: list[dict[str, object]] = json.loads(result.stdout)["findings"]
    return findings


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85", "a\u2028b\u2029c\x85d"])
def test_unicode_line_separators_do_not_shift_later_lines(tmp_path: Path, separator: str) -> None:
    # Once in an earlier document and once earlier in the same document.
    text = "a: '" + separator + "'\n---\n" + POD.format(**{"break": separator})
    [finding] = _findings(tmp_path, text)
    assert (finding["line"], finding["column"]) == (12, 12)


def test_excerpt_and_suppression_use_the_same_lines(tmp_path: Path) -> None:
    text = POD.format(**{"break": "\u2028"}).replace(
        "nginx:latest", "nginx:latest  # podlint: disable=latest-image-tag"
    )
    assert _findings(tmp_path, text) == []
    (tmp_path / "pod.yaml").write_text(POD.format(**{"break": "\u2029"}), encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["lint", str(tmp_path / "pod.yaml"), "--select", "latest-image-tag"]
    )
    assert "pod.yaml:10:12: warning" in result.stdout
    assert "10 |     image: nginx:latest" in result.stdout


@pytest.mark.parametrize(
    ("character", "escaped"), [("\x00", "\\x00"), ("\x1b", "\\x1b"), ("\x07", "\\x07")]
)
def test_control_characters_are_reported_where_they_are(character: str, escaped: str) -> None:
    text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: é" + character + "x\n"
    [problem] = list(parse_text(text, "x.yaml"))
    assert isinstance(problem, SourceProblem)
    assert (problem.span.line, problem.span.column) == (3, 9)
    assert f"U+{ord(character):04X}" in problem.message
    assert escaped in problem.message


def test_syntax_errors_after_a_line_separator_are_on_the_editor_line() -> None:
    text = "a: '\u2028\u2028'\nb: [\n"
    [problem] = list(parse_text(text, "x.yaml"))
    assert isinstance(problem, SourceProblem)
    assert problem.span.line == 1
