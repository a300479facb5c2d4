"""Which Pod updates are worth a fresh evaluation, the way Pod Security Admission decides.

PSA re-evaluates a Pod UPDATE only when the container or init container count changes, an
image changes (by position), or an ephemeral container is added or changes image. Everything
else (labels, annotations, tolerations, resizes, status) is let through, so that a policy
tightened after a Pod started does not block the kubelet or controllers from touching it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Pod subresources that never carry a Pod worth judging.
IGNORED_POD_SUBRESOURCES = frozenset(
    {"exec", "attach", "binding", "eviction", "log", "portforward", "proxy", "status"}
)


def _list(spec: Mapping[str, Any], key: str) -> list[Any]:
    value = spec.get(key)
    return value if isinstance(value, list) else []


def _images(items: list[Any]) -> list[Any]:
    return [item.get("image") if isinstance(item, Mapping) else None for item in items]


def _spec(pod: Mapping[str, Any]) -> Mapping[str, Any]:
    spec = pod.get("spec")
    return spec if isinstance(spec, Mapping) else {}


def significant_pod_update(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    old_spec, new_spec = _spec(old), _spec(new)
    for key in ("containers", "initContainers"):
        if _images(_list(old_spec, key)) != _images(_list(new_spec, key)):
            return True
    old_ephemeral = {
        item.get("name"): item.get("image")
        for item in _list(old_spec, "ephemeralContainers")
        if isinstance(item, Mapping)
    }
    for item in _list(new_spec, "ephemeralContainers"):
        if not isinstance(item, Mapping):
            return True
        name = item.get("name")
        if name not in old_ephemeral or old_ephemeral[name] != item.get("image"):
            return True
    return False
