"""Frames no client library would send, to the real server process: each one is refused, said,
and the server goes on answering the requests that follow it."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from podlint.lsp.frames import DEFAULT_MAX_BODY
from tests.lsp.pipes import ServerProcess, frame, initialize, notification


def _request(request_id: int) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "method": "podlint/probe", "params": {}}


# The body of every hostile frame: a request of its own, which must not run when its frame is
# refused.
BODY = json.dumps(_request(99)).encode()
PROBE = 7

HOSTILE: dict[str, bytes] = {
    "non-numeric length": b"Content-Length: twelve\r\n\r\n" + BODY,
    "negative length": b"Content-Length: -%d\r\n\r\n" % len(BODY) + BODY,
    "length with a sign": b"Content-Length: +%d\r\n\r\n" % len(BODY) + BODY,
    "huge length": b"Content-Length: %d\r\n\r\n" % 10**12 + BODY,
    "length beyond the bound": b"Content-Length: %d\r\n\r\n" % (DEFAULT_MAX_BODY + 1) + BODY,
    "two different lengths": b"Content-Length: %d\r\nContent-Length: 3\r\n\r\n" % len(BODY) + BODY,
    "missing length": b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n" + BODY,
    "no header at all": b"\r\n" + BODY,
    "header line without colon": b"Content-Length %d\r\n\r\n" % len(BODY) + BODY,
    "colonless line among the headers": b"Content-Length: %d\r\nnonsense\r\n\r\n" % len(BODY)
    + BODY,
    "header that never ends": b"X-Padding: " + b"x" * 100_000,
    "body shorter than declared": b"Content-Length: %d\r\n\r\n" % (len(BODY) + 300) + BODY,
    "body longer than declared": b"Content-Length: 10\r\n\r\n" + BODY,
    "body that is not JSON": b"Content-Length: 9\r\n\r\n{not json",
    "body that is not UTF-8": b"Content-Length: 4\r\n\r\n\xff\xfe\xfd\xfc",
    "empty body": b"Content-Length: 0\r\n\r\n",
    "binary noise": bytes(range(256)) * 40,
}


def _started() -> ServerProcess:
    process = ServerProcess()
    process.send(initialize())
    assert process.frames.response(1)["result"]["capabilities"]
    process.send(notification("initialized"))
    return process


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    """One server for every case: each must leave it answering the next."""
    process = _started()
    yield process
    process.close()


_ids = itertools.count(100)


def _until_answer(server: ServerProcess, request_id: int) -> list[dict[str, Any]]:
    """Everything the server says up to and including its answer to ``request_id``."""
    said = []
    while True:
        message = server.frames.next()
        said.append(message)
        if message.get("id") == request_id and "method" not in message:
            return said


@pytest.mark.parametrize("hostile", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_broken_frame_is_refused_and_the_next_request_answered(
    server: ServerProcess, hostile: bytes
) -> None:
    probe = next(_ids)
    server.send_raw(hostile)
    server.send(_request(probe))
    said = _until_answer(server, probe)
    assert said[-1]["error"]["code"] == -32601  # the probe reached the server: unknown method
    refusals = [m for m in said if "id" in m and m["id"] is None]
    assert refusals, said
    for refusal in refusals:
        assert refusal["error"]["code"] == -32700
        assert refusal["error"]["message"].startswith("podlint: refused a message: ")
    assert not any(m.get("id") == 99 for m in said), "the refused frame's request was run"


def test_a_refused_frame_is_logged_and_the_session_ends_cleanly() -> None:
    server = _started()
    try:
        server.send_raw(HOSTILE["negative length"])
        server.send({"jsonrpc": "2.0", "id": 8, "method": "shutdown", "params": None})
        assert _until_answer(server, 8)[-1]["result"] is None
        server.send(notification("exit"))
        assert server.wait() == 0
        assert server.process.stderr is not None
        log = server.process.stderr.read().decode()
        assert "refused a message: a Content-Length that is not a number: '-" in log
    finally:
        server.close()


def test_a_huge_declared_length_allocates_nothing(server: ServerProcess) -> None:
    """A length just under what the machine could reserve: reading it at once would take it."""
    server.send_raw(b"Content-Length: %d\r\n\r\n" % (2**33) + BODY)
    probe = next(_ids)
    server.send(_request(probe))
    _until_answer(server, probe)
    # Over the whole life of the server, which read every other case too.
    status = Path(f"/proc/{server.process.pid}/status").read_text()
    peak_kib = int(
        next(line for line in status.splitlines() if line.startswith("VmPeak:")).split()[1]
    )
    assert peak_kib < 2 * 1024 * 1024, f"VmPeak {peak_kib} KiB"


def test_a_frame_split_anywhere_is_read_whole(server: ServerProcess) -> None:
    probe = next(_ids)
    data = frame(_request(probe))
    for start in range(len(data)):
        server.send_raw(data[start : start + 1])
    said = _until_answer(server, probe)
    assert not any("id" in m and m["id"] is None for m in said)


def test_headers_are_read_as_the_specification_writes_them(server: ServerProcess) -> None:
    """Header names in any case, a Content-Type, unknown headers and spaces around the value."""
    probe = next(_ids)
    body = json.dumps(_request(probe)).encode()
    server.send_raw(
        b"content-type: application/vscode-jsonrpc; charset=utf-8\r\n"
        b"X-Unknown: 1\r\n"
        b"CONTENT-LENGTH:  %d \r\n\r\n" % len(body) + body
    )
    said = _until_answer(server, probe)
    assert not any("id" in m and m["id"] is None for m in said)


def test_a_body_cut_short_by_the_end_of_input_still_answers_what_it_hid() -> None:
    """The client declared more than it sent, then sent a valid request and went away: the
    request is answered, the cut frame refused, and the server exits (1: no shutdown)."""
    server = _started()
    try:
        server.send_raw(b"Content-Length: %d\r\n\r\n" % (len(BODY) + 10_000) + BODY)
        server.send(_request(PROBE))
        assert server.process.stdin is not None
        server.process.stdin.close()
        said = _until_answer(server, PROBE)
        assert not any(m.get("id") == 99 for m in said)
        assert server.wait() == 1
    finally:
        server.close()


def test_a_body_cut_short_by_the_end_of_input_ends_the_server() -> None:
    server = _started()
    try:
        server.send_raw(b"Content-Length: 5000\r\n\r\n" + BODY)
        assert server.process.stdin is not None
        server.process.stdin.close()
        assert server.wait() == 1
        assert server.process.stderr is not None
        assert "cut short" in server.process.stderr.read().decode()
    finally:
        server.close()
