"""A bare JSON-RPC client over pipes, for what a well-behaved client library will not send."""

from __future__ import annotations

import json
import os
import select
import subprocess
import time
from typing import Any

from tests.lsp.conftest import TIMEOUT, server_command


def frame(message: dict[str, Any]) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def initialize(request_id: int = 1) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "id": request_id,
        "method": "initialize",
        "params": {"capabilities": {}, "processId": None, "rootUri": None},
    }


def notification(method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "method": method, "params": params or {}}


class Frames:
    """Reads LSP frames from a file descriptor, with a deadline."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = b""

    def _fill(self, deadline: float) -> bool:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        ready, _, _ = select.select([self.fd], [], [], remaining)
        if not ready:
            return False
        chunk = os.read(self.fd, 65536)
        if not chunk:
            raise EOFError("the server closed its output")
        self.buffer += chunk
        return True

    def next(self, timeout: float = TIMEOUT) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            head, separator, rest = self.buffer.partition(b"\r\n\r\n")
            if separator:
                length = next(
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                if len(rest) >= length:
                    self.buffer = rest[length:]
                    message: dict[str, Any] = json.loads(rest[:length])
                    return message
            if not self._fill(deadline):
                raise TimeoutError("no message from the server")

    def response(self, request_id: int, timeout: float = TIMEOUT) -> dict[str, Any]:
        """The response to ``request_id``, skipping notifications (log messages...)."""
        deadline = time.monotonic() + timeout
        while True:
            message = self.next(max(deadline - time.monotonic(), 0.001))
            if message.get("id") == request_id and "method" not in message:
                return message


class ServerProcess:
    """``podlint lsp`` as a subprocess, spoken to byte by byte."""

    def __init__(self, policy: str = "policy.yaml") -> None:
        self.process = subprocess.Popen(
            server_command(policy),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert self.process.stdout is not None
        self.frames = Frames(self.process.stdout.fileno())

    def send_raw(self, data: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def send(self, message: dict[str, Any]) -> None:
        self.send_raw(frame(message))

    def wait(self, timeout: float = TIMEOUT) -> int:
        return self.process.wait(timeout)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
