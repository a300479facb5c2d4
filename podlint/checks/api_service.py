"""What the apiserver refuses in a Service on create (ValidateService), as far as the manifest
shows it: the NodePort range and IP families depend on the cluster and are left out."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from podlint.checks._api import defaulted, items, listed, text
from podlint.k8s import formats
from podlint.model.finding import Finding
from podlint.model.views import ObjectView
from podlint.rule import RuleContext

PROTOCOLS = ("TCP", "UDP", "SCTP")
PORT_RANGE = "must be between 1 and 65535, inclusive"


def service(obj: ObjectView, ctx: RuleContext) -> Iterator[Finding]:
    """spec.ports: required, names, numbers, protocols, targetPort, nodePort with ClusterIP."""
    spec = obj.data.get("spec")
    if not isinstance(spec, dict):
        return
    service_type = defaulted(spec.get("type"), "ClusterIP")
    ports = listed(spec.get("ports"))
    if not ports and service_type != "ExternalName" and not _headless(spec):
        yield Finding(
            obj.at("spec", "ports"),
            "spec.ports: Required value: a Service needs at least one port "
            '(unless type is "ExternalName" or clusterIP is "None")',
        )
    names: set[str] = set()
    endpoints: set[tuple[Any, Any]] = set()
    for index, port in items(spec.get("ports")):
        where = f"spec.ports[{index}]"
        name = text(port.get("name"))
        if not name:
            if len(ports) > 1:
                yield Finding(
                    obj.at("spec", "ports", str(index)),
                    f"{where}.name: Required value: every port needs a name when there are several",
                )
        else:
            for problem in formats.dns1123_label(name):
                yield Finding(
                    obj.at("spec", "ports", str(index), "name"),
                    f'{where}.name: Invalid value: "{name}": {problem}',
                )
            if name in names:
                yield Finding(
                    obj.at("spec", "ports", str(index), "name"),
                    f'{where}.name: Duplicate value: "{name}"',
                )
            names.add(name)
        number = port.get("port")
        if formats.is_int(number) and not 1 <= number <= 65535:
            yield Finding(
                obj.at("spec", "ports", str(index), "port"),
                f"{where}.port: Invalid value: {number}: {PORT_RANGE}",
            )
        protocol = defaulted(port.get("protocol"), "TCP")
        if isinstance(protocol, str) and protocol not in PROTOCOLS:
            yield Finding(
                obj.at("spec", "ports", str(index), "protocol"),
                f'{where}.protocol: Unsupported value: "{protocol}": supported values: '
                + ", ".join(f'"{p}"' for p in PROTOCOLS),
            )
        yield from _target_port(obj, index, port.get("targetPort"))
        node_port = port.get("nodePort")
        if formats.is_int(node_port) and node_port != 0:
            if service_type == "ClusterIP":
                yield Finding(
                    obj.at("spec", "ports", str(index), "nodePort"),
                    f"{where}.nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
                )
            elif not 1 <= node_port <= 65535:
                yield Finding(
                    obj.at("spec", "ports", str(index), "nodePort"),
                    f"{where}.nodePort: Invalid value: {node_port}: {PORT_RANGE}",
                )
        if formats.is_int(number) and isinstance(protocol, str):
            if (number, protocol) in endpoints:
                yield Finding(
                    obj.at("spec", "ports", str(index)),
                    f"{where}: Duplicate value: port {number}/{protocol} is listed twice",
                )
            endpoints.add((number, protocol))


def _headless(spec: dict[str, Any]) -> bool:
    return spec.get("clusterIP") == "None"


def _target_port(obj: ObjectView, index: int, target: Any) -> Iterator[Finding]:
    # 0 and "" are defaulted to the port itself.
    where = f"spec.ports[{index}].targetPort"
    pointer = obj.at("spec", "ports", str(index), "targetPort")
    if formats.is_int(target) and target != 0 and not 1 <= target <= 65535:
        yield Finding(pointer, f"{where}: Invalid value: {target}: {PORT_RANGE}")
    elif isinstance(target, str) and target:
        for problem in formats.port_name(target):
            yield Finding(pointer, f'{where}: Invalid value: "{target}": {problem}')
