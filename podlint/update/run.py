"""Comparing two sets of manifests: objects matched by identity, findings against the new side.

Objects are matched by API group, kind, namespace (``default`` when unset) and name, never by
file, so an object that moved to another file is still compared with its previous version.
An object on one side only is a creation or a deletion, not a finding.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from podlint.engine import Engine, _Bound
from podlint.lint import UPDATE_CHECK_FAMILY
from podlint.model.document import Document
from podlint.model.finding import Finding
from podlint.model.kinds import api_group
from podlint.model.span import Span
from podlint.source.manifest import SourceProblem, parse_text, read_text
from podlint.update.view import UpdateView

LOG = logging.getLogger(__name__)

# Problems reading the old side after which some of its objects are missing.
_LOSES_OBJECTS = frozenset({"yaml-syntax", "helm-template", "file-too-large"})


@dataclass(frozen=True, slots=True, order=True)
class Identity:
    group: str
    kind: str
    namespace: str
    name: str

    def __str__(self) -> str:
        kind = f"{self.kind}.{self.group}" if self.group else self.kind
        return f"{kind} {self.namespace}/{self.name}"


def identity(document: Document) -> Identity | None:
    """How an object is matched across versions; None for objects without a name."""
    name = document.name
    if not name:
        return None
    return Identity(
        api_group(document.api_version or ""),
        document.kind or "",
        document.namespace or "default",
        name,
    )


@dataclass(frozen=True)
class OldProblem:
    """A part of the old side that could not be read; its objects are not compared."""

    path: str
    message: str
    span: Span | None = None

    def __str__(self) -> str:
        if self.span is None:
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.span.line + 1}:{self.span.column + 1}: {self.message}"


@dataclass
class OldObjects:
    """The old side: objects by identity, and what could not be read."""

    objects: dict[Identity, Document] = dataclasses.field(default_factory=dict)
    problems: list[OldProblem] = dataclasses.field(default_factory=list)

    def add_text(self, path: str, data: bytes, max_bytes: int) -> None:
        text = read_text(data, max_bytes=max_bytes)
        if isinstance(text, SourceProblem):
            self.problems.append(OldProblem(path, text.message, text.span))
            return
        reported = False
        for item in parse_text(text, path):
            if isinstance(item, SourceProblem):
                # One note per file, for problems that lose objects; the rest of the file is
                # still compared.
                if not reported and item.rule in _LOSES_OBJECTS:
                    self.problems.append(OldProblem(path, item.message, item.span))
                    reported = True
                continue
            key = identity(item)
            if key is not None and key not in self.objects:
                self.objects[key] = item

    def add_error(self, path: str, reason: str) -> None:
        self.problems.append(OldProblem(path, reason))


def update_rules(engine: Engine) -> list[_Bound]:
    """The enabled rules whose checks compare versions."""
    return [
        bound
        for bound in engine.object_rules
        if bound.rule.check is not None and bound.rule.check.startswith(UPDATE_CHECK_FAMILY)
    ]


def compare_document(
    engine: Engine, rules: Iterable[_Bound], old: Document, new: Document
) -> Iterator[Finding]:
    view = UpdateView(new, old.data)
    kind = new.kind or ""
    for bound in rules:
        if bound.rule.applies_to_kind(kind):
            yield from engine.run_check(bound, view, new, "both versions of the manifest")
