"""What the apiserver refuses in PersistentVolumes and PersistentVolumeClaims (quantities it
cannot decode: the whole request is refused before validation) and in StorageClasses."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import Any

from podlint.checks._api import items, listed, mapping, not_a_quantity, quantity_problem
from podlint.checks._objects import (
    invalid,
    required,
    requirement_operator,
    selector,
    unsupported,
)
from podlint.checks.api_volumes import HOST_PATH_TYPES
from podlint.k8s import formats
from podlint.k8s.quantity import parse_quantity
from podlint.model.finding import Finding
from podlint.model.pointer import join
from podlint.model.views import ObjectView
from podlint.rule import RuleContext

ACCESS_MODES = ("ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod")
VOLUME_MODES = ("Block", "Filesystem")
PV_RECLAIM_POLICIES = ("Delete", "Recycle", "Retain")


def storage_quantities(obj: ObjectView, ctx: RuleContext) -> Iterator[Finding]:
    """PV spec.capacity, PVC spec.resources.requests and limits: every value a quantity; and
    the spec fields beside them."""
    spec = mapping(obj.data.get("spec"))
    if obj.api_version == "v1":
        yield from _volume_spec(obj, spec)
    places: list[tuple[tuple[str, ...], Any]]
    if obj.kind == "PersistentVolume":
        places = [(("spec", "capacity"), spec.get("capacity"))]
    else:
        resources = mapping(spec.get("resources"))
        places = [
            (("spec", "resources", field), resources.get(field)) for field in ("requests", "limits")
        ]
    for parts, values in places:
        for name, value in mapping(values).items():
            if not_a_quantity(value):
                where = ".".join(parts) + f"[{name}]"
                yield Finding(obj.at(*parts, str(name)), quantity_problem(where, value))


def _volume_spec(obj: ObjectView, spec: dict[str, Any]) -> Iterator[Finding]:
    """Access modes, volume mode, storage class, and what each kind requires."""
    claim = obj.kind == "PersistentVolumeClaim"
    modes = listed(spec.get("accessModes"))
    at = obj.at("spec", "accessModes")
    if not modes:
        detail = ": at least 1 access mode is required" if claim else ""
        yield Finding(at, f"spec.accessModes: Required value{detail}")
    for index, mode in enumerate(modes):
        mode = "" if mode is None else mode  # decoded as the empty string
        if isinstance(mode, str) and mode not in ACCESS_MODES:
            yield unsupported(join(at, index), "spec.accessModes", mode, ACCESS_MODES)
    if "ReadWriteOncePod" in modes and len(modes) > 1:
        yield Finding(
            at, "spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes"
        )
    mode = spec.get("volumeMode")
    if isinstance(mode, str) and mode not in VOLUME_MODES:
        yield unsupported(obj.at("spec", "volumeMode"), "spec.volumeMode", mode, VOLUME_MODES)
    for field in ("storageClassName", "volumeAttributesClassName"):
        name = spec.get(field)
        if isinstance(name, str) and name:
            for problem in formats.dns1123_subdomain(name):
                yield invalid(obj.at("spec", field), f"spec.{field}", name, problem)
    if claim:
        yield from _data_sources(obj, spec)
        requests = mapping(mapping(spec.get("resources")).get("requests"))
        if "storage" in requests:
            yield from _positive(
                requests["storage"],
                obj.at("spec", "resources", "requests", "storage"),
                "spec.resources[storage]",
            )
        else:
            yield required(
                obj.at("spec", "resources", "requests", "storage"), "spec.resources[storage]"
            )
        yield from selector(spec.get("selector"), obj.at("spec", "selector"), "spec.selector")
        return
    policy = spec.get("persistentVolumeReclaimPolicy")
    # An empty policy is defaulted (to Retain) before validation.
    if isinstance(policy, str) and policy and policy not in PV_RECLAIM_POLICIES:
        yield unsupported(
            obj.at("spec", "persistentVolumeReclaimPolicy"),
            "spec.persistentVolumeReclaimPolicy",
            policy,
            PV_RECLAIM_POLICIES,
        )
    capacity = spec.get("capacity")
    if not mapping(capacity):
        yield required(obj.at("spec", "capacity"), "spec.capacity")
    if "storage" in mapping(capacity):
        yield from _positive(
            mapping(capacity)["storage"],
            obj.at("spec", "capacity", "storage"),
            "spec.capacity[storage]",
        )
    for name in mapping(capacity):
        if name != "storage":
            yield unsupported(
                obj.at("spec", "capacity", str(name)), "spec.capacity", name, ("storage",)
            )
    yield from _volume_sources(obj, spec)
    yield from _node_affinity(obj, spec)
    host_path = spec.get("hostPath")
    if (
        isinstance(host_path, dict)
        and isinstance(host_path.get("path"), str)
        and _clean(host_path["path"]) == "/"
        and policy == "Recycle"
    ):
        yield Finding(
            obj.at("spec", "persistentVolumeReclaimPolicy"),
            "spec.persistentVolumeReclaimPolicy: Forbidden: may not be 'recycle' for a hostPath "
            "mount of '/'",
        )


# ValidatePersistentVolumeSpec's order, with the name each error gives the source: every
# source after the first one is refused (flexVolume is counted, never refused).
PV_SOURCES = (
    ("hostPath", "hostPath"), ("gcePersistentDisk", "gcePersistentDisk"),
    ("awsElasticBlockStore", "awsElasticBlockStore"), ("glusterfs", "glusterfs"),
    ("flocker", "flocker"), ("nfs", "nfs"), ("rbd", "rbd"), ("quobyte", "quobyte"),
    ("cephfs", "cephFS"), ("iscsi", "iscsi"), ("cinder", "cinder"), ("fc", "fc"),
    ("flexVolume", ""), ("azureFile", "azureFile"), ("vsphereVolume", "vsphereVolume"),
    ("photonPersistentDisk", "photonPersistentDisk"), ("portworxVolume", "portworxVolume"),
    ("azureDisk", "azureDisk"), ("scaleIO", "scaleIO"), ("local", "local"),
    ("storageos", "storageos"), ("csi", "csi"),
)  # fmt: skip


def _volume_sources(obj: ObjectView, spec: dict[str, Any]) -> Iterator[Finding]:
    """Exactly one volume source (a null one is absent), and the sources' own fields."""
    count = 0
    for key, name in PV_SOURCES:
        source = spec.get(key)
        if not isinstance(source, dict):
            continue  # absent, null, or a value of the wrong type the schema reports
        if count and name:
            yield Finding(
                obj.at("spec", key),
                f"spec.{name}: Forbidden: may not specify more than 1 volume type",
            )
            continue
        count += 1
        if key == "nfs":
            yield from _nfs(obj, source)
        elif key == "hostPath":
            yield from _host_path(obj, source)
        elif key == "local":
            yield from _local(obj, source, spec)
        elif key == "csi":
            yield from _csi(obj, source)
    if count == 0:
        yield required(obj.at("spec"), "spec", "must specify a volume type")


def _nfs(obj: ObjectView, nfs: dict[str, Any]) -> Iterator[Finding]:
    server, path = nfs.get("server"), nfs.get("path")
    if server in (None, ""):
        yield required(obj.at("spec", "nfs", "server"), "spec.nfs.server")
    if path in (None, ""):
        yield required(obj.at("spec", "nfs", "path"), "spec.nfs.path")
    if path is None or (isinstance(path, str) and not path.startswith("/")):
        yield invalid(
            obj.at("spec", "nfs", "path"), "spec.nfs.path", path or "", "must be an absolute path"
        )


def _host_path(obj: ObjectView, host_path: dict[str, Any]) -> Iterator[Finding]:
    path = host_path.get("path")
    if path in (None, ""):
        yield required(obj.at("spec", "hostPath", "path"), "spec.hostPath.path")
        return
    if isinstance(path, str):
        yield from _no_backsteps(obj.at("spec", "hostPath", "path"), "spec.hostPath.path", path)
    kind = host_path.get("type")
    if isinstance(kind, str) and kind not in HOST_PATH_TYPES:
        yield unsupported(
            obj.at("spec", "hostPath", "type"),
            "spec.hostPath.type",
            kind,
            tuple(sorted(HOST_PATH_TYPES)),
        )


def _local(obj: ObjectView, local: dict[str, Any], spec: dict[str, Any]) -> Iterator[Finding]:
    path = local.get("path")
    if path in (None, ""):
        yield required(obj.at("spec", "local", "path"), "spec.local.path")
    elif isinstance(path, str):
        yield from _no_backsteps(obj.at("spec", "local", "path"), "spec.local.path", path)
    if not isinstance(spec.get("nodeAffinity"), dict):
        yield required(
            obj.at("spec", "nodeAffinity"),
            "spec.nodeAffinity",
            "Local volume requires node affinity",
        )


# The secret references validateCSIPersistentVolumeSource checks (nodeStageSecretRef is not).
CSI_SECRET_REFS = (
    "controllerPublishSecretRef",
    "controllerExpandSecretRef",
    "nodePublishSecretRef",
    "nodeExpandSecretRef",
)
CSI_DRIVER_MAX = 63


def _csi(obj: ObjectView, csi: dict[str, Any]) -> Iterator[Finding]:
    """A CSI source: a driver name (a DNS subdomain in lower case, at most 63 bytes), a volume
    handle, and a name and namespace in each secret reference that is set."""
    driver = csi.get("driver")
    at = obj.at("spec", "csi", "driver")
    if driver in (None, ""):
        yield required(at, "spec.csi.driver")
    elif isinstance(driver, str):
        if len(driver.encode()) > CSI_DRIVER_MAX:
            yield Finding(
                at, f"spec.csi.driver: Too long: may not be more than {CSI_DRIVER_MAX} bytes"
            )
        for problem in formats.dns1123_subdomain(driver.lower()):
            yield invalid(at, "spec.csi.driver", driver, problem)
    if csi.get("volumeHandle") in (None, ""):
        yield required(obj.at("spec", "csi", "volumeHandle"), "spec.csi.volumeHandle")
    for field in CSI_SECRET_REFS:
        reference = csi.get(field)
        if not isinstance(reference, dict):
            continue
        for part, check in (
            ("name", formats.dns1123_subdomain),
            ("namespace", formats.dns1123_label),
        ):
            value = reference.get(part)
            r_at, r_where = obj.at("spec", "csi", field, part), f"spec.csi.{field}.{part}"
            if value in (None, ""):
                yield required(r_at, r_where)
            elif isinstance(value, str):
                for problem in check(value):
                    yield invalid(r_at, r_where, value, problem)


def _no_backsteps(at: str, where: str, path: str) -> Iterator[Finding]:
    if ".." in path.split("/"):
        yield invalid(at, where, path, "must not contain '..'")


def _clean(path: str) -> str:
    """Go's path.Clean: repeated slashes are one, '.' and '..' elements resolved."""
    return posixpath.normpath(re.sub("/+", "/", path)) if path else "."


def _node_affinity(obj: ObjectView, spec: dict[str, Any]) -> Iterator[Finding]:
    """validateVolumeNodeAffinity: required node constraints, at least one term, and each
    term's requirements (values of matchExpressions are label values)."""
    affinity = spec.get("nodeAffinity")
    if not isinstance(affinity, dict):
        return
    at, where = obj.at("spec", "nodeAffinity", "required"), "spec.nodeAffinity.required"
    node_selector = affinity.get("required")
    if not isinstance(node_selector, dict):
        if node_selector is None:
            yield required(at, where, "must specify required node constraints")
        return
    terms = node_selector.get("nodeSelectorTerms")
    if not listed(terms):
        yield required(
            join(at, "nodeSelectorTerms"),
            f"{where}.nodeSelectorTerms",
            "must have at least one node selector term",
        )
        return
    for index, term in enumerate(listed(terms)):
        t_at, t_where = join(at, "nodeSelectorTerms", index), f"{where}.nodeSelectorTerms[{index}]"
        term = {} if term is None else term
        if not isinstance(term, dict):
            continue
        for e_index, expression in items(term.get("matchExpressions")):
            e_at = join(t_at, "matchExpressions", e_index)
            yield from _node_requirement(expression, e_at, f"{t_where}.matchExpressions[{e_index}]")
        for f_index, expression in items(term.get("matchFields")):
            f_at = join(t_at, "matchFields", f_index)
            yield from _field_requirement(expression, f_at, f"{t_where}.matchFields[{f_index}]")


def _node_requirement(expression: dict[str, Any], at: str, where: str) -> Iterator[Finding]:
    yield from requirement_operator(expression, at, where, numeric=True)
    key = expression.get("key")
    if isinstance(key, str) or key is None:
        for problem in formats.qualified_name(key or ""):
            yield invalid(join(at, "key"), f"{where}.key", key or "", problem)
    for index, value in enumerate(listed(expression.get("values"))):
        if isinstance(value, str):
            for problem in formats.label_value(value):
                yield invalid(join(at, "values", index), f"{where}.values[{index}]", value, problem)


def _field_requirement(expression: dict[str, Any], at: str, where: str) -> Iterator[Finding]:
    operator = expression.get("operator")
    operator = "" if operator is None else operator
    values = listed(expression.get("values"))
    if operator in ("In", "NotIn"):
        if len(values) != 1:
            yield required(
                join(at, "values"),
                f"{where}.values",
                "must be only one value when `operator` is 'In' or 'NotIn' for node field selector",
            )
    elif isinstance(operator, str):
        yield invalid(
            join(at, "operator"), f"{where}.operator", operator, "not a valid selector operator"
        )
    key = expression.get("key")
    key = "" if key is None else key
    if key != "metadata.name":
        if isinstance(key, str):
            yield invalid(join(at, "key"), f"{where}.key", key, "not a valid field selector key")
        return
    for index, value in enumerate(values):
        if isinstance(value, str):
            for problem in formats.dns1123_subdomain(value):
                yield invalid(join(at, "values", index), f"{where}.values[{index}]", value, problem)


def _reference(value: Any) -> dict[str, Any] | None:
    """A TypedLocalObjectReference or TypedObjectReference as decoded: null is absent, null
    fields are empty (the API group stays absent: its pointer is nil)."""
    if not isinstance(value, dict):
        return None
    kind, name = value.get("kind"), value.get("name")
    return {
        "apiGroup": value.get("apiGroup"),
        "kind": "" if kind is None else kind,
        "name": "" if name is None else name,
    }


def _data_sources(obj: ObjectView, spec: dict[str, Any]) -> Iterator[Finding]:
    """dataSource and dataSourceRef as the apiserver sees them after PrepareForCreate: alone,
    a dataSource other than a claim or a VolumeSnapshot is dropped; each one is copied into
    the other when it is alone (dataSourceRef.namespace is dropped: the cross-namespace
    feature is off); then each is validated, and the two must match."""
    source, ref = _reference(spec.get("dataSource")), _reference(spec.get("dataSourceRef"))
    if source is not None and ref is None and not _kept(source):
        source = None
    if source is not None:
        yield from _data_source(obj, "dataSource", source)
    if ref is not None:
        yield from _data_source(obj, "dataSourceRef", ref)
    if source is not None and ref is not None and source != ref:
        yield Finding(
            obj.at("spec", "dataSource"), "spec: Invalid value: {}: must match dataSourceRef"
        )


def _kept(source: dict[str, Any]) -> bool:
    group = source["apiGroup"] or ""
    return (group, source["kind"]) in (
        ("", "PersistentVolumeClaim"),
        ("snapshot.storage.k8s.io", "VolumeSnapshot"),
    )


def _data_source(obj: ObjectView, field: str, reference: dict[str, Any]) -> Iterator[Finding]:
    at, where = obj.at("spec", field), f"spec.{field}"
    kind, group = reference["kind"], reference["apiGroup"]
    if reference["name"] == "":
        yield required(join(at, "name"), f"{where}.name")
    if kind == "":
        yield required(join(at, "kind"), f"{where}.kind")
    if not isinstance(kind, str) or (group is not None and not isinstance(group, str)):
        return  # a value of the wrong type, which the schema reports
    if not group and kind != "PersistentVolumeClaim":
        yield invalid(
            at, where, kind, "must be 'PersistentVolumeClaim' when referencing the default apiGroup"
        )
    if group:
        for problem in formats.dns1123_subdomain(group):
            yield invalid(join(at, "apiGroup"), f"{where}.apiGroup", group, problem)


def _positive(value: Any, at: str, where: str) -> Iterator[Finding]:
    if value is None:  # decoded as the zero quantity
        yield invalid(at, where, "0", "must be greater than zero")
        return
    number = parse_quantity(value)
    if number is not None and number <= 0:
        yield invalid(at, where, str(value), "must be greater than zero")


RECLAIM_POLICIES = ("Delete", "Retain")
BINDING_MODES = ("Immediate", "WaitForFirstConsumer")
MAX_PARAMETERS = 512
MAX_PARAMETERS_SIZE = 256 * 1024


def storage_class(obj: ObjectView, ctx: RuleContext) -> Iterator[Finding]:
    """ValidateStorageClass: provisioner, parameters, reclaim policy, binding mode,
    allowed topologies."""
    if obj.api_version != "storage.k8s.io/v1":
        return
    data = obj.data
    provisioner = data.get("provisioner")
    if provisioner in (None, ""):
        yield required(obj.at("provisioner"), "provisioner")
    elif isinstance(provisioner, str):
        # The apiserver judges the provisioner in lower case.
        for problem in formats.qualified_name(provisioner.lower()):
            yield invalid(obj.at("provisioner"), "provisioner", provisioner, problem)
    parameters = mapping(data.get("parameters"))
    if len(parameters) > MAX_PARAMETERS:
        yield Finding(
            obj.at("parameters"),
            f"parameters: Too long: Provisioner Parameters exceeded max allowed "
            f"({MAX_PARAMETERS} parameters)",
        )
    else:
        size = 0
        for key, value in parameters.items():
            if key == "":
                yield invalid(obj.at("parameters"), "parameters", "", "field can not be empty.")
            size += len(str(key)) + (len(value) if isinstance(value, str) else 0)
        if size > MAX_PARAMETERS_SIZE:
            yield Finding(
                obj.at("parameters"),
                f"parameters: Too long: may not be more than {MAX_PARAMETERS_SIZE} bytes",
            )
    for field, allowed in (
        ("reclaimPolicy", RECLAIM_POLICIES),
        ("volumeBindingMode", BINDING_MODES),
    ):
        value = data.get(field)
        # An empty reclaimPolicy is accepted as unset; an empty volumeBindingMode is refused.
        if value == "" and field == "reclaimPolicy":
            continue
        if isinstance(value, str) and value not in allowed:
            yield unsupported(obj.at(field), field, value, allowed)
    yield from _topologies(data.get("allowedTopologies"), obj)


def _topologies(terms: Any, obj: ObjectView) -> Iterator[Finding]:
    if not isinstance(terms, list) or not terms:
        return
    # The apiserver compares each term with every earlier one and with as many empty terms
    # as the list is long, so a term without expressions is a duplicate.
    earlier: list[dict[str, frozenset[str]]] = [{} for _ in terms]
    for index, term in enumerate(terms):
        at, where = obj.at("allowedTopologies", str(index)), f"allowedTopologies[{index}]"
        expressions: dict[str, frozenset[str]] = {}
        for e_index, expression in items(mapping(term).get("matchLabelExpressions")):
            e_at = join(at, "matchLabelExpressions", e_index)
            e_where = f"{where}.matchLabelExpressions[{e_index}]"
            key = expression.get("key")
            key = key if isinstance(key, str) else ""
            for problem in formats.qualified_name(key):
                yield invalid(join(e_at, "key"), f"{e_where}.key", key, problem)
            values = [v for v in listed(expression.get("values")) if isinstance(v, str)]
            if not listed(expression.get("values")):
                yield required(join(e_at, "values"), f"{e_where}.values")
            for v_index, value in enumerate(values):
                if value in values[:v_index]:
                    yield Finding(
                        join(e_at, "values", v_index),
                        f'{e_where}.values[{v_index}]: Duplicate value: "{value}"',
                    )
            if key in expressions:
                yield Finding(join(e_at, "key"), f'{e_where}.key: Duplicate value: "{key}"')
            expressions[key] = frozenset(values)
        for other in earlier:
            if other == expressions:
                yield Finding(
                    join(at, "matchLabelExpressions"),
                    f'{where}.matchLabelExpressions: Duplicate value: ""',
                )
        earlier.append(expressions)
