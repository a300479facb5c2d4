"""Reading the client's messages from a byte stream, frame by frame (``podlint.lsp.frames``)."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from typing import BinaryIO

from podlint.lsp.frames import Body, FrameReader
from podlint.lsp.protocol import PodlintProtocol

CHUNK = 64 * 1024


async def read_messages(
    stop: threading.Event,
    stream: BinaryIO,
    protocol: PodlintProtocol,
    executor: Executor,
    max_body: int,
) -> None:
    """Hand every frame's body to the protocol, and refuse what is not a frame, until the
    stream ends or the server stops."""
    loop = asyncio.get_running_loop()
    frames = FrameReader(max_body)
    read = _chunks(stream)
    while not stop.is_set():
        data = await loop.run_in_executor(executor, read)
        for event in frames.feed(data) if data else frames.end():
            if isinstance(event, Body):
                protocol.receive(event.data)
            else:
                protocol.refuse(event.reason)
        if not data:
            return


def _chunks(stream: BinaryIO) -> Callable[[], bytes]:
    """What is available (at least a byte, or b"" at the end), never a declared size."""
    read1 = getattr(stream, "read1", None)
    if read1 is not None:
        return lambda: bytes(read1(CHUNK))
    fd = stream.fileno()
    return lambda: os.read(fd, CHUNK)
