"""Aliases are bounded by what they expand to, and a bomb is reported at the alias."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from podlint.cli import cli
from podlint.model.document import Document
from podlint.source.compose import ALIAS_FACTOR, ALIAS_ROOM
from podlint.source.manifest import SourceProblem, parse_text

CONTAINER = "{name: app, image: 'nginx:latest', securityContext: {privileged: true}}"


def _pod(containers: int, *, anchor_line: str = "") -> str:
    return (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n"
        f"  labels: {{x: &c {CONTAINER}}}\n{anchor_line}spec:\n  containers:\n"
        + "  - *c\n"
        * containers
    )


def test_many_aliases_of_a_container_are_refused_at_the_alias_that_crosses_the_bound() -> None:
    aliases = 5_000
    [problem] = list(parse_text(_pod(aliases), "x.yaml"))
    assert isinstance(problem, SourceProblem)
    assert "alias bomb" in problem.message
    # The document writes 13 distinct nodes and the aliases; each alias expands to the
    # container's 9 nodes, after the 25 nodes up to the containers list.
    bound = ALIAS_ROOM + ALIAS_FACTOR * (13 + aliases)
    crossing = (bound - 25) // 9 + 1
    # The first alias is on line 7 (0-based), just after its dash.
    assert (problem.span.line, problem.span.column) == (6 + crossing, 4)


def test_a_few_aliases_are_linted_like_written_out_values() -> None:
    [pod] = list(parse_text(_pod(3), "x.yaml"))
    assert isinstance(pod, Document)
    assert [c["name"] for c in pod.data["spec"]["containers"]] == ["app"] * 3


def test_the_report_stays_proportional_to_the_input(tmp_path: Path) -> None:
    (tmp_path / "bomb.yaml").write_text(_pod(20_000))
    result = CliRunner().invoke(cli, ["lint", str(tmp_path / "bomb.yaml"), "--format", "json"])
    findings = json.loads(result.stdout)["findings"]
    assert [f["rule"] for f in findings] == ["yaml-syntax"]
    assert len(result.stdout) < 10_000


def test_nested_billion_laughs_is_refused_at_an_alias() -> None:
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for index in range(1, 10):
        name, previous = chr(ord("a") + index), chr(ord("a") + index - 1)
        levels.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    [problem] = list(parse_text("\n".join(levels) + "\n", "x.yaml"))
    assert isinstance(problem, SourceProblem)
    assert problem.span.line > 0
    assert levels[problem.span.line][problem.span.column] == "*"
