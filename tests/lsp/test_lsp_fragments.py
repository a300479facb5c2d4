"""The editor sees kustomize patches as fragments and leaves Helm chart templates alone."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from lsprotocol import types

if TYPE_CHECKING:
    from tests.lsp.conftest import PodlintClient

pytestmark = pytest.mark.asyncio

PATCH = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          resources: {limits: {memory: 256Mi}}
        - name: debug
          image: busybox
"""
OPERATIONS = """\
- op: replace
  path: /spec/template/spec/containers/0/image
  value: registry.example.com/web:latest
"""


def _open(client: PodlintClient, path: Path, text: str) -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)
        )
    )
    return uri


def _found(diagnostics: list[types.Diagnostic]) -> list[tuple[object, int, int, int]]:
    return [
        (d.code, d.range.start.line, d.range.start.character, d.range.end.character)
        for d in diagnostics
    ]


async def test_a_patch_gets_findings_on_what_it_writes(
    client: PodlintClient, tmp_path: Path
) -> None:
    (tmp_path / "kustomization.yaml").write_text(
        "resources: [../base]\npatches:\n  - path: patch.yaml\n  - path: image.yaml\n"
        "    target: {group: apps, version: v1, kind: Deployment, name: web}\n"
    )
    patch = _open(client, tmp_path / "patch.yaml", PATCH)
    # The container "web" has no image here: the base gives it one.
    assert _found(await client.diagnostics_of(patch, 1)) == [("latest-image-tag", 11, 17, 24)]
    operations = _open(client, tmp_path / "image.yaml", OPERATIONS)
    assert _found(await client.diagnostics_of(operations, 1)) == [("latest-image-tag", 2, 9, 40)]


async def test_outside_a_kustomization_the_same_text_is_a_whole_object(
    client: PodlintClient, tmp_path: Path
) -> None:
    whole = _open(client, tmp_path / "patch.yaml", PATCH)
    assert sorted(_found(await client.diagnostics_of(whole, 1))) == [
        ("latest-image-tag", 11, 17, 24),
        ("missing-image", 8, 10, 14),
    ]


async def test_a_chart_template_gets_no_diagnostics(client: PodlintClient, tmp_path: Path) -> None:
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: chart\nversion: 0.1.0\n")
    template = _open(client, chart / "templates" / "deployment.yaml", PATCH)
    assert await client.diagnostics_of(template, 1) == []


async def test_saving_a_kustomization_lints_the_open_buffers_again(
    client: PodlintClient, tmp_path: Path
) -> None:
    patch = _open(client, tmp_path / "patch.yaml", PATCH)
    assert "missing-image" in {code for code, *_ in _found(await client.diagnostics_of(patch, 1))}
    kustomization = tmp_path / "kustomization.yaml"
    kustomization.write_text("resources: [../base]\npatches: [{path: patch.yaml}]\n")
    uri = _open(client, kustomization, kustomization.read_text())
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    await client.wait_published(
        lambda p: p.uri == patch and [d.code for d in p.diagnostics] == ["latest-image-tag"]
    )
