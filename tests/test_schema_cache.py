"""The compact, cached form of the Kubernetes schemas: the same graph, the same findings."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from podlint.k8s import schemas as schemas_module
from podlint.k8s.schemas import (
    _SCHEMA_CHILDREN,
    _SCHEMA_LISTS,
    _SCHEMA_MAPS,
    _inline,
    _linked,
    _reaching,
    compact_schemas,
    definitions_file,
    version_schemas,
)
from podlint.model.document import Document
from podlint.model.version import SUPPORTED, KubeVersion
from podlint.runtime import Options, build_engine
from podlint.source.manifest import parse_text

HERE = Path(__file__).parent
SCHEMA_RULES = ("schema", "unknown-kind", "api-base64")


def _children(node: dict[str, Any]) -> Iterator[tuple[Any, Any]]:
    """(where, child) for each child schema position of a node, in order."""
    for key, value in node.items():
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            yield from (((key, name), child) for name, child in value.items())
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            yield from (((key, index), child) for index, child in enumerate(value))
        elif key in _SCHEMA_CHILDREN:
            yield key, value


def _literal(node: dict[str, Any]) -> dict[str, Any]:
    positions = _SCHEMA_MAPS | _SCHEMA_LISTS
    return {
        key: value
        for key, value in node.items()
        if key not in _SCHEMA_CHILDREN
        and not (key in positions and isinstance(value, (dict, list)))
    }


def _same_graph(direct: dict[str, Any], linked: Any) -> dict[int, int]:
    """Asserts that two schema graphs are the same up to the identity of their nodes (each
    node of one matches exactly one node of the other, shared and cyclic alike); returns that
    matching, from the ids of the direct graph's nodes to the linked graph's."""
    matching: dict[int, int] = {}
    back: dict[int, int] = {}
    stack = [(direct[name], linked[name]) for name in direct]
    assert sorted(direct) == sorted(linked)
    while stack:
        one, other = stack.pop()
        if not isinstance(one, dict):
            assert type(one) is type(other) and one == other
            continue
        assert isinstance(other, dict)
        if id(one) in matching:
            assert matching[id(one)] == id(other)
            continue
        assert id(other) not in back, "two nodes became one"
        matching[id(one)] = id(other)
        back[id(other)] = id(one)
        assert list(one) == list(other)
        assert _literal(one) == _literal(other)
        ones, others = list(_children(one)), list(_children(other))
        assert [where for where, _ in ones] == [where for where, _ in others]
        stack.extend((a, b) for (_, a), (_, b) in zip(ones, others, strict=True))
    return matching


@pytest.mark.parametrize("version", [SUPPORTED[0], SUPPORTED[-1]], ids=str)
@pytest.mark.parametrize("round_trip", [False, True], ids=["in-memory", "json"])
def test_the_linked_graph_is_the_directly_resolved_one(
    version: KubeVersion, round_trip: bool
) -> None:
    path = definitions_file(version)
    document = json.loads(path.read_bytes())
    bytes_nodes: set[int] = set()
    direct = _inline(document["$defs"], bytes_nodes)
    within = _reaching(direct.values(), frozenset(bytes_nodes))
    compact = compact_schemas(version, path)
    if round_trip:
        compact = json.loads(json.dumps(compact))
    linked = _linked(version, compact)
    matching = _same_graph(direct, linked.definitions)
    assert bytes_nodes and within > bytes_nodes
    assert {matching[key] for key in bytes_nodes} == linked.bytes_nodes
    assert {matching[key] for key in within} == linked.bytes_within
    assert {matching[id(direct[name])]: name for name in direct} == linked.type_names


def test_a_definition_links_only_its_part_of_the_graph() -> None:
    version = SUPPORTED[-1]
    linked = _linked(version, compact_schemas(version, definitions_file(version)))
    table = linked.definitions
    assert isinstance(table, schemas_module._Definitions)
    assert not any(table._linked)
    deployment = table["io.k8s.api.apps.v1.Deployment"]
    reached = sum(table._linked)
    assert 0 < reached < len(table._linked) / 2
    containers = deployment["properties"]["spec"]["properties"]["template"]["properties"]
    assert isinstance(containers["spec"]["properties"]["containers"]["items"], dict)
    table["io.k8s.api.apps.v1.Deployment"]
    assert sum(table._linked) == reached


def _documents(paths: list[Path]) -> list[Document]:
    documents = []
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        documents.extend(d for d in parse_text(text, str(path)) if isinstance(d, Document))
    return documents


def schema_findings(documents: list[Document], version: KubeVersion) -> list[tuple[Any, ...]]:
    """The findings of the rules that read the Kubernetes schemas, with the schemas loaded
    afresh (under the cache setting of the environment)."""
    version_schemas.cache_clear()
    engine = build_engine(Options(select=SCHEMA_RULES, kubernetes_version=version))
    return [
        (document.path, document.index, finding.rule, finding.pointer, finding.message)
        for document in documents
        for finding in engine.lint_document(document)
    ]


def findings_warm_cold_off(
    documents: list[Document], version: KubeVersion, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> list[tuple[Any, ...]]:
    """The schema findings with the cache cold, warm and off; asserts they are the same."""
    shutil.rmtree(cache, ignore_errors=True)
    monkeypatch.setenv("PODLINT_CACHE_DIR", str(cache))
    try:
        cold = schema_findings(documents, version)
        entries = [p.name for p in cache.iterdir()] if cache.exists() else []
        assert any(name.startswith(f"schemas1-{version}-") for name in entries), entries
        warm = schema_findings(documents, version)
        monkeypatch.setenv("PODLINT_CACHE_DIR", "")
        off = schema_findings(documents, version)
    finally:
        version_schemas.cache_clear()
    assert cold == warm
    assert cold == off
    return cold


@pytest.mark.parametrize("version", [SUPPORTED[0], SUPPORTED[-1]], ids=str)
def test_schema_findings_on_the_fixtures_do_not_depend_on_the_cache(
    version: KubeVersion, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = sorted((HERE / "rules").glob("*/*.yaml")) + sorted(
        (HERE / "k8s_conformance").glob("*.yaml")
    )
    found = findings_warm_cold_off(_documents(paths), version, tmp_path / "cache", monkeypatch)
    rules = {finding[2] for finding in found}
    assert rules == set(SCHEMA_RULES), rules  # every rule that reads the schemas had findings


def _copy_schemas(tmp_path: Path, version: KubeVersion) -> Path:
    """A kubernetes-validate-like tree holding one version, as another install would."""
    original = definitions_file(version)
    root = tmp_path / "kubernetes-json-schema"
    copy = root / original.parent.name / original.name
    copy.parent.mkdir(parents=True)
    shutil.copyfile(original, copy)
    return root


def test_another_install_of_the_schemas_rebuilds_the_cached_form(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    version = SUPPORTED[-1]
    monkeypatch.setenv("PODLINT_CACHE_DIR", str(tmp_path / "cache"))
    root = _copy_schemas(tmp_path, version)
    monkeypatch.setattr(schemas_module, "schema_root", lambda: root)
    version_schemas.cache_clear()
    try:
        assert version_schemas(version).definition_name("apps/v1", "Deployment")
        # the same path, other content: an upgraded package
        path = definitions_file(version)
        document = json.loads(path.read_bytes())
        deployment = document["$defs"]["io.k8s.api.apps.v1.Deployment"]
        deployment["x-kubernetes-group-version-kind"][0]["kind"] = "Deploymint"
        path.write_text(json.dumps(document), encoding="utf-8")
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        version_schemas.cache_clear()
        again = version_schemas(version)
        assert again.definition_name("apps/v1", "Deployment") is None
        assert again.definition_name("apps/v1", "Deploymint")
    finally:
        version_schemas.cache_clear()


def test_unreadable_schemas_are_reported_not_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    version = SUPPORTED[-1]
    cache = tmp_path / "cache"
    monkeypatch.setenv("PODLINT_CACHE_DIR", str(cache))
    root = _copy_schemas(tmp_path, version)
    monkeypatch.setattr(schemas_module, "schema_root", lambda: root)
    definitions_file(version).write_text('{"$defs": ', encoding="utf-8")
    version_schemas.cache_clear()
    try:
        with pytest.raises(schemas_module.SchemaUnavailable, match="cannot read"):
            version_schemas(version)
        assert not cache.exists() or not list(cache.iterdir())
        definitions_file(version).unlink()
        with pytest.raises(schemas_module.SchemaUnavailable, match="cannot read"):
            version_schemas(version)
    finally:
        version_schemas.cache_clear()


def test_a_damaged_entry_with_the_right_key_is_read_around(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    version = SUPPORTED[-1]
    cache = tmp_path / "cache"
    monkeypatch.setenv("PODLINT_CACHE_DIR", str(cache))
    version_schemas.cache_clear()
    try:
        version_schemas(version)
        [entry] = [p for p in cache.iterdir() if p.name.startswith("schemas")]
        cached = json.loads(entry.read_text(encoding="utf-8"))
        for damaged in ({"nodes": 1}, {**cached["value"], "kinds": [["v1"]]}, None):
            entry.write_text(json.dumps({**cached, "value": damaged}), encoding="utf-8")
            version_schemas.cache_clear()
            assert version_schemas(version).definition_name("apps/v1", "Deployment")
    finally:
        version_schemas.cache_clear()
