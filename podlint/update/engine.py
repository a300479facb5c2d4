"""An engine that also compares every object with its previous version, when there is one."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from podlint.engine import Engine
from podlint.model.document import Document
from podlint.model.finding import Finding
from podlint.model.kinds import KindMap
from podlint.model.version import KubeVersion
from podlint.policy import RuleSetting
from podlint.registry import Registry
from podlint.update.run import OldObjects, compare_document, identity, update_rules


class UpdateEngine(Engine):
    """Lints each document (unless ``lint=False``: then only the comparison runs, and problems
    reading the input still count) and compares it with its previous version in ``old``."""

    compares_versions = True

    def __init__(
        self,
        registry: Registry,
        settings: Mapping[str, RuleSetting],
        kubernetes_version: KubeVersion,
        kind_map: KindMap,
        old: OldObjects,
        *,
        lint: bool = True,
    ) -> None:
        super().__init__(registry, settings, kubernetes_version, kind_map)
        self.old = old
        self.include_lint = lint
        self.update_rules = update_rules(self)

    @classmethod
    def around(cls, inner: Engine, old: OldObjects, *, lint: bool = True) -> UpdateEngine:
        """The same rules, settings and version as ``inner``, comparing against ``old``."""
        return cls(
            inner.registry,
            inner.settings,
            inner.kubernetes_version,
            inner.kind_map,
            old,
            lint=lint,
        )

    def lint_document(self, document: Document) -> Iterator[Finding]:
        if self.include_lint:
            yield from super().lint_document(document)
        key = identity(document)
        previous = self.old.objects.get(key) if key is not None else None
        if previous is not None:
            yield from compare_document(self, self.update_rules, previous, document)
