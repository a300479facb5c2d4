"""A Kubernetes object read from a source, with the means to locate its fields."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from podlint.model.finding import Finding
from podlint.model.span import Span


class Locator(Protocol):
    def span(self, pointer: str, key: bool = False) -> Span | None:
        """The source span of the node at pointer (or of its nearest existing ancestor)."""
        ...


@dataclass(frozen=True, slots=True)
class Document:
    """One Kubernetes object.

    ``pointer`` is where the object sits in its source document: "" for a plain document,
    "/items/3" for the fourth item of a ``kind: List``. Every pointer a check yields starts
    with it, so it can be located in the source as is.
    """

    path: str
    index: int
    data: dict[str, Any]
    pointer: str = ""
    locator: Locator | None = None
    # Whether every number in ``data`` is one JSON can carry (not inf or nan): known when the
    # reader saw every scalar, None when it must be looked for.
    json_safe: bool | None = None

    @property
    def kind(self) -> str | None:
        value = self.data.get("kind")
        return value if isinstance(value, str) else None

    @property
    def api_version(self) -> str | None:
        value = self.data.get("apiVersion")
        return value if isinstance(value, str) else None

    @property
    def metadata(self) -> dict[str, Any]:
        value = self.data.get("metadata")
        return value if isinstance(value, dict) else {}

    @property
    def name(self) -> str | None:
        value = self.metadata.get("name")
        return value if isinstance(value, str) else None

    @property
    def namespace(self) -> str | None:
        value = self.metadata.get("namespace")
        return value if isinstance(value, str) else None

    def locate(self, pointer: str, key: bool = False) -> Span | None:
        return self.locator.span(pointer, key) if self.locator else None


def document_of(documents: Sequence[Document], finding: Finding) -> Document | None:
    """The object a finding is about (the innermost, when the document is a ``kind: List``)."""
    candidates = [
        document
        for document in documents
        if document.index == finding.document
        and (finding.pointer + "/").startswith(document.pointer + "/")
    ]
    return max(candidates, key=lambda d: len(d.pointer), default=None)
