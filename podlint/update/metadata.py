"""Metadata updates (``ValidateObjectMetaUpdate``, k8s-validation.md §4.1-4.2), for every kind.

``generation`` and ``creationTimestamp`` are reset to the stored values before validation
(``rest.BeforeUpdate``), an empty ``uid`` is filled in, a stored ``deletionTimestamp`` is
restored and so is a stored ``deletionGracePeriodSeconds`` that the update leaves out: those
edits are silently undone, never refused, and are not reported.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from podlint.model.finding import Finding
from podlint.model.pointer import join
from podlint.model.version import KubeVersion
from podlint.update.common import kind_of, mapping
from podlint.update.compare import show

_IDENTITY = ("name", "namespace", "uid")
_MIRROR = "kubernetes.io/config.mirror"
_APPARMOR = "container.apparmor.security.beta.kubernetes.io/"


def metadata(
    old: dict[str, Any], new: dict[str, Any], version: KubeVersion, base: str = ""
) -> Iterator[Finding]:
    old_meta = mapping(old.get("metadata"))
    new_meta = mapping(new.get("metadata"))
    pointer = join(base, "metadata")
    kind = kind_of(new)[1] or "object"
    for key in _IDENTITY:
        before, after = old_meta.get(key), new_meta.get(key)
        if before and after and before != after:
            yield Finding(
                join(pointer, key),
                f"metadata.{key} changed (was {show(before)}): field is immutable (Invalid); "
                f"a {kind} with another {key} is another object: create the new one and "
                "delete the old one",
            )
    if not old_meta.get("deletionTimestamp") and new_meta.get("deletionTimestamp"):
        yield Finding(
            join(pointer, "deletionTimestamp"),
            "metadata.deletionTimestamp added: field is immutable (Invalid); delete the object "
            "instead (kubectl delete)",
        )
    grace_before = old_meta.get("deletionGracePeriodSeconds")
    grace_after = new_meta.get("deletionGracePeriodSeconds")
    if grace_after is not None and grace_after != grace_before:
        was = "not set" if grace_before is None else show(grace_before)
        yield Finding(
            join(pointer, "deletionGracePeriodSeconds"),
            f"metadata.deletionGracePeriodSeconds changed (was {was}): field is immutable "
            "(Invalid); it is set by a delete request (kubectl delete --grace-period)",
        )
    if old_meta.get("deletionTimestamp"):
        known = set(_strings(old_meta.get("finalizers")))
        for index, name in enumerate(_strings(new_meta.get("finalizers"))):
            if name not in known:
                yield Finding(
                    join(pointer, "finalizers", index),
                    f"metadata.finalizers[{index}]: no new finalizers can be added if the "
                    f"object is being deleted, found new finalizer {show(name)} (Forbidden)",
                )
    if kind_of(new) == ("", "Pod"):
        yield from _pod_annotations(old_meta, new_meta, pointer)


def _strings(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _pod_annotations(
    old_meta: dict[str, Any], new_meta: dict[str, Any], pointer: str
) -> Iterator[Finding]:
    before = mapping(old_meta.get("annotations"))
    after = mapping(new_meta.get("annotations"))
    keys = [k for k in before if _guarded(k)] + [
        k for k in after if _guarded(k) and k not in before
    ]
    for key in keys:
        if before.get(key) == after.get(key):
            continue
        if key not in after:
            state, at = f"removed (was {show(before[key])})", join(pointer, "annotations")
        elif key not in before:
            state, at = "added", join(pointer, "annotations", key)
        else:
            state, at = f"changed (was {show(before[key])})", join(pointer, "annotations", key)
        if key not in after and "annotations" not in new_meta:
            at = pointer
        what = "the mirror pod annotation" if key == _MIRROR else "AppArmor annotations"
        yield Finding(
            at,
            f"metadata.annotations[{key}] {state}: {what} may not be added, removed or "
            "changed on a Pod (Forbidden); recreate the Pod",
        )


def _guarded(key: object) -> bool:
    return isinstance(key, str) and (key == _MIRROR or key.startswith(_APPARMOR))
