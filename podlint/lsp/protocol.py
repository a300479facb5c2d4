"""The JSON-RPC protocol of the language server, hardened against what a client may send."""

from __future__ import annotations

import json
import logging
import os
from concurrent.futures import Future
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.json_rpc import MsgId
from pygls.protocol.language_server import lsp_method
from pygls.workspace import TextDocument

LOG = logging.getLogger(__name__)
# JSON-RPC's code for a message that could not be read; its id is unknown, so null.
PARSE_ERROR = -32700


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

    def receive(self, body: bytes) -> None:
        """One frame's body: a message to handle, or refused if it is not JSON."""
        try:
            message = json.loads(body.decode("utf-8"), object_hook=self.structure_message)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            self.refuse(f"a body that is not UTF-8 JSON ({error})")
            return
        except Exception as error:
            # A message of the wrong shape: pygls logs it and tells the user, as before.
            LOG.exception("unable to read a message")
            self._server._report_server_error(error, JsonRpcException)
            return
        try:
            self.handle_message(message)
        except Exception as error:
            LOG.exception("unable to handle a message")
            self._server._report_server_error(error, JsonRpcException)

    def refuse(self, reason: str) -> None:
        """Bytes that were not a frame: said in the log and as the error JSON-RPC gives for
        a message it cannot read (its id unknown, so null); reading goes on."""
        message = f"podlint: refused a message: {reason}; reading resumes at the next header"
        LOG.error("%s", message)
        self._send_data(
            {"jsonrpc": "2.0", "id": None, "error": {"code": PARSE_ERROR, "message": message}}
        )

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> Any:
        """pygls applies an incremental edit whose range lies outside the document as if it
        did not, and the server's text silently stops being the editor's. Such a change is
        refused whole and the user is told to reopen the file; a later full-text change (or
        reopening) brings the two back together."""
        uri = params.text_document.uri
        document = self.workspace.get_text_document(uri)
        for change in params.content_changes:
            if isinstance(change, types.TextDocumentContentChangePartial) and not _in_range(
                document, change.range
            ):
                message = (
                    f"podlint: an edit of {uri} lies outside the document it knows "
                    f"(lines 0-{len(document.lines)}); its copy is out of step with the "
                    "editor, so this edit was not applied: reopen the file"
                )
                LOG.error("%s", message)
                self.notify(
                    types.WINDOW_SHOW_MESSAGE,
                    types.ShowMessageParams(type=types.MessageType.Error, message=message),
                )
                return None
        return (yield from super().lsp_text_document__did_change(params))


def _in_range(document: TextDocument, change: types.Range) -> bool:
    lines = document.lines
    start, end = change.start, change.end
    if (start.line, start.character) > (end.line, end.character):
        return False
    for position in (start, end):
        if position.line == len(lines):
            if position.character != 0:
                return False
            continue
        if position.line > len(lines):
            return False
        text = lines[position.line].rstrip("\r\n")
        if position.character > document.position_codec.client_num_units(text):
            return False
    return True
