"""Manifest files -> Kubernetes Documents, and findings for input that cannot be read."""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from podlint.lazyre import LazyPattern
from podlint.model.document import Document
from podlint.model.finding import Finding
from podlint.model.span import Span
from podlint.source.compose import (
    ComposeError,
    ExpansionError,
    compose,
    locate_expansion,
    make_composer,
    to_data,
)
from podlint.source.locator import NodeLocator

LOG = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")

_DOCUMENT_END = LazyPattern(r"^\.\.\.[ \t\r]*$", re.MULTILINE)
# Helm's own objects and functions. Other "{{" (Go templates in Prometheus alert text, Jinja in a
# ConfigMap) are valid YAML strings; where they break the YAML, the syntax error says so.
_HELM = LazyPattern(
    r"\{\{[^}\n]*?\.(?:Values|Release|Chart|Capabilities|Files)\b"
    r"|\{\{-?\s*(?:include|toYaml|tpl|required)\b"
)
_TEMPLATE_HINT = (
    " (the document contains '{{': if it is a Helm template, render it first: "
    "helm template ... | podlint lint -)"
)


@dataclass(frozen=True, slots=True)
class SourceProblem:
    """Input that could not be read as Kubernetes objects, reported as a finding of ``rule``."""

    rule: str
    message: str
    span: Span
    document: int | None = None

    def finding(self, path: str) -> Finding:
        return Finding(
            pointer="",
            message=self.message,
            rule=self.rule,
            path=path,
            span=self.span,
            document=self.document,
        )


SourceItem = Document | SourceProblem


def _at(line: int, column: int = 0) -> Span:
    return Span(line, column, line, column + 1)


def decode(data: bytes) -> str | SourceProblem:
    """UTF-8 text (a leading BOM is dropped), or the position of the first invalid byte."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n")
        column = len(before) - (before.rfind(b"\n") + 1)
        return SourceProblem(
            "yaml-syntax",
            f"file is not valid UTF-8: byte 0x{data[error.start]:02x} cannot be decoded "
            "(Kubernetes manifests must be UTF-8)",
            _at(line, column),
        )
    return text.removeprefix("\ufeff")


def too_large(size: int | None, max_bytes: int) -> SourceProblem:
    """``size`` is None for a stream that was not read to its end."""
    amount = f"{size:,} bytes" if size is not None else f"more than {max_bytes:,} bytes"
    return SourceProblem(
        "file-too-large",
        f"file is {amount}, over the {max_bytes:,}-byte bound (raise it with --max-file-size)",
        _at(0),
    )


def read_text(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str | SourceProblem:
    """The text of a manifest file, or why it cannot be read."""
    if len(data) > max_bytes:
        return too_large(len(data), max_bytes)
    return decode(data)


class ParseCache:
    """What each document of one buffer read as, kept from one reading to the next: after an
    edit only the documents whose text changed are read again; the others are moved to the
    line where they now start (and to their new index)."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str, bool], list[Document]] = {}
        self._used: dict[tuple[str, str, bool], list[Document]] = {}
        self.hits = 0
        self.misses = 0

    def start(self) -> None:
        """A new reading: entries its documents do not use are let go at the next."""
        self._entries, self._used = self._used or self._entries, {}

    def items(
        self, yaml: Any, chunk: str, offset: int, index: int, path: str, json_numbers: bool
    ) -> list[SourceItem]:
        key = (chunk, path, json_numbers)
        items = self._used.get(key) or self._entries.get(key)
        if items is not None:
            self.hits += 1
            self._used[key] = items
            return [_moved(item, offset, index) for item in items]
        self.misses += 1
        read = list(_parse_document(yaml, chunk, offset, index, path, json_numbers))
        documents = [item for item in read if isinstance(item, Document)]
        # A document with a problem is read again each time: messages name absolute lines.
        if len(documents) == len(read):
            self._used[key] = [_moved(item, -offset, 0) for item in documents]
        return read


def _moved(document: Document, offset: int, index: int) -> Document:
    assert isinstance(document.locator, NodeLocator)
    locator = NodeLocator(document.locator.root, document.locator.line_offset + offset)
    return Document(
        document.path, index, document.data, document.pointer, locator, document.json_safe
    )


def parse_text(text: str, path: str, *, cache: ParseCache | None = None) -> Iterator[SourceItem]:
    """Every Kubernetes object in a YAML or JSON text, and a problem for each unreadable part.

    Documents are read one at a time, so a broken document never hides the others. With a
    ``cache``, documents whose text it has seen are not read again.
    """
    helm = _HELM.search(text)
    if helm:
        start = text.index("{{", helm.start())
        line = text.count("\n", 0, start)
        column = start - (text.rfind("\n", 0, start) + 1)
        yield SourceProblem(
            "helm-template",
            "this is a Helm template, not a manifest: render it first: "
            "helm template ... | podlint lint -",
            Span(line, column, line, column + 2),
        )
        return
    json_numbers = path.endswith(".json")
    yaml = make_composer()
    found_any = False
    if cache is not None:
        cache.start()
    for index, (offset, chunk) in enumerate(_split_documents(text)):
        if cache is not None:
            items: Iterator[SourceItem] | list[SourceItem] = cache.items(
                yaml, chunk, offset, index, path, json_numbers
            )
        else:
            items = _parse_document(yaml, chunk, offset, index, path, json_numbers)
        for item in items:
            found_any = True
            yield item
    if not found_any and not _has_content(text):
        yield SourceProblem(
            "empty-file",
            "file contains no Kubernetes objects (kubectl apply would refuse it: "
            "no objects passed to apply)",
            _at(0),
        )


def _has_content(text: str) -> bool:
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and stripped not in ("---", "..."):
            return True
    return False


def _split_documents(text: str) -> Iterator[tuple[int, str]]:
    """(first line, text) of each YAML document; markers at column 0 always end a document.

    Linear in the text: each line break is counted once, however many documents there are.
    """
    starts = _document_starts(text)
    bounds = [0, *starts, len(text)]
    line = 0
    counted_to = 0
    for begin, end in itertools.pairwise(bounds):
        line += text.count("\n", counted_to, begin)
        counted_to = begin
        chunk = text[begin:end]
        closing = _DOCUMENT_END.search(chunk) if "..." in chunk else None
        if closing:
            chunk = chunk[: closing.start()]
        if begin == 0 and starts and not _has_content(chunk):
            continue
        yield line, chunk


def _document_starts(text: str) -> list[int]:
    """Where each ``---`` marker line starts (at column 0, then a space, tab or line end).

    Found with substring search, which costs a fraction of a multi-line pattern's scan."""
    starts = [0] if text.startswith("---") and _ends_marker(text, 3) else []
    at = text.find("\n---")
    while at != -1:
        begin = at + 1
        if _ends_marker(text, begin + 3):
            starts.append(begin)
        at = text.find("\n---", begin)
    return starts


def _ends_marker(text: str, index: int) -> bool:
    return text[index : index + 1] in ("", " ", "\t", "\r", "\n")


def _parse_document(
    yaml: Any, chunk: str, offset: int, index: int, path: str, json_numbers: bool
) -> Iterator[SourceItem]:
    try:
        root = compose(yaml, chunk)
        if root is None:
            return
        converted = to_data(root, json_numbers=json_numbers)
    except ExpansionError as error:
        line, column = locate_expansion(yaml, chunk, error.limit) or (error.line, error.column)
        yield SourceProblem("yaml-syntax", error.message, _at(line + offset, column), index)
        return
    except ComposeError as error:
        message = error.message + (_TEMPLATE_HINT if "{{" in chunk else "")
        yield SourceProblem("yaml-syntax", message, _at(error.line + offset, error.column), index)
        return
    for duplicate in converted.duplicates:
        line = duplicate.line + offset
        yield SourceProblem(
            "duplicate-key",
            f'duplicate key "{duplicate.key}" (first at line {duplicate.first_line + offset + 1}); '
            "the apiserver's strict decoding rejects it",
            Span(line, duplicate.column, line, duplicate.column + len(duplicate.key)),
            index,
        )
    data = converted.data
    json_safe = not converted.non_finite
    locator = NodeLocator(root, offset)
    if not isinstance(data, dict):
        if data is not None:
            LOG.debug("%s: document %d is not a mapping; skipped", path, index)
        return
    if not _is_kubernetes_object(data):
        LOG.debug("%s: document %d has no apiVersion/kind; skipped", path, index)
        return
    if data["kind"].endswith("List") and isinstance(data.get("items"), list):
        for position, item in enumerate(data["items"]):
            if isinstance(item, dict) and _is_kubernetes_object(item):
                yield Document(path, index, item, f"/items/{position}", locator, json_safe)
        return
    yield Document(path, index, data, "", locator, json_safe)


def _is_kubernetes_object(data: dict[str, Any]) -> bool:
    return isinstance(data.get("apiVersion"), str) and isinstance(data.get("kind"), str)
