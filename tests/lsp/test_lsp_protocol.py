"""The server's JSON-RPC layer under a client that misbehaves or edits without end."""

from __future__ import annotations

import gc
import os
import threading
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from podlint.lsp.server import create_server
from podlint.lsp.settings import Engines
from podlint.registry import default_registry
from podlint.runtime import Options
from tests.lsp.conftest import TIMEOUT
from tests.lsp.pipes import Frames, ServerProcess, frame, initialize, notification

POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: app\n"


@pytest.fixture
def server() -> Iterator[ServerProcess]:
    process = ServerProcess()
    yield process
    process.close()


def _insert(uri: str, version: int, text: str) -> bytes:
    start = {"line": 0, "character": 0}
    change = {"range": {"start": start, "end": start}, "text": text}
    params = {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}
    return frame(notification("textDocument/didChange", params))


def _open(uri: str, language: str, text: str) -> bytes:
    item = {"uri": uri, "languageId": language, "version": 1, "text": text}
    return frame(notification("textDocument/didOpen", {"textDocument": item}))


@pytest.mark.parametrize("language", ["yaml", "plaintext"])
def test_memory_stays_bounded_over_thousands_of_edits(tmp_path: Path, language: str) -> None:
    """The real server, in this process so that tracemalloc sees it, fed over pipes."""
    engines = Engines(Options(), default_registry(), explicit=[], use_config=False)
    server = create_server(engines, debounce=0.001)
    client_to_server, server_in = os.pipe()
    server_out, server_to_client = os.pipe()
    reader = os.fdopen(client_to_server, "rb")
    writer = os.fdopen(server_to_client, "wb")
    thread = threading.Thread(target=server.start_io, args=(reader, writer), daemon=True)
    thread.start()
    frames = Frames(server_out)
    answered: set[int] = set()
    draining = threading.Thread(target=_drain, args=(frames, answered), daemon=True)

    def send(data: bytes) -> None:
        os.write(server_in, data)

    send(frame(initialize()))
    assert frames.response(1)["result"]["capabilities"]
    draining.start()
    send(frame(notification("initialized")))
    uri = (tmp_path / ("pod.yaml" if language == "yaml" else "notes.txt")).as_uri()
    send(_open(uri, language, POD))

    def edits(first: int, count: int) -> None:
        for version in range(first, first + count):
            send(_insert(uri, version, "#\n"))
        # A request answered (here: refused as unknown) means every edit before it was handled.
        send(frame({"jsonrpc": "2.0", "id": first, "method": "podlint/probe", "params": {}}))
        _wait_for(answered, first)

    edits(2, 500)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        edits(1000, 3000)
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
        send(frame({"jsonrpc": "2.0", "id": 9, "method": "shutdown", "params": None}))
        send(frame(notification("exit")))
        thread.join(TIMEOUT)
        os.close(server_in)
        reader.close()
        writer.close()
        draining.join(TIMEOUT)
        os.close(server_out)
    # The buffer itself grows by 3,000 lines of "#\n"; what was leaked was ~2 KB per edit.
    assert after - before < 1_000_000, f"{(after - before) / 3000:.0f} bytes kept per edit"


def _drain(frames: Frames, answered: set[int]) -> None:
    """Reads everything the server says (so its pipe never fills), noting answered ids."""
    while True:
        try:
            message = frames.next(timeout=3600)
        except (EOFError, OSError, TimeoutError):
            return
        if "method" not in message and isinstance(message.get("id"), int):
            answered.add(message["id"])


def _wait_for(answered: set[int], request_id: int) -> None:
    deadline = time.monotonic() + TIMEOUT
    while request_id not in answered:
        if time.monotonic() > deadline:
            raise TimeoutError(f"request {request_id} was not answered")
        time.sleep(0.01)


@pytest.mark.parametrize(("shutdown", "code"), [(True, 0), (False, 1)])
def test_exit_code_says_whether_shutdown_came_first(
    server: ServerProcess, shutdown: bool, code: int
) -> None:
    server.send(initialize())
    server.frames.response(1)
    server.send(notification("initialized"))
    if shutdown:
        server.send({"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": None})
        server.frames.response(2)
    server.send(notification("exit"))
    assert server.wait() == code


def test_a_closed_output_makes_the_server_exit() -> None:
    server = ServerProcess()
    try:
        assert server.process.stdout is not None
        server.process.stdout.close()  # the client stops reading: every write now fails
        server.send(initialize())
        assert server.wait() == 1
    finally:
        server.close()


def _change(uri: str, version: int, start: tuple[int, int], end: tuple[int, int]) -> bytes:
    where = {
        "start": {"line": start[0], "character": start[1]},
        "end": {"line": end[0], "character": end[1]},
    }
    params = {
        "textDocument": {"uri": uri, "version": version},
        "contentChanges": [{"range": where, "text": "x"}],
    }
    return frame(notification("textDocument/didChange", params))


def _show_message(server: ServerProcess) -> dict[str, Any]:
    while True:
        message = server.frames.next()
        if message.get("method") == "window/showMessage":
            return message


@pytest.mark.parametrize(
    ("start", "end"),
    [((40, 0), (40, 0)), ((0, 3), (0, 99)), ((2, 0), (1, 0)), ((5, 1), (5, 1))],
)
def test_an_edit_outside_the_document_is_refused_and_said(
    server: ServerProcess, tmp_path: Path, start: tuple[int, int], end: tuple[int, int]
) -> None:
    server.send(initialize())
    assert server.frames.response(1)["result"]["capabilities"]
    server.send(notification("initialized"))
    uri = (tmp_path / "pod.yaml").as_uri()
    server.send_raw(_open(uri, "yaml", "a: 1\nb: 2\nc: 3\n"))  # lines 0-2, and the end at 3:0
    server.send_raw(_change(uri, 2, start, end))
    message = _show_message(server)
    assert message["params"]["type"] == 1
    assert "was not applied: reopen the file" in message["params"]["message"]


def test_edits_up_to_the_end_of_the_document_are_applied(
    server: ServerProcess, tmp_path: Path
) -> None:
    server.send(initialize())
    assert server.frames.response(1)["result"]["capabilities"]
    server.send(notification("initialized"))
    uri = (tmp_path / "pod.yaml").as_uri()
    server.send_raw(_open(uri, "yaml", "a: 1\n"))
    server.send_raw(_change(uri, 2, (0, 4), (0, 4)))
    server.send_raw(_change(uri, 3, (1, 0), (1, 0)))
    server.send_raw(frame({"jsonrpc": "2.0", "id": 7, "method": "podlint/probe", "params": {}}))
    server.frames.response(7)
    # Nothing was refused: no error message came before the answer.
    server.send_raw(frame({"jsonrpc": "2.0", "id": 8, "method": "shutdown", "params": None}))
    server.frames.response(8)
