"""Nesting no object needs: refused where it goes too deep, before the composer recurses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from podlint.source.compose import (
    MAX_DEPTH,
    _flow_openers,
    _may_be_too_deep,
    _may_open_collection,
)
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


# --- Brackets that open nothing ------------------------------------------------------------
# The pre-check counts only brackets that may open a flow collection: for every collection
# the parser opens with a bracket, that bracket must be counted, or a deep text could reach
# the recursive composer.

_PIECES = [
    "[", "{", "]", "}", ",", ":", ": ", "- ", "? ", " ", "\t", "\n", "\r\n", "\x85", "\u2028",
    "\ufeff", "&a ", "&b", "!t ", "!!seq ", "! ", "!<tag:x,2000:[y]> ", "!<a]> ", "*a", "x",
    "word ", '"q [ {"', "'s [ '", "# [\n", "|\n  [ {\n", ">-\n  {x\n", "--- ", "\n---\n",
]  # fmt: skip


def _flow_brackets_opened(text: str) -> list[int]:
    """Where the parser opens each flow collection (the bracket's index), up to the first
    syntax error."""
    from ruamel.yaml.events import MappingStartEvent, SequenceStartEvent, StreamEndEvent

    from podlint.source.compose import make_composer

    opened = []
    # The reader drops a leading byte order mark before it counts positions.
    offset = 1 if text.startswith("\ufeff") else 0
    next_event = make_composer()(text).get_event
    try:
        while (event := next_event()) is not None:
            if isinstance(event, (SequenceStartEvent, MappingStartEvent)) and event.flow_style:
                opened.append(offset + event.end_mark.index - 1)
            if isinstance(event, StreamEndEvent):
                break
    except Exception:  # the parser stops here, and so would the composer
        pass
    return opened


@settings(
    max_examples=1500,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(st.sampled_from(_PIECES), max_size=40))
@example(["[", "x", ",", "["])
@example(["{", "x", ":", "{"])
@example(["[", "&a", " ", "[", "x", "]", "]"])
@example(["[", "!<tag:x,2000:[y]> ", "[", "x", "]", "]"])
@example(["? ", "[", "x", "]", ": ", "x"])
@example(["--- ", "[", "x", "]"])
def test_every_bracket_that_opens_a_collection_is_counted(pieces: list[str]) -> None:
    text = "".join(pieces)
    for index in _flow_brackets_opened(text):
        assert text[index] in "[{", (text, index)
        assert _may_open_collection(text, index), (text, index)


def test_brackets_in_descriptions_do_not_send_a_large_text_to_the_event_count() -> None:
    properties = "".join(
        f"  field{n}:\n    description: a map of {{key,value}} pairs; selects [one] of [a, b]\n"
        f"    pattern: ^([0-9]+[.])+[a-z]{{2}}$\n    type: string\n"
        for n in range(400)
    )
    text = "properties:\n" + properties
    assert len(text) > 16384 and text.count("[") + text.count("{") > MAX_DEPTH
    assert _flow_openers(text, MAX_DEPTH) == 0
    assert not _may_be_too_deep(text)


@pytest.mark.parametrize(
    "opener",
    ["[", "{", "&a [", "!t [", "&a !t [", "[&a [", "{a: [", '{"a":[', "? [", "- [", "--- ["],
)
def test_deep_flow_nesting_written_any_way_is_still_caught(opener: str) -> None:
    filler = "description: a map of {key,value} pairs [x]\n" * 400
    text = filler + "a: " + "[" * (MAX_DEPTH // 2) + opener * MAX_DEPTH + "\n"
    assert _may_be_too_deep(text)
