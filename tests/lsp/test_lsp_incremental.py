"""The language server's incremental lint gives exactly what ``lint_text`` gives."""

from __future__ import annotations

import pytest

from podlint.engine import Engine
from podlint.lint import lint_text
from podlint.lsp.incremental import DocumentCache
from podlint.runtime import Options, build_engine


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
    # An edit inside the last document re-runs the rules on it alone.
    _same(engine, cache, inserted.replace('      image: ""\n', "      image: nginx:1\n"))
    assert cache.misses == misses + 1
    # Removing the suppression comment brings its findings back.
    _same(engine, cache, inserted.replace("# podlint: disable-file=latest-image-tag\n", ""))
