"""What the apiserver refuses in a Service on create (ValidateService), as far as the manifest
shows it: the NodePort range and IP families depend on the cluster and are left out."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

from podlint.checks._api import V1_35, defaulted, items, listed, mapping, strings, text
from podlint.checks._objects import invalid, unsupported
from podlint.checks.api_networking import CIDR_PROBLEM, parse_cidr
from podlint.k8s import formats
from podlint.model.finding import Finding
from podlint.model.views import ObjectView
from podlint.rule import RuleContext

PROTOCOLS = ("TCP", "UDP", "SCTP")
TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")
TRAFFIC_POLICIES = ("Cluster", "Local")
AFFINITIES = ("ClientIP", "None")
MAX_AFFINITY = 86400
DISTRIBUTIONS = ("PreferClose", "PreferSameZone", "PreferSameNode")
PORT_RANGE = "must be between 1 and 65535, inclusive"
FAMILY_POLICIES = ("PreferDualStack", "RequireDualStack", "SingleStack")
FAMILIES = ("IPv4", "IPv6")


def service(obj: ObjectView, ctx: RuleContext) -> Iterator[Finding]:
    """spec.ports: required, names, numbers, protocols, targetPort, nodePort with ClusterIP."""
    spec = obj.data.get("spec")
    if spec is None:
        spec = {}  # a spec left out or null decodes as an empty one, which has no ports
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
    yield from _service_fields(obj, spec, service_type, ctx)
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
        # A port left out or null decodes as 0.
        number = 0 if port.get("port") is None else port.get("port")
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


def _service_fields(
    obj: ObjectView, spec: dict[str, Any], kind: Any, ctx: RuleContext
) -> Iterator[Finding]:
    """The fields beside the ports: type, traffic policies, session affinity, external IPs,
    source ranges, health check port, selector, ExternalName."""
    if isinstance(kind, str) and kind not in TYPES:
        yield unsupported(obj.at("spec", "type"), "spec.type", kind, TYPES)
    # A null item of a list of strings decodes as the empty string.
    external_ips = strings(spec.get("externalIPs"))
    accessible = kind in ("NodePort", "LoadBalancer") or (kind == "ClusterIP" and external_ips)
    traffic = spec.get("externalTrafficPolicy")
    if isinstance(traffic, str):
        at = obj.at("spec", "externalTrafficPolicy")
        if not accessible and traffic:
            yield invalid(
                at,
                "spec.externalTrafficPolicy",
                traffic,
                "may only be set for externally-accessible services",
            )
        elif accessible and defaulted(traffic, "Cluster") not in TRAFFIC_POLICIES:
            yield unsupported(at, "spec.externalTrafficPolicy", traffic, TRAFFIC_POLICIES)
    internal = spec.get("internalTrafficPolicy")
    if isinstance(internal, str) and internal not in TRAFFIC_POLICIES:
        at = obj.at("spec", "internalTrafficPolicy")
        yield unsupported(at, "spec.internalTrafficPolicy", internal, TRAFFIC_POLICIES)
    health = spec.get("healthCheckNodePort")
    local_balancer = kind == "LoadBalancer" and traffic == "Local"
    if formats.is_int(health) and health != 0 and not local_balancer:
        yield invalid(
            obj.at("spec", "healthCheckNodePort"),
            "spec.healthCheckNodePort",
            health,
            "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
        )
    affinity = defaulted(spec.get("sessionAffinity"), "None")
    if isinstance(affinity, str) and affinity not in AFFINITIES:
        yield unsupported(
            obj.at("spec", "sessionAffinity"), "spec.sessionAffinity", affinity, AFFINITIES
        )
    config = spec.get("sessionAffinityConfig")
    timeout = mapping(mapping(config).get("clientIP")).get("timeoutSeconds")
    if affinity == "ClientIP" and formats.is_int(timeout) and not 0 < timeout <= MAX_AFFINITY:
        yield invalid(
            obj.at("spec", "sessionAffinityConfig", "clientIP", "timeoutSeconds"),
            "spec.sessionAffinityConfig.clientIP.timeoutSeconds",
            timeout,
            f"must be greater than 0 and less than {MAX_AFFINITY}",
        )
    ranges = strings(spec.get("loadBalancerSourceRanges"))
    if ranges and kind != "LoadBalancer":
        yield Finding(
            obj.at("spec", "loadBalancerSourceRanges"),
            "spec.LoadBalancerSourceRanges: Forbidden: may only be used when `type` "
            "is 'LoadBalancer'",
        )
    for index, value in enumerate(ranges):
        if isinstance(value, str) and parse_cidr(value.strip()) is None:
            yield invalid(
                obj.at("spec", "loadBalancerSourceRanges", str(index)),
                f"spec.LoadBalancerSourceRanges[{index}]",
                value,
                CIDR_PROBLEM,
            )
    for index, value in enumerate(external_ips):
        if isinstance(value, str):
            for problem in formats.ip_address(value, strict=False) or _special_ip(value):
                yield invalid(
                    obj.at("spec", "externalIPs", str(index)),
                    f"spec.externalIPs[{index}]",
                    value,
                    problem,
                )
    if spec.get("clusterIP") == "None" and kind in ("NodePort", "LoadBalancer"):
        yield invalid(
            obj.at("spec", "clusterIP"),
            "spec.clusterIPs[0]",
            "None",
            f"may not be set to 'None' for {kind} services",
        )
    yield from _cluster_ips(obj, spec, kind)
    distribution = spec.get("trafficDistribution")
    # PreferSameZone and PreferSameNode are known from 1.35 on; before, only PreferClose.
    known = ctx.kubernetes_version >= V1_35
    if known and isinstance(distribution, str) and distribution not in DISTRIBUTIONS:
        yield unsupported(
            obj.at("spec", "trafficDistribution"),
            "spec.trafficDistribution",
            distribution,
            DISTRIBUTIONS,
        )
    if kind == "ExternalName" and spec.get("externalName") in (None, ""):
        yield Finding(obj.at("spec", "externalName"), "spec.externalName: Required value")
    for key, value in mapping(spec.get("selector")).items():
        at = obj.at("spec", "selector", str(key))
        for problem in formats.qualified_name(str(key)):
            yield invalid(at, "spec.selector", str(key), problem)
        if isinstance(value, str):
            for problem in formats.label_value(value):
                yield invalid(at, "spec.selector", value, problem)
    for index, port in items(spec.get("ports")):
        protocol = port.get("appProtocol")
        if isinstance(protocol, str):
            for problem in formats.qualified_name(protocol):
                yield invalid(
                    obj.at("spec", "ports", str(index), "appProtocol"),
                    f"spec.ports[{index}].appProtocol",
                    protocol,
                    problem,
                )


def _cluster_ips(obj: ObjectView, spec: dict[str, Any], kind: Any) -> Iterator[Finding]:
    """clusterIP and clusterIPs as written (the apiserver copies clusterIP into an empty
    clusterIPs first), ipFamilyPolicy and ipFamilies. Whether an address is in the cluster's
    service range, and whether the cluster serves its IP family, depend on the cluster."""
    cluster_ip = spec.get("clusterIP")
    cluster_ip = "" if cluster_ip is None else cluster_ip
    written = spec.get("clusterIPs")
    ips = strings(written)
    at = obj.at("spec", "clusterIPs") if isinstance(written, list) else obj.at("spec", "clusterIP")
    if not isinstance(cluster_ip, str) or not all(isinstance(ip, str) for ip in ips):
        return  # the schema rule reports a value that is not a string
    shown_ips = "[" + ",".join(f'"{ip}"' for ip in ips) + "]"
    if ips and not cluster_ip:
        yield Finding(
            at,
            f"spec.clusterIPs: Invalid value: {shown_ips}: must be empty when `clusterIP` is "
            "not specified",
        )
        return
    if kind == "ExternalName":
        forbidden = "Forbidden: may not be set for ExternalName services"
        if cluster_ip:
            yield Finding(obj.at("spec", "clusterIP"), f"spec.clusterIPs: {forbidden}")
        if spec.get("ipFamilyPolicy") is not None:
            yield Finding(obj.at("spec", "ipFamilyPolicy"), f"spec.ipFamilyPolicy: {forbidden}")
        if strings(spec.get("ipFamilies")):
            yield Finding(obj.at("spec", "ipFamilies"), f"spec.ipFamilies: {forbidden}")
        return
    if ips and ips[0] != cluster_ip:
        yield Finding(
            at, f"spec.clusterIPs: Invalid value: {shown_ips}: first value must match `clusterIP`"
        )
        return
    ips = ips or ([cluster_ip] if cluster_ip else [])
    if ips[:1] == ["None"] and len(ips) > 1:
        yield Finding(
            at,
            f"spec.clusterIPs: Invalid value: {shown_ips}: 'None' must be the first and only value",
        )
    elif len(ips) > 2:
        yield Finding(
            at, f"spec.clusterIPs: Invalid value: {shown_ips}: may only hold up to 2 values"
        )
    families = [_family(ip) for ip in ips]
    if len(ips) == 2 and None not in families and families[0] == families[1]:
        yield Finding(
            at,
            f"spec.clusterIPs: Invalid value: {shown_ips}: may specify no more than one IP for "
            "each IP family",
        )
    for index, ip in enumerate(ips):
        if index == 0 and ip == "None":
            continue
        for problem in formats.ip_address(ip, strict=False):
            ip_at = (
                obj.at("spec", "clusterIPs", str(index)) if written else obj.at("spec", "clusterIP")
            )
            yield invalid(ip_at, f"spec.clusterIPs[{index}]", ip, problem)
    policy = spec.get("ipFamilyPolicy")
    if isinstance(policy, str) and policy not in FAMILY_POLICIES:
        yield unsupported(
            obj.at("spec", "ipFamilyPolicy"), "spec.ipFamilyPolicy", policy, FAMILY_POLICIES
        )
    seen: set[str] = set()
    for index, family in enumerate(strings(spec.get("ipFamilies"))):
        if not isinstance(family, str):
            continue
        f_at, f_where = obj.at("spec", "ipFamilies", str(index)), f"spec.ipFamilies[{index}]"
        if family not in FAMILIES:
            yield unsupported(f_at, f_where, family, FAMILIES)
        elif family in seen:
            yield Finding(f_at, f'{f_where}: Duplicate value: "{family}"')
        seen.add(family)


def _family(value: str) -> int | None:
    """4 or 6 as Go counts them (an IPv4-mapped IPv6 address is IPv4); None for no address."""
    if formats.ip_address(value, strict=False):
        return None
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return 4  # IPv4 with leading zeros, which the legacy parser takes
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return 4
    return address.version


def _special_ip(value: str) -> list[str]:
    """ValidateNonSpecialIP: an external IP may not be unspecified, loopback, link-local or
    multicast."""
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return []
    if address.is_unspecified:
        return [f"may not be unspecified ({value})"]
    if address.is_loopback:
        return ["may not be in the loopback range (127.0.0.0/8, ::1/128)"]
    if address.is_link_local:
        return ["may not be in the link-local range (169.254.0.0/16, fe80::/10)"]
    link_local_multicast = (
        address in ipaddress.ip_network("224.0.0.0/24")
        if address.version == 4
        else address.packed[0] == 0xFF and address.packed[1] & 0x0F == 0x02
    )
    if link_local_multicast:
        return ["may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"]
    return []


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
