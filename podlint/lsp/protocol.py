"""The JSON-RPC protocol of the language server, hardened against what a client may send."""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any

from pygls.protocol import LanguageServerProtocol
from pygls.protocol.json_rpc import MsgId


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
