"""What an audit lists: every workload the credentials may read, and what they may not.

Cluster-wide lists come first (one request per resource and page); when the credentials may
not list a resource cluster-wide, the namespaces are listed and each one is tried on its own,
so that a namespace the token may not read is named and the others are still audited.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from podlint.audit.errors import Refused
from podlint.audit.resources import NAMESPACES, WORKLOADS, Resource
from podlint.audit.selector import Requirement

FORBIDDEN = 403


class Lister(Protocol):
    def list_objects(
        self,
        resource: Resource,
        namespace: str | None,
        requirements: tuple[Requirement, ...] = (),
        chunk_size: int = ...,
    ) -> Any: ...

    def namespaces(self) -> list[str]: ...

    def served(self, group: str, kind: str) -> Resource | None: ...


@dataclass(frozen=True)
class ListFailure:
    """A list request the API server refused: where, what, and its own words."""

    namespace: str | None
    resource: Resource
    status: int
    message: str


@dataclass
class Inventory:
    objects: list[dict[str, Any]] = field(default_factory=list)
    failures: list[ListFailure] = field(default_factory=list)
    # Namespaces whose listing was tried one by one, or named on the command line.
    namespaces: list[str] = field(default_factory=list)

    def failure_lines(self) -> list[str]:
        """One line per namespace (or for the whole cluster), naming what could not be listed."""
        grouped: dict[str | None, list[ListFailure]] = {}
        for failure in self.failures:
            grouped.setdefault(failure.namespace, []).append(failure)
        lines = []
        for namespace, failures in grouped.items():
            where = f'namespace "{namespace}"' if namespace is not None else "cluster"
            names = ", ".join(f.resource.label for f in failures)
            first = failures[0]
            advice = "not audited"
            if any(f.resource == NAMESPACES for f in failures):
                advice = "name namespaces with --namespace"
            lines.append(
                f"{where}: cannot list {names} ({first.status}: {first.message}); {advice}"
            )
        return lines


def collect(
    cluster: Lister,
    namespaces: Sequence[str] = (),
    requirements: tuple[Requirement, ...] = (),
    chunk_size: int = 500,
    resources: Sequence[Resource] = WORKLOADS,
) -> Inventory:
    """List ``resources`` in ``namespaces`` (all when empty); the lister raises Refused for an
    error status."""
    inventory = Inventory(namespaces=list(namespaces))

    def attempt(resource: Resource, namespace: str | None) -> Refused | None:
        try:
            # A listing that fails on a later page is dropped whole, so it can be retried
            # per namespace without duplicates.
            found = list(cluster.list_objects(resource, namespace, requirements, chunk_size))
        except Refused as error:
            return error
        inventory.objects.extend(found)
        return None

    if namespaces:
        # Objects outside namespaces are not in any namespace asked for.
        per_namespace = [resource for resource in resources if resource.namespaced]
    else:
        per_namespace = []
        for resource in resources:
            refused = attempt(resource, None)
            if refused is None:
                continue
            if refused.status != FORBIDDEN or not resource.namespaced:
                inventory.failures.append(
                    ListFailure(None, resource, refused.status, refused.message)
                )
            else:
                per_namespace.append(resource)
        if per_namespace:
            try:
                inventory.namespaces = cluster.namespaces()
            except Refused as error:
                inventory.failures.append(
                    ListFailure(None, NAMESPACES, error.status, error.message)
                )
                return inventory
    for namespace in inventory.namespaces:
        for resource in per_namespace:
            refused = attempt(resource, namespace)
            if refused is not None:
                inventory.failures.append(
                    ListFailure(namespace, resource, refused.status, refused.message)
                )
    return inventory


def workload_resources(cluster: Lister, custom_kinds: Iterable[str]) -> list[Resource]:
    """The built-in workloads, and the custom kinds (``group/Kind``, as ``workload-kinds``
    names them) that this cluster serves."""
    found = list(WORKLOADS)
    for name in sorted(custom_kinds):
        group, _, kind = name.rpartition("/")
        if not group or any(r.group == group and r.kind == kind for r in found):
            continue
        resource = cluster.served(group, kind)
        if resource is not None:
            found.append(resource)
    return found
