"""Buffers no one would write: the real server answers them and keeps answering."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from lsprotocol import types

from podlint.source.compose import MAX_DEPTH

if TYPE_CHECKING:
    from tests.lsp.conftest import PodlintClient

pytestmark = pytest.mark.asyncio

POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: app\n"


def _open(client: PodlintClient, uri: str, text: str) -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)
        )
    )


async def test_deep_nesting_is_a_diagnostic_where_it_goes_too_deep(
    client: PodlintClient, tmp_path: Path
) -> None:
    deep = (tmp_path / "deep.yaml").as_uri()
    _open(client, deep, POD + "      args: " + "[" * 30_000 + "]" * 30_000 + "\n")
    [diagnostic] = await client.diagnostics_of(deep, 1)
    assert diagnostic.code == "yaml-syntax"
    assert diagnostic.message.startswith("nesting is too deep")
    start = diagnostic.range.start
    assert (start.line, start.character) == (7, len("      args: ") + MAX_DEPTH - 4)
    # The server survived it and lints the next buffer.
    other = (tmp_path / "pod.yaml").as_uri()
    _open(client, other, POD + "      image: nginx:1.27\n")
    assert await client.diagnostics_of(other, 1) == []
