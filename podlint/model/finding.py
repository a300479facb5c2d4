"""Findings: what checks yield and what every front door reports."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from podlint.model.records import pickled_by_fields
from podlint.model.span import Span


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.ERROR: 3, Severity.WARNING: 2, Severity.INFO: 1}


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Finding:
    """A problem at a JSON Pointer.

    Checks create it with ``pointer`` and ``message`` only (and ``key=True`` when the finding
    is about a mapping key rather than its value); the engine stamps the rest.
    """

    pointer: str
    message: str
    key: bool = False
    rule: str = ""
    severity: Severity = Severity.ERROR
    path: str = ""
    span: Span | None = None
    document: int | None = None
    kind: str | None = None
    namespace: str | None = None
    name: str | None = None
