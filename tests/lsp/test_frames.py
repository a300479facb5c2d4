"""The frame reader on its own: valid frames come out whole however the stream is cut, and
after any bytes that are not a frame the valid frames that follow still come out."""

from __future__ import annotations

import json
import os

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from podlint.lsp.frames import MAX_HEADER, Body, Event, FrameReader, Refused

EXAMPLES = int(os.environ.get("PODLINT_FRAME_EXAMPLES", "300"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


def frame(body: bytes, *, content_type: bool = False) -> bytes:
    header = b"Content-Length: %d\r\n" % len(body)
    if content_type:
        header = b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n" + header
    return header + b"\r\n" + body


# Bodies as clients write them, including text that names the header (escaped, as JSON must).
texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=40) | st.sampled_from(
    ["Content-Length: 12\r\n\r\n", "content-length:", "}", "\r\n\r\n{"]
)
bodies = st.builds(
    lambda request_id, text: json.dumps(
        {"jsonrpc": "2.0", "id": request_id, "method": "m", "params": {"t": text}},
        ensure_ascii=False,
    ).encode(),
    st.integers(0, 10**6),
    texts,
)
# Bytes that are not frames, made of the pieces a broken frame is made of.
PIECES = [
    b"Content-Length: ",
    b"content-length:",
    b"Content-Type: x",
    b"\r\n",
    b"\r\n\r\n",
    b"\n",
    b":",
    b"-",
    b"{",
    b"}",
    b"]",
    b" ",
    b"X",
    b'"',
]
garbage = st.lists(
    st.sampled_from(PIECES) | st.integers(0, 10**13).map(lambda n: b"%d" % n) | st.binary(),
    min_size=1,
    max_size=12,
).map(b"".join)


def read(stream: bytes, cuts: list[int], reader: FrameReader | None = None) -> list[Event]:
    reader = reader or FrameReader(max_body=10_000)
    events: list[Event] = []
    start = 0
    for cut in [*sorted({c % (len(stream) + 1) for c in cuts}), len(stream)]:
        events += reader.feed(stream[start:cut])
        start = cut
    return events + reader.end()


def _bodies(events: list[Event]) -> list[bytes]:
    return [event.data for event in events if isinstance(event, Body)]


@SETTINGS
@given(
    st.lists(st.tuples(bodies, st.booleans()), min_size=1, max_size=5),
    st.lists(st.integers(0, 10**6), max_size=8),
)
def test_valid_frames_come_out_whole_however_cut(
    messages: list[tuple[bytes, bool]], cuts: list[int]
) -> None:
    stream = b"".join(frame(body, content_type=typed) for body, typed in messages)
    events = read(stream, cuts)
    assert events == [Body(body) for body, _ in messages]


@SETTINGS
@given(garbage, st.lists(bodies, min_size=1, max_size=3), st.lists(st.integers(0, 10**6)))
@example(b"Content-Length: 5\r\nX", [b'{"id": 1}'], [])
@example(b"Content-Length: 9999\r\n\r\n{", [b'{"id": 1}'], [])
@example(b"Content-Length: 3\r\n\r\n", [b'{"id": 1}'], [])
@example(b"Content-Type: x", [b'{"id": 1}'], [])
def test_frames_after_bytes_that_are_not_frames_come_out(
    junk: bytes, messages: list[bytes], cuts: list[int]
) -> None:
    stream = junk + b"".join(frame(body) for body in messages)
    events = read(stream, cuts)
    got = _bodies(events)
    assert got[len(got) - len(messages) :] == messages, events


def test_a_declared_length_is_not_allocated() -> None:
    reader = FrameReader(max_body=10**9)
    assert reader.feed(b"Content-Length: 999999999\r\n\r\n{") == []
    assert len(reader._buffer) < 64
    [refused] = FrameReader(max_body=10**9).feed(b"Content-Length: 1000000001\r\n\r\n")
    assert isinstance(refused, Refused)
    assert "more than the 1000000000 bytes" in refused.reason


def test_what_is_held_stays_bounded_whatever_arrives() -> None:
    reader = FrameReader(max_body=1000)
    noise = bytes(range(256)) * 4
    for _ in range(2000):
        reader.feed(noise)
        assert len(reader._buffer) <= MAX_HEADER + len(noise)
    reader.feed(b"Content-Length: 1000\r\n\r\n")
    for _ in range(2000):
        reader.feed(b"x" * 100)
        assert len(reader._buffer) <= MAX_HEADER + 1000 + 100


def test_each_refusal_says_why() -> None:
    cases = {
        b"Content-Length: -1\r\n\r\n": "a Content-Length that is not a number: '-1'",
        b"Content-Length 1\r\n\r\n": "a header line without a colon: 'Content-Length 1'",
        b"Content-Type: x\r\n\r\n": "no Content-Length header",
        b"Content-Length: 1\r\nContent-Length: 2\r\n\r\n": "two different Content-Length",
        b"Content-Length: 3\r\n\r\nabc": "a body that is not a JSON message: 'abc'",
        b"Content-Length: 99\r\n\r\n{" + frame(b"{}"): "a body cut short: 99 bytes declared",
    }
    for stream, reason in cases.items():
        events = FrameReader().feed(stream)
        assert isinstance(events[0], Refused), stream
        assert events[0].reason.startswith(reason), events
