"""Source positions."""

from __future__ import annotations

from dataclasses import dataclass

from podlint.model.records import pickled_by_fields


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Span:
    """A 0-based, end-exclusive source range (the LSP convention); formatters print 1-based."""

    line: int
    column: int
    end_line: int
    end_column: int
