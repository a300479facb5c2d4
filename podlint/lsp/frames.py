"""Cutting the client's byte stream into LSP frames, whatever it sends.

A frame is header lines (``Name: value``, each ending ``\\r\\n``), an empty line, then as many
bytes of body as ``Content-Length`` says. A frame that breaks these rules is refused, and
reading starts again at the next ``Content-Length`` header. Nothing is allocated for what a
header declares: a body is held only as its bytes arrive, up to a bound.

A broken frame is found as early as the stream allows, so that the client's next request is
answered without waiting for more bytes: a body still incomplete that already holds a
``Content-Length: <digits>\\r\\n`` line cannot be JSON (a raw carriage return may not appear in
a JSON string, nor a bare word outside one), so its frame was cut short and the next one has
begun.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from podlint.source.manifest import DEFAULT_MAX_BYTES

# Header lines are short (a client sends one or two of about 40 bytes).
MAX_HEADER = 8 * 1024
# JSON writes a control character of a buffer as \u00XX: six bytes for one.
_ESCAPE = 6


def body_bound(max_file_size: int) -> int:
    """The largest body accepted: a buffer of ``max_file_size`` bytes fits in a didOpen (and
    is then refused by the linter with a diagnostic saying so), with room beyond it."""
    return max(64 * 1024 * 1024, _ESCAPE * max_file_size + 1024 * 1024)


DEFAULT_MAX_BODY = body_bound(DEFAULT_MAX_BYTES)

_END = b"\r\n\r\n"
# Where reading starts again after a refused frame.
_RESTART = re.compile(rb"content-length[ \t]{0,8}:", re.IGNORECASE)
# A header line no JSON text can hold; bounded, so that a scan of new bytes needs to look
# back only this far.
_NEXT_FRAME = re.compile(rb"content-length[ \t]{0,8}:[ \t]{0,8}[0-9]{1,20}[ \t]{0,8}\r\n", re.I)
_LOOK_BACK = 64
_TOKEN = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_DIGITS = re.compile(rb"[0-9]+")
_JSON_SPACE = b" \t\r\n"


@dataclass(frozen=True)
class Body:
    """The body of a well-formed frame (not yet known to be JSON)."""

    data: bytes


@dataclass(frozen=True)
class Refused:
    """Bytes that were not a frame, and why."""

    reason: str


Event = Body | Refused


class FrameReader:
    """Fed the stream in chunks of any size, gives back the frames it completes."""

    def __init__(self, max_body: int = DEFAULT_MAX_BODY) -> None:
        self.max_body = max_body
        self._buffer = bytearray()
        # Reading a header (``_length`` None) or a body of ``_length`` bytes at ``_body``.
        self._length: int | None = None
        self._body = 0
        self._scanned = 0
        self._in_step = True

    def feed(self, data: bytes) -> list[Event]:
        self._buffer += data
        events: list[Event] = []
        while self._step(events):
            pass
        return events

    def end(self) -> list[Event]:
        """The input ended: what the bytes still held make of it."""
        events: list[Event] = []
        while self._length is not None:
            start = self._next_frame(1)
            if start is None:
                have = len(self._buffer) - self._body
                events.append(
                    Refused(
                        f"a body cut short by the end of the input: {have} of {self._length} bytes"
                    )
                )
                self._buffer.clear()
                self._length = None
                break
            events.append(self._cut_short(start))
            while self._step(events):
                pass
        return events + self._rest()

    def _rest(self) -> list[Event]:
        rest = bytes(self._buffer).strip()
        self._buffer.clear()
        if rest and self._in_step:
            return [Refused(f"the input ended inside a header ({len(rest)} bytes)")]
        return []

    # --- one step: True when it consumed something and may go on ------------------------

    def _step(self, events: list[Event]) -> bool:
        if self._length is not None:
            return self._read_body(events)
        if not self._in_step:
            return self._resync()
        return self._read_header(events)

    def _resync(self) -> bool:
        match = _RESTART.search(self._buffer)
        if match is None:
            # Keep only what could be the start of a header cut by the chunk boundary.
            del self._buffer[: max(len(self._buffer) - _LOOK_BACK, 0)]
            return False
        del self._buffer[: match.start()]
        self._in_step = True
        return True

    def _refuse(self, reason: str) -> Refused:
        """Refuse the frame starting the buffer: look for the next one from its second byte."""
        del self._buffer[:1]
        self._in_step = False
        return Refused(reason)

    def _read_header(self, events: list[Event]) -> bool:
        end = self._buffer.find(_END, 0, MAX_HEADER + len(_END))
        if end < 0:
            if len(self._buffer) > MAX_HEADER:
                events.append(self._refuse(f"a header longer than {MAX_HEADER} bytes"))
                return True
            return False
        length, problem = self._parse_header(bytes(self._buffer[:end]))
        if problem is not None or length is None:
            events.append(self._refuse(problem or "no Content-Length header"))
            return True
        self._length = length
        self._body = end + len(_END)
        self._scanned = 1
        return True

    def _parse_header(self, block: bytes) -> tuple[int | None, str | None]:
        length: int | None = None
        if not block:
            return None, "a frame with no header"
        for line in block.split(b"\r\n"):
            name, colon, value = line.partition(b":")
            if not colon:
                return None, f"a header line without a colon: {_show(line)}"
            if not _TOKEN.fullmatch(name):
                return None, f"a header name that is not a name: {_show(name)}"
            if name.lower() != b"content-length":
                continue
            value = value.strip(b" \t")
            if not _DIGITS.fullmatch(value):
                return None, f"a Content-Length that is not a number: {_show(value)}"
            declared = int(value) if len(value) <= 20 else self.max_body + 1
            if declared > self.max_body:
                return None, (
                    f"a Content-Length of {_show(value)} bytes, more than the "
                    f"{self.max_body} bytes a message may have"
                )
            if length is not None and length != declared:
                return None, "two different Content-Length headers"
            length = declared
        return length, None

    def _read_body(self, events: list[Event]) -> bool:
        assert self._length is not None
        start = self._next_frame(max(self._scanned - _LOOK_BACK, 1))
        if start is not None:
            events.append(self._cut_short(start))
            return True
        end = self._body + self._length
        self._scanned = min(len(self._buffer), end)
        if len(self._buffer) < end:
            return False
        body = bytes(self._buffer[self._body : end])
        self._length = None
        if not body.rstrip(_JSON_SPACE).endswith((b"}", b"]")):
            # Perhaps the declared length ends inside the next frame's header: look for it
            # from this frame's second byte.
            events.append(self._refuse(f"a body that is not a JSON message: {_show(body)}"))
            return True
        events.append(Body(body))
        del self._buffer[:end]
        return True

    def _next_frame(self, start: int) -> int | None:
        """Where a frame begins inside the current one, which was then cut short: a header
        line in its body, or glued to the end of a line of its header (``X-Junk: 1`` sent
        without its line break, then a frame)."""
        assert self._length is not None
        end = min(len(self._buffer), self._body + self._length)
        for match in _NEXT_FRAME.finditer(self._buffer, start, end):
            at = match.start()
            if at >= self._body or self._buffer[at - 2 : at] != b"\r\n":
                return at
        return None

    def _cut_short(self, start: int) -> Refused:
        declared = self._length
        have = max(start - self._body, 0)
        del self._buffer[:start]
        self._length = None
        self._in_step = True
        return Refused(
            f"a body cut short: {declared} bytes declared, the next frame began after {have}"
        )


def _show(value: bytes, limit: int = 40) -> str:
    text = repr(value[:limit])[2:-1]
    return f"'{text}...'" if len(value) > limit else f"'{text}'"
