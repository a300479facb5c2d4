"""Linting a buffer again after an edit, reading and linting only the documents that changed.

A keystroke changes one document of a multi-document file; the others read as before and give
the same findings, shifted by the lines inserted or removed above them. Rules see one object at
a time, so the findings of a document depend only on its own text (and the engine); a document
is read again only when its text changed (``podlint.source.manifest.ParseCache``). Suppressions
are applied to the whole text each time, exactly as ``podlint.lint.lint_text`` does (a property
test holds the two to the same result after random edits).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence

from podlint.engine import Engine
from podlint.lint import SourceResult, source_result
from podlint.model.document import Document
from podlint.model.finding import Finding
from podlint.model.span import Span
from podlint.source.json6902 import parse_fragment
from podlint.source.locator import NodeLocator
from podlint.source.manifest import ParseCache, parse_text

# (text of the document's lines, pointer of the object in it) -> findings, lines relative
# to the document's first line.
_Key = tuple[str, str]


class DocumentCache:
    """The findings of each document of one buffer, for one engine."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.entries: dict[_Key, list[Finding]] = {}
        self.parses = ParseCache()
        self.hits = 0
        self.misses = 0

    def lint_text(
        self, engine: Engine, path: str, text: str, *, fragment: bool = False
    ) -> SourceResult:
        """What ``podlint.lint.lint_text(engine, path, text, fragment=fragment)`` returns, from
        cached findings for the documents whose text did not change."""
        if engine is not self.engine:
            self.engine = engine
            self.entries = {}
        if fragment:
            items = list(parse_fragment(text, path))
        else:
            items = list(parse_text(text, path, cache=self.parses))
        documents = [item for item in items if isinstance(item, Document)]
        lines = text.splitlines(keepends=True)
        offsets = sorted({_offset(document) for document in documents})
        used: dict[_Key, list[Finding]] = {}
        findings: list[Finding] = []
        for item in items:
            if isinstance(item, Document):
                findings.extend(self._document(engine, item, lines, offsets, used))
            else:
                findings.extend(engine.lint(path, [item]))
        self.entries = used
        return source_result(engine, path, text, findings, documents, fragment=fragment)

    def _document(
        self,
        engine: Engine,
        document: Document,
        lines: Sequence[str],
        offsets: Sequence[int],
        used: dict[_Key, list[Finding]],
    ) -> Iterator[Finding]:
        offset = _offset(document)
        later = [value for value in offsets if value > offset]
        end = later[0] if later else len(lines)
        key = ("".join(lines[offset:end]), document.pointer)
        relative = used.get(key) or self.entries.get(key)
        if relative is None:
            self.misses += 1
            relative = [_shift(finding, -offset) for finding in engine.lint_document(document)]
        else:
            self.hits += 1
        used[key] = relative
        for finding in relative:
            yield dataclasses.replace(_shift(finding, offset), document=document.index)


def _offset(document: Document) -> int:
    locator = document.locator
    return locator.line_offset if isinstance(locator, NodeLocator) else 0


def _shift(finding: Finding, lines: int) -> Finding:
    span = finding.span
    if span is None or lines == 0:
        return finding
    moved = Span(span.line + lines, span.column, span.end_line + lines, span.end_column)
    return dataclasses.replace(finding, span=moved)
