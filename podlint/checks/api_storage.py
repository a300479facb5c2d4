"""What the apiserver refuses in PersistentVolumes and PersistentVolumeClaims (quantities it
cannot decode: the whole request is refused before validation) and in StorageClasses."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from podlint.checks._api import items, listed, mapping, not_a_quantity, quantity_problem
from podlint.checks._objects import invalid, required, selector, unsupported
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
    if isinstance(policy, str) and policy not in PV_RECLAIM_POLICIES:
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
    nfs = spec.get("nfs")
    path = mapping(nfs).get("path")
    if isinstance(nfs, dict) and path in (None, ""):
        yield required(obj.at("spec", "nfs", "path"), "spec.nfs.path")
    elif isinstance(path, str) and not path.startswith("/"):
        yield invalid(
            obj.at("spec", "nfs", "path"), "spec.nfs.path", path, "must be an absolute path"
        )


def _positive(value: Any, at: str, where: str) -> Iterator[Finding]:
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
