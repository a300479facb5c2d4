"""What the apiserver refuses in volumes, volumeMounts and volumeDevices."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from podlint.checks._api import (
    V1_31,
    V1_34,
    items,
    mapping,
    not_a_quantity,
    quantity_problem,
    quote,
    validated,
)
from podlint.k8s import formats
from podlint.model.finding import Finding
from podlint.model.pointer import join
from podlint.model.views import ContainerType, PodSpecView
from podlint.rule import RuleContext

# The apiserver's order: every source after the first one found is the one refused.
SOURCES = (
    "emptyDir", "hostPath", "gitRepo", "gcePersistentDisk", "awsElasticBlockStore", "secret",
    "nfs", "iscsi", "glusterfs", "flocker", "persistentVolumeClaim", "rbd", "cinder", "cephfs",
    "quobyte", "downwardAPI", "fc", "flexVolume", "configMap", "azureFile", "vsphereVolume",
    "photonPersistentDisk", "portworxVolume", "azureDisk", "storageos", "projected", "scaleIO",
    "csi", "ephemeral", "image",
)  # fmt: skip
_SOURCE_ORDER = {source: index for index, source in enumerate(SOURCES)}
HOST_PATH_TYPES = (
    "", "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice",
    "BlockDevice",
)  # fmt: skip
PROPAGATIONS = ("None", "HostToContainer", "Bidirectional")
RECURSIVE_READ_ONLY = ("Disabled", "IfPossible", "Enabled")


def volumes(pod: PodSpecView, ctx: RuleContext) -> Iterator[Finding]:
    """Volume names and sources, then every container's volumeMounts and volumeDevices."""
    if not validated(pod, ctx):
        return
    known: dict[str, dict[str, Any]] = {}
    for index, volume in items(pod.get("volumes")):
        at = pod.at("volumes", index)
        name = volume.get("name")
        if name == "":
            yield Finding(join(at, "name"), "volume name is required")
        elif isinstance(name, str):
            for problem in formats.dns1123_label(name):
                yield Finding(join(at, "name"), f'volume name "{name}" {problem}')
            if name in known:
                yield Finding(
                    join(at, "name"), f'volume name "{name}" is used twice (Duplicate value)'
                )
            known.setdefault(name, volume)
        # The sources set, in the order of SOURCES (a volume has few keys; SOURCES has many).
        present = [s for s in volume if s in _SOURCE_ORDER and volume[s] is not None]
        if len(present) > 1:
            present.sort(key=_SOURCE_ORDER.__getitem__)
        for extra in present[1:]:
            yield Finding(
                join(at, extra),
                f'volume "{name}": may not specify more than 1 volume type '
                f"(already has {present[0]})",
            )
        if present:
            yield from _source(
                str(name), present[0], mapping(volume.get(present[0])), join(at, present[0])
            )
    yield from _generated_claims(pod)
    # StatefulSets add one claim-backed volume per volumeClaimTemplate before validating.
    if pod.object.kind == "StatefulSet" and ctx.kubernetes_version >= V1_34:
        templates = pod.object.data.get("spec", {}).get("volumeClaimTemplates")
        for _, claim in items(templates):
            claim_name = mapping(claim.get("metadata")).get("name")
            if isinstance(claim_name, str):
                known.setdefault(claim_name, {"persistentVolumeClaim": {"claimName": claim_name}})
    for c in pod.containers():
        mount_paths: dict[str, int] = {}
        device_names: set[str] = set()
        device_paths: set[str] = set()
        for index, device in items(c.get("volumeDevices")):
            at = c.at("volumeDevices", index)
            name, path = device.get("name"), device.get("devicePath")
            if isinstance(name, str) and name:
                if name in device_names:
                    yield Finding(
                        join(at, "name"), f'{c.label}: volumeDevice "{name}" must be unique'
                    )
                device_names.add(name)
                target = known.get(name)
                if target is None:
                    yield Finding(
                        join(at, "name"),
                        f'{c.label}: volumeDevice "{name}": no volume with that name (Not found)',
                    )
                elif (
                    target.get("persistentVolumeClaim") is None and target.get("ephemeral") is None
                ):
                    yield Finding(
                        join(at, "name"),
                        f'{c.label}: volumeDevice "{name}" can only use a persistentVolumeClaim '
                        "or ephemeral volume (block mode)",
                    )
            if isinstance(path, str) and path:
                if path in device_paths:
                    yield Finding(
                        join(at, "devicePath"), f'{c.label}: devicePath "{path}" must be unique'
                    )
                device_paths.add(path)
        for index, mount in items(c.get("volumeMounts")):
            at = c.at("volumeMounts", index)
            name, path = mount.get("name"), mount.get("mountPath")
            if name == "":
                yield Finding(join(at, "name"), f"{c.label}: volumeMount name is required")
            elif isinstance(name, str):
                if name not in known:
                    yield Finding(
                        join(at, "name"),
                        f'{c.label}: volumeMount "{name}" names no volume of the pod (Not found)',
                    )
                if name in device_names:
                    yield Finding(
                        join(at, "name"),
                        f'{c.label}: volumeMount "{name}" must not already exist in volumeDevices',
                    )
            if path == "":
                yield Finding(
                    join(at, "mountPath"), f"{c.label}: volumeMount mountPath is required"
                )
            elif isinstance(path, str):
                if path in mount_paths:
                    yield Finding(
                        join(at, "mountPath"),
                        f'{c.label}: mountPath "{path}" must be unique (already used by '
                        f"volumeMounts[{mount_paths[path]}])",
                    )
                else:
                    mount_paths[path] = index
                if path in device_paths:
                    yield Finding(
                        join(at, "mountPath"),
                        f'{c.label}: mountPath "{path}" must not already exist as a path in '
                        f"volumeDevices",
                    )
            yield from _mount_options(
                c.label, mount, at, c.type is ContainerType.EPHEMERAL, c.data, ctx
            )


def _mount_options(
    label: str,
    mount: dict[str, Any],
    at: str,
    ephemeral: bool,
    container: dict[str, Any],
    ctx: RuleContext,
) -> Iterator[Finding]:
    sub_path, sub_expr = mount.get("subPath"), mount.get("subPathExpr")
    for field, value in (("subPath", sub_path), ("subPathExpr", sub_expr)):
        if not isinstance(value, str) or not value:
            continue
        if ephemeral:
            yield Finding(
                join(at, field), f"{label}: {field} cannot be set for an ephemeral container"
            )
            continue
        for problem in formats.local_path(value):
            yield Finding(join(at, field), f'{label}: {field} "{value}" {problem}')
    if isinstance(sub_path, str) and sub_path and isinstance(sub_expr, str) and sub_expr:
        yield Finding(
            join(at, "subPathExpr"), f"{label}: subPathExpr and subPath are mutually exclusive"
        )
    propagation = mount.get("mountPropagation")
    if isinstance(propagation, str) and propagation:
        if propagation not in PROPAGATIONS:
            yield Finding(
                join(at, "mountPropagation"),
                f'{label}: mountPropagation "{propagation}" is not supported; supported values: '
                f"{quote(PROPAGATIONS)}",
            )
        elif (
            propagation == "Bidirectional"
            and mapping(container.get("securityContext")).get("privileged") is not True
        ):
            yield Finding(
                join(at, "mountPropagation"),
                f"{label}: Bidirectional mount propagation is available only to privileged "
                f"containers",
            )
    recursive = mount.get("recursiveReadOnly")
    # RecursiveReadOnlyMounts is on by default from 1.31; before, the field is dropped.
    if isinstance(recursive, str) and recursive and ctx.kubernetes_version >= V1_31:
        if recursive not in RECURSIVE_READ_ONLY:
            yield Finding(
                join(at, "recursiveReadOnly"),
                f'{label}: recursiveReadOnly "{recursive}" is not supported; supported values: '
                f"{quote(RECURSIVE_READ_ONLY)}",
            )
        elif recursive != "Disabled" and mount.get("readOnly") is not True:
            yield Finding(
                join(at, "recursiveReadOnly"),
                f'{label}: recursiveReadOnly "{recursive}" may only be specified when '
                f"readOnly is true",
            )
        elif recursive != "Disabled" and propagation not in (None, "", "None"):
            yield Finding(
                join(at, "recursiveReadOnly"),
                f'{label}: recursiveReadOnly "{recursive}" may only be specified when '
                "mountPropagation is None or not specified",
            )


def _mode(name: str, source: str, value: Any, at: str) -> Iterator[Finding]:
    if formats.is_int(value) and not 0 <= value <= 0o777:
        yield Finding(
            at,
            f'volume "{name}": {source} mode {value} must be a number between 0 and 0777 '
            "(octal), both inclusive",
        )


def _source(name: str, source: str, spec: dict[str, Any], at: str) -> Iterator[Finding]:
    if source == "hostPath":
        path = spec.get("path")
        if path == "":
            yield Finding(join(at, "path"), f'volume "{name}": hostPath.path is required')
        elif isinstance(path, str) and ".." in path.replace("\\", "/").split("/"):
            yield Finding(
                join(at, "path"), f'volume "{name}": hostPath.path "{path}" must not contain \'..\''
            )
        kind = spec.get("type")
        if isinstance(kind, str) and kind not in HOST_PATH_TYPES:
            yield Finding(
                join(at, "type"),
                f'volume "{name}": hostPath.type "{kind}" is not supported; supported values: '
                f"{quote(HOST_PATH_TYPES[1:])}",
            )
    elif source in ("secret", "configMap", "downwardAPI", "projected"):
        yield from _mode(
            name, f"{source}.defaultMode", spec.get("defaultMode"), join(at, "defaultMode")
        )
        if source == "secret" and spec.get("secretName") in (None, ""):
            yield Finding(join(at, "secretName"), f'volume "{name}": secret.secretName is required')
        if source == "configMap" and spec.get("name") in (None, ""):
            yield Finding(join(at, "name"), f'volume "{name}": configMap.name is required')
        if source == "downwardAPI":
            for index, item in items(spec.get("items")):
                yield from _downward_item(name, item, join(at, "items", index))
        if source == "projected":
            yield from _projected(name, spec, at)
        for index, item in items(spec.get("items")):
            item_at = join(at, "items", index)
            if source in ("configMap", "secret") and item.get("key") in (None, ""):
                yield Finding(
                    join(item_at, "key"),
                    f'volume "{name}": {source}.items[{index}].key is required',
                )
            yield from _mode(
                name, f"{source}.items[{index}]", item.get("mode"), join(item_at, "mode")
            )
            path = item.get("path")
            if path == "":
                yield Finding(
                    join(item_at, "path"),
                    f'volume "{name}": {source}.items[{index}].path is required',
                )
            elif isinstance(path, str):
                for problem in formats.local_path(path, reserved=True):
                    yield Finding(
                        join(item_at, "path"), f'volume "{name}": path "{path}" {problem}'
                    )
    elif source == "persistentVolumeClaim":
        if spec.get("claimName") in (None, ""):
            yield Finding(
                join(at, "claimName"),
                f'volume "{name}": persistentVolumeClaim.claimName is required',
            )
    elif source == "nfs":
        path = spec.get("path")
        if isinstance(path, str) and path and not path.startswith("/"):
            yield Finding(
                join(at, "path"), f'volume "{name}": nfs.path "{path}" must be an absolute path'
            )
    elif source == "ephemeral":
        template = spec.get("volumeClaimTemplate")
        if template is None:
            yield Finding(
                join(at, "volumeClaimTemplate"),
                f'volume "{name}": ephemeral.volumeClaimTemplate is required',
            )
        elif isinstance(template, dict):
            yield from claim_spec(
                template.get("spec"),
                join(at, "volumeClaimTemplate", "spec"),
                f'volume "{name}" claim template',
            )
    elif source == "emptyDir":
        from podlint.k8s.quantity import parse_quantity

        if not_a_quantity(spec.get("sizeLimit")):
            yield Finding(
                join(at, "sizeLimit"),
                quantity_problem(f'volume "{name}": emptyDir.sizeLimit', spec["sizeLimit"]),
            )
        limit = parse_quantity(spec.get("sizeLimit")) if spec.get("sizeLimit") is not None else None
        if limit is not None and limit < 0:
            yield Finding(
                join(at, "sizeLimit"), f'volume "{name}": emptyDir.sizeLimit must not be negative'
            )


def _generated_claims(pod: PodSpecView) -> Iterator[Finding]:
    """A Pod's claim may not name the PVC that one of its own ephemeral volumes creates."""
    pod_name = pod.object.name
    if pod.is_template or not pod_name:
        return
    generated = {
        f"{pod_name}-{volume.get('name')}"
        for _, volume in items(pod.get("volumes"))
        if volume.get("ephemeral") is not None
    }
    for index, volume in items(pod.get("volumes")):
        claim = mapping(volume.get("persistentVolumeClaim")).get("claimName")
        if isinstance(claim, str) and claim in generated:
            yield Finding(
                pod.at("volumes", index, "persistentVolumeClaim", "claimName"),
                f'volume "{volume.get("name")}": claimName "{claim}" must not reference a PVC '
                "that gets created for an ephemeral volume",
            )


VOLUME_FIELD_PATHS = (
    "metadata.name",
    "metadata.namespace",
    "metadata.labels",
    "metadata.annotations",
    "metadata.uid",
)
PROJECTIONS = (
    "secret", "configMap", "downwardAPI", "serviceAccountToken", "clusterTrustBundle",
    "podCertificate",
)  # fmt: skip
TOKEN_MIN_SECONDS = 600
TOKEN_MAX_SECONDS = 2**32


def _downward_item(name: str, item: dict[str, Any], at: str) -> Iterator[Finding]:
    refs = [k for k in ("fieldRef", "resourceFieldRef") if item.get(k) is not None]
    if len(refs) != 1:
        yield Finding(
            at,
            f'volume "{name}": a downwardAPI item needs exactly one of fieldRef or '
            f"resourceFieldRef (has {len(refs)})",
        )
        return
    ref = mapping(item.get(refs[0]))
    if refs[0] == "fieldRef":
        path = ref.get("fieldPath")
        if isinstance(path, str) and not _volume_field_path_ok(path):
            yield Finding(
                join(at, "fieldRef", "fieldPath"),
                f'volume "{name}": downwardAPI fieldPath "{path}" is not supported; supported '
                f"values: {quote(VOLUME_FIELD_PATHS)} and labels['<key>'], annotations['<key>']",
            )
    else:
        if ref.get("containerName") in (None, ""):
            yield Finding(
                join(at, "resourceFieldRef", "containerName"),
                f'volume "{name}": downwardAPI resourceFieldRef.containerName is required',
            )
        resource = ref.get("resource")
        if resource in (None, ""):
            yield Finding(
                join(at, "resourceFieldRef", "resource"),
                f'volume "{name}": downwardAPI resourceFieldRef.resource is required',
            )
        elif isinstance(resource, str) and not (
            resource in VOLUME_RESOURCE_FIELDS
            or resource.startswith(("limits.hugepages-", "requests.hugepages-"))
        ):
            yield Finding(
                join(at, "resourceFieldRef", "resource"),
                f'volume "{name}": downwardAPI resourceFieldRef.resource "{resource}" is not '
                f"supported; supported values: {quote(VOLUME_RESOURCE_FIELDS)}",
            )
        if not_a_quantity(ref.get("divisor")):
            yield Finding(
                join(at, "resourceFieldRef", "divisor"),
                quantity_problem(f'volume "{name}": divisor', ref["divisor"]),
            )


VOLUME_RESOURCE_FIELDS = tuple(
    f"{section}.{resource}"
    for section in ("limits", "requests")
    for resource in ("cpu", "ephemeral-storage", "memory")
)


def _volume_field_path_ok(path: str) -> bool:
    if path in VOLUME_FIELD_PATHS:
        return True
    for prefix in ("metadata.labels['", "metadata.annotations['"):
        if path.startswith(prefix) and path.endswith("']"):
            return not formats.qualified_name(path[len(prefix) : -2])
    return False


def _projected_items(
    name: str, kind: str, projection: dict[str, Any], at: str
) -> Iterator[Finding]:
    """A projected secret or configMap: its name, and each item's key and local path."""
    if projection.get("name") in (None, ""):
        yield Finding(join(at, "name"), f'volume "{name}": projected {kind}.name is required')
    for index, item in items(projection.get("items")):
        item_at = join(at, "items", index)
        if item.get("key") in (None, ""):
            yield Finding(
                join(item_at, "key"), f'volume "{name}": projected {kind} key is required'
            )
        path = item.get("path")
        if path in (None, ""):
            yield Finding(
                join(item_at, "path"), f'volume "{name}": projected {kind} path is required'
            )
        elif isinstance(path, str):
            for problem in formats.local_path(path, reserved=True):
                yield Finding(join(item_at, "path"), f'volume "{name}": path "{path}" {problem}')


def _projected(name: str, spec: dict[str, Any], at: str) -> Iterator[Finding]:
    paths: set[str] = set()
    duplicates: list[str] = []
    for index, source in items(spec.get("sources")):
        s_at = join(at, "sources", index)
        present = [p for p in PROJECTIONS if source.get(p) is not None]
        for extra in present[1:]:
            yield Finding(
                join(s_at, extra),
                f'volume "{name}": a projected source may not specify more than 1 volume type '
                f"(already has {present[0]})",
            )
        outputs: list[Any] = []
        for kind in ("secret", "configMap", "downwardAPI"):
            for _, item in items(mapping(source.get(kind)).get("items")):
                outputs.append(item.get("path"))
        for kind in ("secret", "configMap"):
            projection = source.get(kind)
            if isinstance(projection, dict):
                yield from _projected_items(name, kind, projection, join(s_at, kind))
        token = source.get("serviceAccountToken")
        if isinstance(token, dict):
            path = token.get("path")
            if path in (None, ""):
                yield Finding(
                    join(s_at, "serviceAccountToken", "path"),
                    f'volume "{name}": serviceAccountToken.path is required',
                )
            elif isinstance(path, str):
                for problem in formats.local_path(path, reserved=True):
                    yield Finding(
                        join(s_at, "serviceAccountToken", "path"),
                        f'volume "{name}": serviceAccountToken path "{path}" {problem}',
                    )
            # A token's path is not among those checked for conflicts.
            seconds = token.get("expirationSeconds")
            if formats.is_int(seconds) and not TOKEN_MIN_SECONDS <= seconds <= TOKEN_MAX_SECONDS:
                yield Finding(
                    join(s_at, "serviceAccountToken", "expirationSeconds"),
                    f'volume "{name}": serviceAccountToken.expirationSeconds {seconds} must be '
                    f"at least {TOKEN_MIN_SECONDS} (10 minutes) and at most 2^32",
                )
        for path in outputs:
            if isinstance(path, str) and path:
                if path in paths:
                    duplicates.append(path)
                paths.add(path)
    if duplicates:
        yield Finding(
            at,
            f'volume "{name}": projected sources write the same path twice: '
            f"{quote(sorted(set(duplicates)))} (conflicting duplicate paths)",
        )


VOLUME_MODES = ("Block", "Filesystem")
ACCESS_MODES = ("ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod")


def claim_spec(spec: Any, at: str, where: str) -> Iterator[Finding]:
    """A PersistentVolumeClaim spec: access modes and a positive storage request."""
    from podlint.k8s.quantity import parse_quantity

    if not isinstance(spec, dict):
        return
    modes = spec.get("accessModes")
    if not modes:
        yield Finding(join(at, "accessModes"), f"{where}: at least 1 access mode is required")
    elif isinstance(modes, list):
        for index, mode in enumerate(modes):
            mode = "" if mode is None else mode  # decoded as the empty string
            if isinstance(mode, str) and mode not in ACCESS_MODES:
                yield Finding(
                    join(at, "accessModes", index),
                    f'{where}: access mode "{mode}" is not supported; supported values: '
                    f"{quote(ACCESS_MODES)}",
                )
    for section in ("requests", "limits"):
        for resource, value in mapping(mapping(spec.get("resources")).get(section)).items():
            if not_a_quantity(value):
                yield Finding(
                    join(at, "resources", section, resource),
                    quantity_problem(f"{where}: resources.{section}.{resource}", value),
                )
    if isinstance(modes, list) and "ReadWriteOncePod" in modes and len(modes) > 1:
        yield Finding(
            join(at, "accessModes"),
            f"{where}: ReadWriteOncePod may not be used with other access modes",
        )
    volume_mode = spec.get("volumeMode")
    if isinstance(volume_mode, str) and volume_mode not in VOLUME_MODES:
        yield Finding(
            join(at, "volumeMode"),
            f'{where}: volumeMode "{volume_mode}" is not supported; supported values: '
            f"{quote(VOLUME_MODES)}",
        )
    requests = mapping(mapping(spec.get("resources")).get("requests"))
    if "storage" not in requests:
        yield Finding(
            join(at, "resources", "requests"),
            f"{where}: resources.requests.storage is required",
        )
    else:
        value = requests["storage"]
        storage = 0 if value is None else parse_quantity(value)  # null decodes as zero
        if storage is not None and storage <= 0:
            yield Finding(
                join(at, "resources", "requests", "storage"),
                f"{where}: resources.requests.storage must be greater than zero",
            )
