"""The language server's incremental lint gives exactly what ``lint_text`` gives, after any
sequence of edits (``PODLINT_INCREMENTAL_EXAMPLES=2000`` searches longer)."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from podlint.engine import Engine
from podlint.lint import lint_text
from podlint.lsp.incremental import DocumentCache
from podlint.runtime import Options, build_engine

EXAMPLES = int(os.environ.get("PODLINT_INCREMENTAL_EXAMPLES", "50"))
Edits = list[tuple[str, int, str]]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return build_engine(Options(policy="restricted"))


EDITED = """\
# podlint: disable-file=latest-image-tag
apiVersion: v1
kind: Pod
metadata: {name: a}
spec:
  containers: [{name: a, image: "nginx"}]
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Pod
    metadata: {name: b}
    spec:
      containers:
        - name: b
          image: ""   # podlint: disable=missing-image
        - name: b
          image: busybox:1
---
apiVersion: v1
kind: Pod
metadata: {name: [broken
---
apiVersion: v1
kind: Pod
metadata: {name: c}
spec:
  containers:
    - name: c
      image: ""
"""


def _same(engine: Engine, cache: DocumentCache, text: str, name: str = "edit.yaml") -> None:
    expected = lint_text(engine, name, text)
    actual = cache.lint_text(engine, name, text)
    assert actual.findings == expected.findings
    assert actual.suppressed == expected.suppressed
    assert actual.documents == expected.documents


def test_edits_shift_and_reuse_findings(engine: Engine) -> None:
    cache = DocumentCache()
    _same(engine, cache, EDITED)
    assert cache.hits == 0
    # Lines inserted in the first document move every later finding; the rest is reused.
    inserted = EDITED.replace("metadata: {name: a}\n", "metadata:\n  name: a\n  labels: {}\n", 1)
    _same(engine, cache, inserted)
    assert cache.hits >= 2
    misses = cache.misses
    reads = cache.parses.misses
    # An edit inside the last document reads it again and re-runs the rules on it alone (the
    # broken document, whose message names a line, is read each time).
    _same(engine, cache, inserted.replace('      image: ""\n', "      image: nginx:1\n"))
    assert cache.misses == misses + 1
    assert cache.parses.misses == reads + 2
    # Removing the suppression comment brings its findings back.
    _same(engine, cache, inserted.replace("# podlint: disable-file=latest-image-tag\n", ""))


LINES = [
    "---",
    "...",
    "",
    "# podlint: disable=latest-image-tag",
    "# podlint: disable-file=missing-image",
    "# podlint: disable-next-line=privileged-container",
    "apiVersion: v1",
    "kind: Pod",
    "kind: List",
    "metadata: {name: d}",
    "metadata: {name: [broken",
    "spec:",
    "  containers: [{name: x, image: nginx}]",
    "  hostNetwork: true",
    "    - name: c",
    '      image: ""',
    "      image: busybox:1",
    "      securityContext: {privileged: true}",
    "items:",
    "  - apiVersion: v1",
    "    kind: Pod",
    "  a: 1\n  a: 2",
    '  annotations: {podlint.io/ignore: "missing-image"}',
]

edits = st.lists(
    st.tuples(
        st.sampled_from(["insert", "delete", "replace", "type"]),
        st.integers(0, 10_000),
        st.sampled_from(LINES) | st.text(max_size=4),
    ),
    min_size=1,
    max_size=8,
)


def _edit(text: str, action: str, where: int, piece: str) -> str:
    lines = text.splitlines(keepends=True)
    at = where % (len(lines) + 1)
    if action == "insert":
        lines.insert(at, piece + "\n")
    elif action == "delete" and at < len(lines):
        del lines[at]
    elif action == "replace" and at < len(lines):
        lines[at] = piece + "\n"
    elif action == "type" and at < len(lines):
        line = lines[at]
        column = where % len(line)
        lines[at] = line[:column] + piece + line[column:]
    return "".join(lines)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True)
@given(edits)
def test_random_edits_give_what_a_whole_lint_gives(engine: Engine, steps: Edits) -> None:
    """One buffer edited step by step, the cache kept across the steps as the server keeps it."""
    cache = DocumentCache()
    text = EDITED
    _same(engine, cache, text)
    for action, where, piece in steps:
        text = _edit(text, action, where, piece)
        _same(engine, cache, text)
