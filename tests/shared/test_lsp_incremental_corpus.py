"""The language server's incremental lint gives what ``lint_text`` gives on real manifests."""

from __future__ import annotations

from podlint.engine import Engine
from podlint.lint import lint_text
from podlint.lsp.incremental import DocumentCache
from podlint.runtime import Options, build_engine
from tests.conftest import SHARED

MANIFESTS = SHARED / "corpus" / "microservices-demo" / "kubernetes-manifests"


def _same(engine: Engine, cache: DocumentCache, text: str, name: str = "edit.yaml") -> None:
    expected = lint_text(engine, name, text)
    actual = cache.lint_text(engine, name, text)
    assert actual.findings == expected.findings
    assert actual.suppressed == expected.suppressed
    assert actual.documents == expected.documents


def test_corpus_files_match() -> None:
    engine = build_engine(Options(policy="restricted"))
    texts = [path.read_text(encoding="utf-8") for path in sorted(MANIFESTS.glob("*.yaml"))]
    assert texts
    whole = "---\n".join(texts)
    cache = DocumentCache()
    _same(engine, cache, whole)
    _same(engine, cache, whole.replace("image: ", "image:  ", 3))
    _same(engine, cache, "# header\n" + whole)
