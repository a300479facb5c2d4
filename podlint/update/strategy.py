"""The ``kubectl apply`` trap of update strategies: a ``rollingUpdate`` the apiserver filled in.

The apiserver gives a Deployment (``strategy``) a ``rollingUpdate`` block whenever its type is
``RollingUpdate`` (written or not) and the manifest names none, and a StatefulSet
(``updateStrategy``) one only when the manifest names no type. A later change to ``Recreate``
(``OnDelete``) sends only the new ``type``; a patch that merges into the live object keeps
the filled-in block, and the apiserver refuses the result. Client-side ``kubectl apply``
removes it for a Deployment (its patch keeps only the keys the manifest names) but not for a
StatefulSet; server-side apply (``kubectl apply --server-side``, Flux, Argo CD's
``ServerSideApply``) keeps it for both, as do strategic-merge and merge patches. A
``rollingUpdate`` the previous manifest wrote itself is removed by both kinds of apply.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from podlint.model.finding import Finding
from podlint.model.pointer import join
from podlint.model.version import KubeVersion
from podlint.update.common import kind_of, mapping

# kind -> (strategy field, the type that forbids rollingUpdate, what the apiserver answers)
_TRAPS: dict[str, tuple[str, str, str]] = {
    "Deployment": (
        "strategy",
        "Recreate",
        "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` "
        "is 'Recreate'",
    ),
    "StatefulSet": (
        "updateStrategy",
        "OnDelete",
        "spec.updateStrategy.rollingUpdate: Invalid value: only allowed for updateStrategy "
        "'RollingUpdate'",
    ),
}


def kept_rolling_update(
    old: dict[str, Any], new: dict[str, Any], version: KubeVersion, base: str = ""
) -> Iterator[Finding]:
    group, kind = kind_of(new)
    if (group, kind) != kind_of(old) or group != "apps" or kind not in _TRAPS:
        return
    field, target, answer = _TRAPS[kind]
    before = mapping(mapping(old.get("spec")).get(field))
    after = mapping(mapping(new.get("spec")).get(field))
    if after.get("type") != target or before.get("type") == target:
        return
    if kind == "StatefulSet" and before.get("type"):
        return  # a written type gets no filled-in rollingUpdate
    if "rollingUpdate" in before or "rollingUpdate" in after:
        # Written before (both kinds of apply remove it), or written now (null clears it).
        return
    where = "kubectl apply" if kind == "StatefulSet" else "kubectl apply --server-side"
    yield Finding(
        join(base, "spec", field, "type"),
        f"spec.{field}.type changed to {target}: the live object keeps the rollingUpdate the "
        f"apiserver filled in when {where} or a patch makes this change, and the apiserver "
        f"refuses it ({answer}); write rollingUpdate: null next to type: {target} in this "
        "change (enough for client-side kubectl apply and strategic-merge patches); with "
        "server-side apply, make the change once with kubectl replace or a JSON patch that "
        f"also removes /spec/{field}/rollingUpdate",
    )
