"""Nesting no object needs: refused where it goes too deep, before the composer recurses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from podlint.source.compose import MAX_DEPTH
from podlint.source.manifest import SourceProblem, parse_text

POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n"


def _lint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # A real process: a crash of the C composer is a signal, not an exception.
    return subprocess.run(
        [sys.executable, "-m", "podlint", "lint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_thirty_thousand_brackets_are_refused_where_the_limit_is_crossed(tmp_path: Path) -> None:
    prefix = POD + "    args: "
    (tmp_path / "deep.yaml").write_text(prefix + "[" * 30_000 + "]" * 30_000 + "\n")
    result = _lint("deep.yaml", "--format", "json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    [finding] = json.loads(result.stdout)["findings"]
    assert finding["rule"] == "yaml-syntax"
    assert finding["message"].startswith("nesting is too deep")
    # args is the 4th level (spec, containers, item), so the bracket that crosses the limit
    # is the (MAX_DEPTH - 3)th on line 8.
    column = len("    args: ") + (MAX_DEPTH - 3)
    assert (finding["line"], finding["column"]) == (8, column)


def test_deep_block_nesting_is_refused_at_its_line(tmp_path: Path) -> None:
    lines = "".join(" " * (2 * depth) + f"k{depth}:\n" for depth in range(1_000))
    (tmp_path / "deep.yaml").write_text(lines)
    result = _lint("deep.yaml", "--format", "json", cwd=tmp_path)
    [finding] = json.loads(result.stdout)["findings"]
    assert finding["message"].startswith("nesting is too deep")
    assert (finding["line"], finding["column"]) == (MAX_DEPTH + 1, 2 * MAX_DEPTH + 1)


def test_a_deep_document_hides_no_other_document() -> None:
    text = "a: " + "{a: " * 1000 + "}" * 1000 + "\n---\n" + POD + "    image: nginx:1\n"
    found = list(parse_text(text, "x.yaml"))
    problems = [item for item in found if isinstance(item, SourceProblem)]
    assert [p.message.split(":")[0] for p in problems] == ["nesting is too deep"]
    assert len(found) == 2


@pytest.mark.parametrize("depth", [MAX_DEPTH, MAX_DEPTH + 1])
def test_the_limit_is_exact(depth: int) -> None:
    # The document's own mapping is the first level.
    text = "a: " + "[" * (depth - 1) + "]" * (depth - 1) + "\n"
    problems = [item for item in parse_text(text, "x.yaml") if isinstance(item, SourceProblem)]
    assert bool(problems) is (depth > MAX_DEPTH)


def test_deep_podlint_yaml_is_a_configuration_error(tmp_path: Path) -> None:
    (tmp_path / ".podlint.yaml").write_text("rules: " + "[" * 30_000 + "]" * 30_000 + "\n")
    (tmp_path / "pod.yaml").write_text(POD + "    image: nginx:1\n")
    result = _lint("pod.yaml", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "nesting is too deep" in result.stderr
    assert ".podlint.yaml:1:" in result.stderr
    assert "Traceback" not in result.stderr
