"""What the apiserver refuses on create in a NetworkPolicy (ValidateNetworkPolicy) and an
IngressClass (ValidateIngressClass)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

from podlint.checks._api import items, strings, text
from podlint.checks._objects import invalid, required, selector, unsupported
from podlint.k8s import formats
from podlint.lazyre import LazyPattern
from podlint.model.finding import Finding
from podlint.model.pointer import join
from podlint.model.views import ObjectView
from podlint.rule import RuleContext

PROTOCOLS = ("TCP", "UDP", "SCTP")
POLICY_TYPES = ("Ingress", "Egress")
PORT_RANGE = "must be between 1 and 65535, inclusive"
CIDR_PROBLEM = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"
SCOPES = ("Cluster", "Namespace")
CONTROLLER_MAX = 250
# ParseCIDRSloppy: IPv4 octets may carry leading zeros (read as decimal), and so may the
# prefix length.
_SLOPPY_V4 = LazyPattern(r"^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networking(obj: ObjectView, ctx: RuleContext) -> Iterator[Finding]:
    if obj.kind == "NetworkPolicy":
        yield from _network_policy(obj)
    elif obj.kind == "IngressClass":
        yield from _ingress_class(obj)


def _network_policy(obj: ObjectView) -> Iterator[Finding]:
    spec = obj.data.get("spec")
    if not isinstance(spec, dict):
        return
    yield from selector(spec.get("podSelector"), obj.at("spec", "podSelector"), "spec.podSelector")
    for direction, peers in (("ingress", "from"), ("egress", "to")):
        for index, rule in items(spec.get(direction)):
            at = obj.at("spec", direction, str(index))
            where = f"spec.{direction}[{index}]"
            for p_index, port in items(rule.get("ports")):
                yield from _port(port, join(at, "ports", p_index), f"{where}.ports[{p_index}]")
            for p_index, peer in items(rule.get(peers)):
                yield from _peer(peer, join(at, peers, p_index), f"{where}.{peers}[{p_index}]")
    # A null item of a list of strings decodes as the empty string.
    types = strings(spec.get("policyTypes"))
    for index, value in enumerate(types):
        if isinstance(value, str) and value not in POLICY_TYPES:
            at = obj.at("spec", "policyTypes", str(index))
            yield unsupported(at, f"spec.policyTypes[{index}]", value, POLICY_TYPES)
    if len(types) > len(POLICY_TYPES):
        yield Finding(
            obj.at("spec", "policyTypes"),
            "spec.policyTypes: Invalid value: may not specify more than two policyTypes",
        )


def _port(port: dict[str, Any], at: str, where: str) -> Iterator[Finding]:
    protocol = port.get("protocol")
    if isinstance(protocol, str) and protocol not in PROTOCOLS:
        yield unsupported(join(at, "protocol"), f"{where}.protocol", protocol, PROTOCOLS)
    number = port.get("port")
    end = port.get("endPort")
    if formats.is_int(number):
        if not 1 <= number <= 65535:
            yield invalid(join(at, "port"), f"{where}.port", number, PORT_RANGE)
        if formats.is_int(end) and end < number:
            yield invalid(
                join(at, "endPort"),
                f"{where}.endPort",
                end,
                "must be greater than or equal to `port`",
            )
    elif isinstance(number, str):
        for problem in formats.port_name(number):
            yield invalid(join(at, "port"), f"{where}.port", number, problem)
        if end is not None:
            yield invalid(
                join(at, "endPort"),
                f"{where}.endPort",
                end,
                "may not be specified when `port` is non-numeric",
            )
    elif end is not None:
        yield invalid(
            join(at, "endPort"),
            f"{where}.endPort",
            end,
            "may not be specified when `port` is not specified",
        )
    if formats.is_int(end) and not 1 <= end <= 65535:
        yield invalid(join(at, "endPort"), f"{where}.endPort", end, PORT_RANGE)


def _peer(peer: dict[str, Any], at: str, where: str) -> Iterator[Finding]:
    given = [
        key for key in ("podSelector", "namespaceSelector", "ipBlock") if peer.get(key) is not None
    ]
    if not given:
        yield required(at, where, "must specify a peer")
    elif "ipBlock" in given and len(given) > 1:
        yield Finding(at, f"{where}: Forbidden: may not specify both ipBlock and another peer")
    for key in ("podSelector", "namespaceSelector"):
        yield from selector(peer.get(key), join(at, key), f"{where}.{key}")
    block = peer.get("ipBlock")
    if isinstance(block, dict):
        yield from _ip_block(block, join(at, "ipBlock"), f"{where}.ipBlock")


def _ip_block(block: dict[str, Any], at: str, where: str) -> Iterator[Finding]:
    cidr = block.get("cidr")
    network = None
    if cidr in (None, ""):
        yield required(join(at, "cidr"), f"{where}.cidr")
    elif isinstance(cidr, str):
        network = parse_cidr(cidr)
        if network is None:
            yield invalid(join(at, "cidr"), f"{where}.cidr", cidr, CIDR_PROBLEM)
    for index, value in enumerate(strings(block.get("except"))):
        if not isinstance(value, str):
            continue
        e_at, e_where = join(at, "except", index), f"{where}.except[{index}]"
        excepted = parse_cidr(value)
        if excepted is None:
            yield invalid(e_at, e_where, value, CIDR_PROBLEM)
        elif network is not None and not _strict_subset(excepted, network):
            yield invalid(e_at, e_where, value, "must be a strict subset of `cidr`")


def parse_cidr(value: str) -> Network | None:
    address, slash, prefix = value.partition("/")
    if not slash or not prefix.isdigit() or not prefix.isascii():
        return None
    sloppy = _SLOPPY_V4.match(address)
    if sloppy:
        octets = [int(part) for part in sloppy.groups()]
        if any(octet > 255 for octet in octets):
            return None
        address = ".".join(str(octet) for octet in octets)
    try:
        return ipaddress.ip_network(f"{address}/{int(prefix)}", strict=False)
    except ValueError:
        return None


def _strict_subset(inner: Network, outer: Network) -> bool:
    if inner.version != outer.version:
        return False
    return inner.network_address in outer and outer.prefixlen < inner.prefixlen


def _ingress_class(obj: ObjectView) -> Iterator[Finding]:
    spec = obj.data.get("spec")
    spec = {} if spec is None else spec
    if not isinstance(spec, dict):
        return
    controller = spec.get("controller")
    at = obj.at("spec", "controller")
    if controller in (None, ""):
        yield required(at, "spec.controller")
    elif isinstance(controller, str):
        if len(controller) > CONTROLLER_MAX:
            yield Finding(
                at, f"spec.controller: Too long: may not be more than {CONTROLLER_MAX} bytes"
            )
        elif not _domain_prefixed_path(controller):
            yield invalid(
                at,
                "spec.controller",
                controller,
                'must be a domain-prefixed path (such as "acme.io/foo")',
            )
    parameters = spec.get("parameters")
    if isinstance(parameters, dict):
        yield from _parameters(parameters, obj.at("spec", "parameters"))


def _domain_prefixed_path(value: str) -> bool:
    host, slash, path = value.partition("/")
    return bool(slash and path) and not formats.dns1123_subdomain(host)


def _parameters(parameters: dict[str, Any], at: str) -> Iterator[Finding]:
    where = "spec.parameters"
    group = text(parameters.get("apiGroup"))
    if group is not None:
        for problem in formats.dns1123_subdomain(group):
            yield invalid(join(at, "apiGroup"), f"{where}.apiGroup", group, problem)
    for key in ("kind", "name"):
        value = parameters.get(key)
        if value in (None, ""):
            yield required(join(at, key), f"{where}.{key}")
        elif isinstance(value, str):
            for problem in formats.path_segment(value):
                yield invalid(join(at, key), f"{where}.{key}", value, problem)
    scope = parameters.get("scope")
    namespace = parameters.get("namespace")
    if scope is None:
        scope = "Cluster"  # the v1 default
    if scope not in SCOPES:
        yield unsupported(join(at, "scope"), f"{where}.scope", scope, SCOPES)
    elif scope == "Namespace":
        if namespace in (None, ""):
            yield required(
                join(at, "namespace"),
                f"{where}.namespace",
                "`parameters.scope` is set to 'Namespace'",
            )
        elif isinstance(namespace, str):
            for problem in formats.dns1123_label(namespace):
                yield invalid(join(at, "namespace"), f"{where}.namespace", namespace, problem)
    elif namespace is not None:
        yield Finding(
            join(at, "namespace"),
            f"{where}.namespace: Forbidden: `parameters.scope` is set to 'Cluster'",
        )
