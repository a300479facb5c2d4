"""A pytest-lsp client for the real ``podlint lsp`` server, running as a subprocess."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

HERE = Path(__file__).parent
# Generous: the suite runs on a loaded 2-core machine.
TIMEOUT = 60.0

Predicate = Callable[[types.PublishDiagnosticsParams], bool]


class PodlintClient(LanguageClient):
    """Records every publishDiagnostics and lets a test wait for a given one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.published: list[types.PublishDiagnosticsParams] = []
        self.registrations: list[types.Registration] = []
        self.position_encoding: str = types.PositionEncodingKind.Utf16
        self._waiters: list[tuple[Predicate, asyncio.Future[types.PublishDiagnosticsParams]]] = []

    def record(self, params: types.PublishDiagnosticsParams) -> None:
        self.published.append(params)
        self.diagnostics[params.uri] = params.diagnostics
        for predicate, future in self._waiters:
            if not future.done() and predicate(params):
                future.set_result(params)

    async def wait_published(
        self, predicate: Predicate, timeout: float = TIMEOUT
    ) -> types.PublishDiagnosticsParams:
        for params in reversed(self.published):
            if predicate(params):
                return params
        future: asyncio.Future[types.PublishDiagnosticsParams] = (
            asyncio.get_running_loop().create_future()
        )
        entry = (predicate, future)
        self._waiters.append(entry)
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            self._waiters.remove(entry)

    async def diagnostics_of(
        self, uri: str, version: int | None, timeout: float = TIMEOUT
    ) -> list[types.Diagnostic]:
        """The diagnostics the server published for this version of the buffer."""
        params = await self.wait_published(lambda p: p.uri == uri and p.version == version, timeout)
        return list(params.diagnostics)


def _record(client: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
    assert isinstance(client, PodlintClient)
    client.record(params)


def _register(client: LanguageClient, params: types.RegistrationParams) -> None:
    assert isinstance(client, PodlintClient)
    client.registrations.extend(params.registrations)


def make_client() -> PodlintClient:
    client = PodlintClient(converter_factory=default_converter)
    features = dict(DEFAULT_CLIENT_FEATURES)
    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = _record
    features[types.CLIENT_REGISTER_CAPABILITY] = _register
    register_lsp_features(client, features)
    return client


def server_command(policy: str) -> list[str]:
    return [sys.executable, "-m", "podlint", "lsp", "--policy", str(HERE / policy)]


async def _start(client: PodlintClient, workspace: Path, editor: str) -> None:
    result = await client.initialize_session(
        types.InitializeParams(
            capabilities=pytest_lsp.client_capabilities(editor),
            root_uri=workspace.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="workspace")],
        )
    )
    if result.capabilities.position_encoding is not None:
        client.position_encoding = result.capabilities.position_encoding


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=server_command("policy.yaml"), client_factory=make_client
    ),
)
async def client(lsp_client: PodlintClient, tmp_path: Path) -> AsyncIterator[None]:
    """A session with the server, as VS Code describes itself."""
    await _start(lsp_client, tmp_path, "visual-studio-code")
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=server_command("policy.yaml"), client_factory=make_client
    ),
    params=["visual-studio-code", "neovim"],
)
async def any_client(
    lsp_client: PodlintClient, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[None]:
    """A session with the server, once as VS Code and once as Neovim describe themselves
    (they differ in position encoding and dynamic registration)."""
    await _start(lsp_client, tmp_path, str(request.param))
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=server_command("policy-fixes.yaml"), client_factory=make_client
    ),
)
async def fixing_client(lsp_client: PodlintClient, tmp_path: Path) -> AsyncIterator[None]:
    """A session whose policy enables rules that offer fixes."""
    await _start(lsp_client, tmp_path, "visual-studio-code")
    yield
    await lsp_client.shutdown_session()
