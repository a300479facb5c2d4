"""Limits on connections that uvicorn does not set by itself.

- The TLS handshake and the first request's headers must arrive within the read timeout: a
  client that connects and then sends nothing, or its headers a byte at a time, would otherwise
  hold a connection (asyncio waits 60 s for a handshake; uvicorn waits for headers forever).
- A connection whose peer never answers the TLS close_notify is dropped after a short wait
  instead of asyncio's 30 s.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any

LOG = logging.getLogger("podlint.webhook")

TLS_SHUTDOWN_TIMEOUT = 2.0


def with_header_timeout(base: type[asyncio.Protocol], seconds: float) -> type[asyncio.Protocol]:
    """uvicorn's HTTP protocol class, closing a new connection whose first request's headers
    are not complete in time."""

    class HeaderTimeout(base):  # type: ignore[valid-type,misc]
        _header_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._header_timer = self.loop.call_later(seconds, self._headers_too_slow)

        def _headers_too_slow(self) -> None:
            # uvicorn starts a request cycle once the headers are complete.
            if self.cycle is None and not self.transport.is_closing():
                LOG.warning("closing a connection that sent no request headers in %.1fs", seconds)
                self.transport.abort()

        def connection_lost(self, exc: Exception | None) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
            super().connection_lost(exc)

    HeaderTimeout.__name__ = f"HeaderTimeout{base.__name__}"
    return HeaderTimeout


def bound_tls(loop: asyncio.AbstractEventLoop, handshake_timeout: float) -> None:
    """Make the servers this loop creates from now on time out TLS handshakes and goodbyes."""
    loop.create_server = functools.partial(  # type: ignore[method-assign]
        loop.create_server,
        ssl_handshake_timeout=handshake_timeout,
        ssl_shutdown_timeout=TLS_SHUTDOWN_TIMEOUT,
    )
