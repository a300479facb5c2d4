"""A lint run: sources in, one result per source out (streamed, so memory stays flat)."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from podlint.engine import Engine
from podlint.model.document import Document
from podlint.model.finding import Finding
from podlint.source.files import PathError, discover
from podlint.source.manifest import (
    DEFAULT_MAX_BYTES,
    SourceProblem,
    parse_text,
    read_text,
    too_large,
)


@dataclass
class SourceResult:
    """The findings for one file (or stdin), with its text for excerpts."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    documents: int = 0
    text: str | None = None
    error: str | None = None


def lint_bytes(engine: Engine, path: str, data: bytes, max_bytes: int) -> SourceResult:
    text = read_text(data, max_bytes=max_bytes)
    if isinstance(text, SourceProblem):
        return SourceResult(path, list(engine.lint(path, [text])))
    return lint_text(engine, path, text)


def lint_text(engine: Engine, path: str, text: str) -> SourceResult:
    result = SourceResult(path, text=text)
    documents = 0

    def counted() -> Iterator[Document | SourceProblem]:
        nonlocal documents
        for item in parse_text(text, path):
            if isinstance(item, Document):
                documents += 1
            yield item

    result.findings = sorted(
        engine.lint(path, counted()),
        key=lambda f: (f.span.line, f.span.column) if f.span else (-1, -1),
    )
    result.documents = documents
    return result


def lint_sources(
    engine: Engine,
    paths: Iterable[str],
    *,
    stdin_filename: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[SourceResult]:
    """Lint files, directories and "-" (stdin); unreadable paths give a result with an error."""
    names = list(paths)
    for name in names:
        if name == "-":
            data = sys.stdin.buffer.read()
            yield lint_bytes(engine, stdin_filename or "<stdin>", data, max_bytes)
            continue
        for found in discover([name]):
            if isinstance(found, PathError):
                yield SourceResult(found.path, error=found.reason)
                continue
            yield _lint_path(engine, found, max_bytes)


def _lint_path(engine: Engine, path: Path, max_bytes: int) -> SourceResult:
    display = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return SourceResult(display, list(engine.lint(display, [too_large(size, max_bytes)])))
        data = path.read_bytes()
    except OSError as error:
        return SourceResult(display, error=error.strerror or str(error))
    return lint_bytes(engine, display, data, max_bytes)
