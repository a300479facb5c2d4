"""The schema machinery on every corpus document: fast verdicts agree with jsonschema, and the
findings do not depend on the cached form of the schemas."""

from __future__ import annotations

from pathlib import Path

import pytest

from podlint.k8s.schemas import version_schemas
from podlint.model.document import Document
from podlint.model.version import SUPPORTED
from podlint.source.manifest import parse_text
from tests.conftest import SHARED
from tests.test_schema_cache import findings_warm_cold_off

CORPUS = SHARED / "corpus"


def _documents(paths: list[Path]) -> list[Document]:
    documents = []
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        documents.extend(d for d in parse_text(text, str(path)) if isinstance(d, Document))
    return documents


def test_fast_verdict_agrees_with_jsonschema_on_corpus() -> None:
    schemas = version_schemas(SUPPORTED[-1])
    checked = 0
    for document in _documents(sorted(CORPUS.rglob("*.yaml"))):
        definition = schemas.definition_name(document.api_version or "", document.kind or "")
        if definition is None:
            continue
        verdict = schemas.is_valid(definition, document.data)
        errors = list(schemas.validator(definition).iter_errors(document.data))
        assert verdict is not None, f"{document.path}: no fast verdict for {definition}"
        assert verdict == (not errors), f"{document.path}: fast {verdict}, jsonschema {errors}"
        checked += 1
    assert checked > 2000


def test_schema_findings_on_the_corpus_do_not_depend_on_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    documents = _documents(sorted(CORPUS.rglob("*.yaml")))
    found = findings_warm_cold_off(documents, SUPPORTED[-1], tmp_path / "cache", monkeypatch)
    assert len({(path, index) for path, index, *_ in found}) > 30
