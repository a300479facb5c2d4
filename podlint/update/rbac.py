"""RoleBinding and ClusterRoleBinding updates (``ValidateRoleBindingUpdate``,
``ValidateClusterRoleBindingUpdate``): ``roleRef`` never changes (an unset ``apiGroup`` is
``rbac.authorization.k8s.io``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from podlint.model.finding import Finding
from podlint.model.pointer import join
from podlint.model.version import KubeVersion
from podlint.update.common import kind_of, mapping
from podlint.update.compare import show

_BINDINGS = (
    ("rbac.authorization.k8s.io", "RoleBinding"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
)
_FIELDS = ("apiGroup", "kind", "name")


def role_ref(
    old: dict[str, Any], new: dict[str, Any], version: KubeVersion, base: str = ""
) -> Iterator[Finding]:
    kind = kind_of(new)
    if kind != kind_of(old) or kind not in _BINDINGS:
        return
    before, after = mapping(old.get("roleRef")), mapping(new.get("roleRef"))
    # The apiserver fills in an empty apiGroup (SetDefaults_RoleBinding).
    defaults = {"apiGroup": _BINDINGS[0][0]}
    changed = [
        key
        for key in _FIELDS
        if (before.get(key) or defaults.get(key, "")) != (after.get(key) or defaults.get(key, ""))
    ]
    if not changed:
        return
    name = mapping(new.get("metadata")).get("name") or "NAME"
    pointer = join(base, "roleRef")
    at = join(pointer, changed[0]) if changed[0] in after else (pointer if after else base)
    was = show({key: before.get(key) for key in _FIELDS if key in before})
    yield Finding(
        at,
        f"roleRef.{changed[0]} changed (was {was}): cannot change roleRef (Invalid on "
        f"roleRef); delete the {kind[1]} and create it again (kubectl delete "
        f"{kind[1].lower()} {name}, then apply), or bind the new role under another name",
    )
