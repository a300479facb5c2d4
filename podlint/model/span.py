"""Source positions."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Span:
    """A 0-based, end-exclusive source range (the LSP convention); formatters print 1-based."""

    line: int
    column: int
    end_line: int
    end_column: int
