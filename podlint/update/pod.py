"""Pod updates: what ``ValidatePodUpdate`` lets change, field by field (k8s-validation.md §4.3)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from podlint.model.finding import Finding
from podlint.model.pointer import join
from podlint.model.version import KubeVersion
from podlint.update.common import kind_of, mapping, sequence, what_changed, where
from podlint.update.compare import Change, changes, field_path, normalize, show
from podlint.update.defaults import pod_specs

SCHEDULING_READINESS = KubeVersion(1, 27)
RESIZE_SUBRESOURCE = KubeVersion(1, 33)
_CONTAINER_LISTS = ("containers", "initContainers")
_RECREATE = "delete the Pod and create it again (or run it from a Deployment, which replaces Pods)"
_FORBIDDEN = (
    "pod updates may not change fields other than container images, activeDeadlineSeconds, "
    "tolerations (additions only) and terminationGracePeriodSeconds (Forbidden on spec)"
)


def pod_spec(
    old: dict[str, Any], new: dict[str, Any], version: KubeVersion, base: str = ""
) -> Iterator[Finding]:
    """Findings for a Pod update; one per changed field that the apiserver would refuse."""
    if kind_of(new) != ("", "Pod") or kind_of(old) != ("", "Pod"):
        return
    old_spec = normalize(mapping(old.get("spec")))
    new_spec = normalize(mapping(new.get("spec")))
    pod_specs(old_spec, new_spec, is_pod=True)
    spec = join(base, "spec")

    counts_differ = False
    for list_name in _CONTAINER_LISTS:
        before = len(sequence(old_spec.get(list_name)))
        after = len(sequence(new_spec.get(list_name)))
        if before != after:
            counts_differ = True
            pointer = join(spec, list_name) if list_name in new_spec else spec
            yield Finding(
                pointer,
                f"spec.{list_name}: pod updates may not add or remove containers "
                f"({before} before, {after} now; Forbidden); {_RECREATE}",
            )
    if counts_differ:
        return

    for list_name in _CONTAINER_LISTS:
        for container in (*sequence(old_spec.get(list_name)), *sequence(new_spec.get(list_name))):
            # Before 1.33 the in-place resize gate is off and the apiserver drops the field.
            if version < RESIZE_SUBRESOURCE and isinstance(container, dict):
                container.pop("resizePolicy", None)
        for before, after in zip(
            sequence(old_spec.get(list_name)), sequence(new_spec.get(list_name)), strict=False
        ):
            if isinstance(before, dict) and isinstance(after, dict):
                before.pop("image", None)
                after.pop("image", None)

    yield from _active_deadline(old_spec, new_spec, spec)
    yield from _tolerations(old_spec, new_spec, base)
    gated = False
    if version >= SCHEDULING_READINESS:
        gated = bool(old_spec.get("schedulingGates"))
        yield from _scheduling_gates(old_spec, new_spec, spec)
    else:
        # Before 1.27 the schedulingGates field is dropped by the apiserver (gate off).
        old_spec.pop("schedulingGates", None)
        new_spec.pop("schedulingGates", None)
    grace_old = old_spec.get("terminationGracePeriodSeconds")
    if (
        isinstance(grace_old, int)
        and grace_old < 0
        and new_spec.get("terminationGracePeriodSeconds") == 1
    ):
        new_spec["terminationGracePeriodSeconds"] = grace_old
    if gated:
        yield from _gated_node_selector(old_spec, new_spec, spec)
        yield from _gated_node_affinity(old_spec, new_spec, base)

    for change in changes(normalize(old_spec), normalize(new_spec), spec):
        yield Finding(where(change), _message(change, base, version))


def _message(change: Change, base: str, version: KubeVersion) -> str:
    parts = change.pointer[len(join(base, "spec")) :].split("/")
    if (
        len(parts) > 3
        and parts[1] in _CONTAINER_LISTS
        and parts[3] in ("resources", "resizePolicy")
    ):
        if version >= RESIZE_SUBRESOURCE:
            advice = (
                "change container resources through the resize subresource "
                "(kubectl patch pod NAME --subresource resize ...), or recreate the Pod"
            )
        else:
            advice = (
                f"{_RECREATE}; in-place resize (the resize subresource) is on by default "
                "only from Kubernetes 1.33"
            )
        return f"{what_changed(change, base)}: {_FORBIDDEN}; {advice}"
    if len(parts) > 1 and parts[1] == "ephemeralContainers":
        return (
            f"{what_changed(change, base)}: {_FORBIDDEN}; add ephemeral containers with "
            "kubectl debug (the ephemeralcontainers subresource); existing ones never change"
        )
    return f"{what_changed(change, base)}: {_FORBIDDEN}; {_RECREATE}"


def _active_deadline(old: dict[str, Any], new: dict[str, Any], spec: str) -> Iterator[Finding]:
    before = old.pop("activeDeadlineSeconds", None)
    after = new.pop("activeDeadlineSeconds", None)
    if not isinstance(before, int) or isinstance(before, bool):
        return
    if after is None:
        yield Finding(
            spec,
            f"spec.activeDeadlineSeconds removed (was {before}): must not update from a "
            "positive integer to nil value (Invalid); keep it, or lower it",
        )
    elif isinstance(after, int) and after > before:
        yield Finding(
            join(spec, "activeDeadlineSeconds"),
            f"spec.activeDeadlineSeconds raised to {after} (was {before}): must be less than "
            "or equal to previous value (Invalid); it may only be set or lowered",
        )


def _strip_seconds(toleration: Any) -> Any:
    if isinstance(toleration, dict):
        return {k: v for k, v in toleration.items() if k != "tolerationSeconds"}
    return toleration


def _tolerations(old: dict[str, Any], new: dict[str, Any], base: str) -> Iterator[Finding]:
    spec = join(base, "spec")
    before = sequence(old.pop("tolerations", None))
    after = sequence(new.pop("tolerations", None))
    remaining = [_strip_seconds(t) for t in after]
    pointer = join(spec, "tolerations")
    for index, toleration in enumerate(before):
        stripped = _strip_seconds(toleration)
        if stripped in remaining:
            remaining.remove(stripped)
            continue
        found: list[Change] = []
        if index < len(after):
            found = list(changes(stripped, _strip_seconds(after[index]), join(pointer, index)))
        if found:
            detail, at = what_changed(found[0], base), where(found[0])
        else:
            detail = f"spec.tolerations[{index}] removed (was {show(toleration)})"
            at = pointer if after else spec
        yield Finding(
            at,
            f"{detail}: existing toleration can not be modified except its tolerationSeconds "
            "(Forbidden on spec.tolerations); only add tolerations to a running Pod",
        )


def _scheduling_gates(old: dict[str, Any], new: dict[str, Any], spec: str) -> Iterator[Finding]:
    before = sequence(old.pop("schedulingGates", None))
    after = sequence(new.pop("schedulingGates", None))
    names = [gate.get("name") for gate in before if isinstance(gate, dict)]
    for index, gate in enumerate(after):
        name = gate.get("name") if isinstance(gate, dict) else None
        if name not in names:
            yield Finding(
                join(spec, "schedulingGates", index, "name"),
                f"spec.schedulingGates[{index}].name: only deletion is allowed, but found new "
                f"scheduling gate '{name}' (Forbidden); gates can only be removed from a Pod",
            )


def _gated_node_selector(old: dict[str, Any], new: dict[str, Any], spec: str) -> Iterator[Finding]:
    before = mapping(old.pop("nodeSelector", None))
    after = mapping(new.pop("nodeSelector", None))
    for key, value in before.items():
        if after.get(key) == value:
            continue
        if key in after:
            pointer, state = join(spec, "nodeSelector", key), "changed"
        else:
            pointer, state = (join(spec, "nodeSelector") if after else spec), "removed"
        yield Finding(
            pointer,
            f"spec.nodeSelector[{key}] {state} (was {show(value)}): only additions to "
            "spec.nodeSelector are allowed (no mutations or deletions) while the Pod is gated "
            "(Invalid)",
        )


def _gated_node_affinity(old: dict[str, Any], new: dict[str, Any], base: str) -> Iterator[Finding]:
    spec = join(base, "spec")
    path = ("affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution")
    before = _dig(old, path)
    after = _dig(new, path)
    terms_pointer = join(spec, *path, "nodeSelectorTerms")
    old_terms = sequence(mapping(before).get("nodeSelectorTerms"))
    new_terms = sequence(mapping(after).get("nodeSelectorTerms"))
    if old_terms:
        if len(old_terms) != len(new_terms):
            yield Finding(
                terms_pointer if new_terms else spec,
                f"{field_path(terms_pointer, base)}: no additions/deletions "
                f"to non-empty NodeSelectorTerms list are allowed ({len(old_terms)} terms "
                f"before, {len(new_terms)} now; Invalid)",
            )
        else:
            for index, (a, b) in enumerate(zip(old_terms, new_terms, strict=False)):
                if not _term_extends(mapping(a), mapping(b)):
                    term = join(terms_pointer, index)
                    yield Finding(
                        term,
                        f"{field_path(term, base)}: only additions are allowed "
                        f"(no mutations or deletions) while the Pod is gated (was {show(a)})",
                    )
    # Checked above; the rest of the affinity is compared as usual.
    _put(old, path, after)


def _term_extends(before: dict[str, Any], after: dict[str, Any]) -> bool:
    if not before:
        return not after
    for key in ("matchExpressions", "matchFields"):
        old_items = sequence(before.get(key))
        new_items = sequence(after.get(key))
        if new_items[: len(old_items)] != old_items:
            return False
    return True


def _dig(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = data
    for part in path:
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _put(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = data
    for part in path[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            if value is None:
                return
            child = {}
            node[part] = child
        node = child
    if value is None:
        node.pop(path[-1], None)
    else:
        node[path[-1]] = copy.deepcopy(value)
