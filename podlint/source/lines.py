"""Lines as editors, GitHub and terminals number them: only ``\\n`` ends a line.

YAML also breaks lines at NEL (U+0085), LINE SEPARATOR (U+2028), PARAGRAPH SEPARATOR
(U+2029) and a lone carriage return, and so do the parser's marks and ``str.splitlines``
(which adds form feeds and more); a position computed that way lands lines below where an
editor shows the text. Positions and excerpts use these functions instead.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from podlint.lazyre import LazyPattern

# Characters that YAML (and so the parser's marks) counts as line breaks and editors do not.
_UNUSUAL_BREAK = LazyPattern("[\x85\u2028\u2029]|\r(?!\n)")


def split_lines(text: str) -> list[str]:
    """The lines of a text without their ends (``\\n`` or ``\\r\\n``)."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def has_unusual_breaks(text: str) -> bool:
    # Substring tests first: they cost a hundredth of the pattern's search on a typical text.
    if "\r" in text:
        return _UNUSUAL_BREAK.search(text) is not None
    return "\u2028" in text or "\u2029" in text or "\x85" in text


class LineIndex:
    """(line, column) of a character index, 0-based, counting only ``\\n`` as a line end."""

    __slots__ = ("starts",)

    def __init__(self, text: str) -> None:
        self.starts = [0, *(match.end() for match in re.finditer("\n", text))]

    def position(self, index: int) -> tuple[int, int]:
        line = bisect_right(self.starts, index) - 1
        return line, index - self.starts[line]
