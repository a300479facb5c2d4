"""Reviews run on worker threads, never on the event loop.

A large object takes long enough to lint that /healthz and /readyz would stall behind it on the
loop, and the kubelet would restart a healthy replica. The threads are daemons, so a review
that never ends (a plugin's rule stuck in a loop) cannot hold up the process's exit, as the
threads of concurrent.futures would.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_Job = tuple[asyncio.AbstractEventLoop, "asyncio.Future[Any]", Callable[..., Any], tuple[Any, ...]]


class ReviewPool:
    def __init__(self, size: int) -> None:
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        for number in range(size):
            thread = threading.Thread(target=self._work, name=f"review-{number}", daemon=True)
            thread.start()

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.put((loop, future, function, args))
        return await future

    def _work(self) -> None:
        while True:
            loop, future, function, args = self._jobs.get()
            if future.cancelled():  # its caller has already answered or gone
                continue
            try:
                result = function(*args)
            except BaseException as error:
                _settle(loop, future, None, error)
            else:
                _settle(loop, future, result, None)


def _settle(
    loop: asyncio.AbstractEventLoop,
    future: asyncio.Future[Any],
    result: Any,
    error: BaseException | None,
) -> None:
    def settle() -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)

    # RuntimeError: the loop closed while the review ran, and nobody waits for it.
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(settle)
