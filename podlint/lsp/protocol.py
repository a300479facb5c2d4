"""The JSON-RPC protocol of the language server, hardened against what a client may send."""

from __future__ import annotations

import logging
import os
from concurrent.futures import Future
from typing import Any

from pygls.protocol import LanguageServerProtocol
from pygls.protocol.json_rpc import MsgId

LOG = logging.getLogger(__name__)


class PodlintProtocol(LanguageServerProtocol):
    """pygls keeps the future of every handler written as a generator (its own didOpen,
    didChange, didClose...) until a response is sent; a notification gets none, so each one
    stayed for good (about 2 KB per keystroke). A finished handler is forgotten here."""

    def _execute_handler(
        self,
        msg_id: MsgId,
        handler: Any,
        callback: Any,
        args: Any = None,
        kwargs: Any = None,
    ) -> None:
        def finished(future: Future[Any]) -> None:
            if self._request_futures.get(msg_id) is future:
                del self._request_futures[msg_id]
            callback(future)

        super()._execute_handler(msg_id, handler, finished, args, kwargs)

    def _send_data(self, data: Any) -> None:
        """A client that closed our output is gone: nothing said from now on can reach it,
        and pygls would go on reading input and failing every write. Exit instead."""
        try:
            super()._send_data(data)
        except (BrokenPipeError, ConnectionResetError):
            LOG.error("the client closed the server's output; exiting")
            logging.shutdown()
            os._exit(1)
