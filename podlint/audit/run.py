"""Live objects through the engine: one result per object, located by identity and pointer.

An object from the API server has no file, so its result's path is its identity
(``apps/v1/Deployment/shop/web``) and findings carry JSON pointers, as for AdmissionReview
input. Objects arrive defaulted, so findings on values the apiserver filled in are dropped,
and the ``podlint.io/ignore`` annotation is honoured as in the webhook.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from podlint.engine import Engine
from podlint.lint import ObjectRef, SourceResult, suppressible_settings
from podlint.model.defaulted import DefaultedFields
from podlint.model.document import Document
from podlint.model.views import ObjectView
from podlint.suppression import apply_suppressions

# The apiserver decoded and validated every object it stored (as for the webhook).
SKIPPED_RULES = ("schema", "unknown-kind")


@dataclass(frozen=True)
class Identity:
    """What names an object in a cluster."""

    api_version: str
    kind: str
    namespace: str | None
    name: str
    uid: str | None = None

    @classmethod
    def of(cls, obj: Mapping[str, Any]) -> Identity:
        metadata = obj.get("metadata")
        metadata = metadata if isinstance(metadata, Mapping) else {}
        namespace = metadata.get("namespace")
        uid = metadata.get("uid")
        return cls(
            str(obj.get("apiVersion", "")),
            str(obj.get("kind", "")),
            namespace if isinstance(namespace, str) and namespace else None,
            str(metadata.get("name", "")),
            uid if isinstance(uid, str) else None,
        )

    @property
    def path(self) -> str:
        scope = [self.namespace] if self.namespace else []
        return "/".join([self.api_version, self.kind, *scope, self.name])

    def reference(self) -> dict[str, str]:
        """A core/v1 ObjectReference, as PolicyReport results name their resources."""
        reference = {"apiVersion": self.api_version, "kind": self.kind, "name": self.name}
        if self.namespace:
            reference["namespace"] = self.namespace
        if self.uid:
            reference["uid"] = self.uid
        return reference


@dataclass(frozen=True)
class Audited:
    identity: Identity
    result: SourceResult


def controller_uid(obj: Mapping[str, Any]) -> str | None:
    metadata = obj.get("metadata")
    owners = metadata.get("ownerReferences") if isinstance(metadata, Mapping) else None
    for owner in owners if isinstance(owners, list) else []:
        if isinstance(owner, Mapping) and owner.get("controller") is True:
            uid = owner.get("uid")
            return uid if isinstance(uid, str) else None
    return None


def split_managed(
    objects: Iterable[dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(objects to audit, objects reported at their controller).

    A Pod of a ReplicaSet of a Deployment is judged once, at the Deployment: an object whose
    controller (the ownerReference with ``controller: true``) was listed too carries the same
    pod template. One whose controller was not listed (another kind, another selector, a
    namespace the credentials may not read) is audited itself, so nothing goes unjudged.
    """
    listed = list(objects)
    uids = {Identity.of(obj).uid for obj in listed} - {None}
    audited: list[dict[str, Any]] = []
    managed: list[dict[str, Any]] = []
    for obj in listed:
        (managed if controller_uid(obj) in uids else audited).append(obj)
    return audited, managed


def audit_objects(
    engine: Engine, objects: Iterable[dict[str, Any]], *, strict: bool = False
) -> Iterator[Audited]:
    """Each object's findings, in namespace, kind and name order."""
    for obj in sorted(objects, key=_order):
        identity = Identity.of(obj)
        yield Audited(identity, audit_object(engine, identity, obj, strict=strict))


def audit_object(
    engine: Engine, identity: Identity, obj: dict[str, Any], *, strict: bool = False
) -> SourceResult:
    document = Document(identity.path, 0, obj)
    findings = list(engine.lint_document(document))
    pointer = engine.kind_map.pod_spec_pointer(identity.api_version, identity.kind)
    pod = ObjectView(document).pod_spec(pointer) if pointer is not None else None
    if pod is not None and pointer is not None:
        defaulted = DefaultedFields(pod.data, pointer)
        findings = [f for f in findings if not defaulted.covers(f.pointer)]
    outcome = apply_suppressions(
        findings,
        None,
        [document],
        settings=suppressible_settings(engine),
        known=engine.registry.rules,
        path=document.path,
        strict=strict,
    )
    return SourceResult(
        document.path,
        sorted(outcome.findings, key=lambda f: (f.pointer, f.rule)),
        documents=1,
        suppressed=outcome.suppressed,
        objects=[ObjectRef(0, "", identity.kind, identity.namespace, identity.name)],
    )


def _order(obj: Mapping[str, Any]) -> tuple[str, str, str]:
    identity = Identity.of(obj)
    return (identity.namespace or "", identity.kind, identity.name)
