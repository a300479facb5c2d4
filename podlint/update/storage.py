"""PersistentVolumeClaim and PersistentVolume updates (``ValidatePersistentVolumeClaimUpdate``,
``ValidatePersistentVolumeUpdate``).

A claim's spec never changes, bound or not, except: ``volumeName`` may be set once,
``storageClassName`` may be set where it was unset, and on a **bound** claim
``resources.requests.storage`` may grow and ``volumeAttributesClassName`` may change. A
manifest rarely says whether the claim is bound: these two are judged only when the previous
version carries ``status.phase`` (an object read back from a cluster); otherwise a growing
request is taken for the resize of a bound claim, which is what it nearly always is.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from podlint.model.finding import Finding
from podlint.model.pointer import join
from podlint.model.version import KubeVersion
from podlint.update.common import kind_of, mapping, what_changed, where
from podlint.update.compare import Change, Quantity, changes, normalize, show
from podlint.update.defaults import fill

_CLAIM = ("", "PersistentVolumeClaim")
_VOLUME = ("", "PersistentVolume")
_CLAIM_FORBIDDEN = (
    "spec is immutable after creation except resources.requests and "
    "volumeAttributesClassName for bound claims (Forbidden on spec)"
)
_CLAIM_ADVICE = (
    "create a claim under a new name (and copy the data), or delete the claim and create it "
    "again (its volume may go with it, as its reclaim policy says)"
)
# The volume sources of a PersistentVolume (``PersistentVolumeSource``): one of them is set.
_SOURCES = frozenset(
    {
        "gcePersistentDisk",
        "awsElasticBlockStore",
        "hostPath",
        "glusterfs",
        "nfs",
        "rbd",
        "iscsi",
        "cinder",
        "cephfs",
        "fc",
        "flocker",
        "flexVolume",
        "azureFile",
        "vsphereVolume",
        "quobyte",
        "azureDisk",
        "photonPersistentDisk",
        "portworxVolume",
        "scaleIO",
        "local",
        "storageos",
        "csi",
    }
)
_BETA_TOPOLOGY = ("failure-domain.beta.kubernetes.io/", "beta.kubernetes.io/")


def _storage(spec: dict[str, Any]) -> Quantity | None:
    value = mapping(mapping(spec.get("resources")).get("requests")).get("storage")
    return value if isinstance(value, Quantity) else None


def _data_sources(spec: dict[str, Any]) -> None:
    """The apiserver copies ``dataSource`` into an unset ``dataSourceRef`` and back (when
    the reference names no namespace), so either one written means both."""
    source, reference = spec.get("dataSource"), spec.get("dataSourceRef")
    if isinstance(source, dict) and reference is None:
        spec["dataSourceRef"] = dict(source)
    elif isinstance(reference, dict) and source is None and "namespace" not in reference:
        spec["dataSource"] = dict(reference)


def _drop_storage(spec: dict[str, Any]) -> None:
    requests = mapping(mapping(spec.get("resources")).get("requests"))
    requests.pop("storage", None)


def _phase(obj: dict[str, Any]) -> str | None:
    phase = mapping(obj.get("status")).get("phase")
    return phase if isinstance(phase, str) and phase else None


def claim_spec(
    old: dict[str, Any], new: dict[str, Any], version: KubeVersion, base: str = ""
) -> Iterator[Finding]:
    if kind_of(new) != _CLAIM or kind_of(old) != _CLAIM:
        return
    old_spec = normalize(mapping(old.get("spec")))
    new_spec = normalize(mapping(new.get("spec")))
    fill(old_spec, new_spec, {"volumeMode": "Filesystem"})
    _data_sources(old_spec)
    _data_sources(new_spec)
    if "dataSource" not in new_spec and "dataSourceRef" not in new_spec:
        # An apply that drops the one written keeps the copy the apiserver made, which
        # brings the other back.
        for key in ("dataSource", "dataSourceRef"):
            if key in old_spec:
                new_spec[key] = old_spec[key]
    spec = join(base, "spec")
    phase = _phase(old)
    bound_only = f"may change only on a bound claim, and this one is {phase}"

    before, after = _storage(old_spec), _storage(new_spec)
    pointer = join(spec, "resources", "requests", "storage")
    if before is not None and after is not None and after != before:
        if after.value < before.value:
            yield Finding(
                pointer,
                f"spec.resources.requests.storage lowered to {show(after)} (was "
                f"{show(before)}): field can not be less than previous value (Forbidden); a "
                "volume never shrinks: keep the size, or copy the data to a smaller new claim",
            )
        elif phase is not None and phase != "Bound":
            yield Finding(
                pointer,
                f"spec.resources.requests.storage raised to {show(after)} (was "
                f"{show(before)}): {bound_only}: {_CLAIM_FORBIDDEN}; apply the new size once "
                "the claim is bound",
            )
    if before is not None and after is not None:
        _drop_storage(old_spec)
        _drop_storage(new_spec)

    key = "volumeAttributesClassName"
    if old_spec.get(key) != new_spec.get(key):
        at = join(spec, key) if key in new_spec else spec
        change = Change(at, old_spec.get(key), new_spec.get(key), at)
        if key in old_spec and key not in new_spec:
            yield Finding(
                at,
                f"{what_changed(change, base)}: update from non-nil value to nil is forbidden "
                f"(Forbidden on spec.{key}); name another class instead",
            )
        elif phase is not None and phase != "Bound":
            yield Finding(at, f"{what_changed(change, base)}: {bound_only}: {_CLAIM_FORBIDDEN}")
    old_spec.pop(key, None)
    new_spec.pop(key, None)

    # Set by the volume controller when it binds the claim; may be set once by hand too.
    if "volumeName" not in old_spec and "volumeName" in new_spec:
        old_spec["volumeName"] = new_spec["volumeName"]
    if "storageClassName" not in old_spec and "storageClassName" in new_spec:
        old_spec["storageClassName"] = new_spec["storageClassName"]

    for change in changes(old_spec, new_spec, spec):
        said = _CLAIM_FORBIDDEN
        if change.pointer == join(spec, "volumeMode"):
            said = "field is immutable (Invalid on volumeMode); " + said
        yield Finding(where(change), f"{what_changed(change, base)}: {said}; {_CLAIM_ADVICE}")


def _source_value(value: Any) -> Any:
    """Go's zero values (false, "") are the same as unset inside a volume source."""
    if isinstance(value, dict):
        result = {k: _source_value(v) for k, v in value.items()}
        return {k: v for k, v in result.items() if v not in (False, "", None, {}, [])}
    if isinstance(value, list):
        return [_source_value(item) for item in value]
    return value


def _mentions_beta_topology(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_mentions_beta_topology(item) for item in value.values())
    if isinstance(value, list):
        return any(_mentions_beta_topology(item) for item in value)
    return isinstance(value, str) and value.startswith(_BETA_TOPOLOGY)


def volume_spec(
    old: dict[str, Any], new: dict[str, Any], version: KubeVersion, base: str = ""
) -> Iterator[Finding]:
    if kind_of(new) != _VOLUME or kind_of(old) != _VOLUME:
        return
    old_spec = normalize(mapping(old.get("spec")))
    new_spec = normalize(mapping(new.get("spec")))
    spec = join(base, "spec")
    advice = (
        "a volume's source and mode never change: create a PersistentVolume under a new name "
        "and bind the claim to it"
    )
    old_source = {k: _source_value(v) for k, v in old_spec.items() if k in _SOURCES}
    new_source = {k: _source_value(v) for k, v in new_spec.items() if k in _SOURCES}
    csi_old, csi_new = mapping(old_source.get("csi")), mapping(new_source.get("csi"))
    if "controllerExpandSecretRef" not in csi_old and "controllerExpandSecretRef" in csi_new:
        csi_new = copy.deepcopy(csi_new)
        csi_new.pop("controllerExpandSecretRef")
        new_source["csi"] = csi_new
    for change in changes(old_source, new_source, spec):
        yield Finding(
            where(change),
            f"{what_changed(change, base)}: spec.persistentvolumesource is immutable after "
            f"creation (Forbidden); {advice}",
        )
    before = old_spec.get("volumeMode", "Filesystem")
    after = new_spec.get("volumeMode", "Filesystem")
    if before != after:
        at = join(spec, "volumeMode") if "volumeMode" in new_spec else spec
        yield Finding(
            at,
            f"spec.volumeMode changed to {show(after)} (was {show(before)}): field is "
            f"immutable (Invalid on volumeMode); {advice}",
        )
    affinity_before, affinity_after = old_spec.get("nodeAffinity"), new_spec.get("nodeAffinity")
    if (
        affinity_before is not None
        and affinity_before != affinity_after
        and not _mentions_beta_topology(affinity_before)
    ):
        pointer = join(spec, "nodeAffinity")
        found = list(changes(affinity_before, affinity_after, pointer))
        if affinity_after is not None and found:
            change = found[0]
        else:
            change = Change(pointer, affinity_before, None, spec)
        yield Finding(
            where(change),
            f"{what_changed(change, base)}: field is immutable, except for updating from beta "
            f"label to GA (Invalid on nodeAffinity); {advice}",
        )
    key = "volumeAttributesClassName"
    if key in old_spec and key not in new_spec:
        yield Finding(
            spec,
            f"spec.{key} removed (was {show(old_spec[key])}): update from non-nil value to nil "
            f"is forbidden (Forbidden on spec.{key}); name another class instead",
        )
