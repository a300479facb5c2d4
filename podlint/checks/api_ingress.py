"""What the apiserver refuses in an Ingress on create (ValidateIngress): hosts and paths."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from typing import Any

from podlint.checks._api import items, listed, mapping, text
from podlint.k8s import formats
from podlint.model.finding import Finding
from podlint.model.pointer import join
from podlint.model.views import ObjectView
from podlint.rule import RuleContext

_WILDCARD = re.compile(r"^\*\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
# ParseIPSloppy also reads IPv4 with leading zeros.
_SLOPPY_IPV4 = re.compile(r"^[0-9]{1,3}(\.[0-9]{1,3}){3}$")
PATH_TYPES = ("Exact", "Prefix", "ImplementationSpecific")
INVALID_SEQUENCES = ("//", "/./", "/../", "%2f", "%2F")
INVALID_SUFFIXES = ("/..", "/.")


def ingress(obj: ObjectView, ctx: RuleContext) -> Iterator[Finding]:
    """rules[].host and tls[].hosts[] are DNS subdomains (or '*.' wildcards); paths."""
    spec = obj.data.get("spec")
    spec = {} if spec is None else spec
    if not isinstance(spec, dict):
        return
    if spec.get("defaultBackend") is None and not listed(spec.get("rules")):
        yield Finding(
            obj.at("spec"),
            "spec: Invalid value: either `defaultBackend` or `rules` must be specified",
        )
    class_name = spec.get("ingressClassName")
    if isinstance(class_name, str):
        for problem in formats.dns1123_subdomain(class_name):
            yield Finding(
                obj.at("spec", "ingressClassName"),
                f'spec.ingressClassName: Invalid value: "{class_name}": {problem}',
            )
    backend = spec.get("defaultBackend")
    if isinstance(backend, dict):
        yield from _backend(backend, obj.at("spec", "defaultBackend"), "spec.defaultBackend")
    for index, rule in items(spec.get("rules")):
        host = text(rule.get("host"))
        where = f"spec.rules[{index}].host"
        pointer = obj.at("spec", "rules", str(index), "host")
        if host:
            if _is_ip(host):
                yield Finding(
                    pointer,
                    f'{where}: Invalid value: "{host}": must be a DNS name, not an IP address',
                )
            for problem in host_problems(host):
                yield Finding(pointer, f'{where}: Invalid value: "{host}": {problem}')
        http = rule.get("http")
        if isinstance(http, dict) and not listed(http.get("paths")):
            yield Finding(
                obj.at("spec", "rules", str(index), "http", "paths"),
                f"spec.rules[{index}].http.paths: Required value",
            )
        for path_index, path in items(mapping(http).get("paths")):
            at = obj.at("spec", "rules", str(index), "http", "paths", str(path_index))
            where = f"spec.rules[{index}].http.paths[{path_index}]"
            yield from _path(at, where, path)
            yield from _backend(
                mapping(path.get("backend")), join(at, "backend"), f"{where}.backend"
            )
    for index, tls in items(spec.get("tls")):
        secret = tls.get("secretName")
        if isinstance(secret, str) and secret:
            for problem in formats.dns1123_subdomain(secret):
                yield Finding(
                    obj.at("spec", "tls", str(index), "secretName"),
                    f'spec.tls[{index}].secretName: Invalid value: "{secret}": {problem}',
                )
        for host_index, host in enumerate(listed(tls.get("hosts"))):
            if isinstance(host, str):
                where = f"spec.tls[{index}].hosts[{host_index}]"
                pointer = obj.at("spec", "tls", str(index), "hosts", str(host_index))
                for problem in host_problems(host):
                    yield Finding(pointer, f'{where}: Invalid value: "{host}": {problem}')


def _backend(backend: dict[str, Any], at: str, where: str) -> Iterator[Finding]:
    """IngressBackend: a service or a resource, not both; a service's name and port."""
    service, resource = backend.get("service"), backend.get("resource")
    if service is None and resource is None:
        yield Finding(at, f"{where}: Invalid value: resource or service backend is required")
        return
    if service is not None and resource is not None:
        yield Finding(at, f"{where}: Invalid value: cannot set both resource and service backends")
        return
    if isinstance(resource, dict):
        yield from _resource(resource, join(at, "resource"), f"{where}.resource")
    if not isinstance(service, dict):
        return
    name = service.get("name")
    s_at = join(at, "service")
    if name in (None, ""):
        yield Finding(join(s_at, "name"), f"{where}.service.name: Required value")
    elif isinstance(name, str):
        for problem in formats.dns1035_label(name):
            yield Finding(
                join(s_at, "name"), f'{where}.service.name: Invalid value: "{name}": {problem}'
            )
    port = mapping(service.get("port"))
    port_name, number = port.get("name"), port.get("number")
    has_name, has_number = port_name not in (None, ""), number not in (None, 0)
    if not has_name and not has_number:
        yield Finding(at, f"{where}: Required value: port name or number is required")
    elif has_name and has_number:
        yield Finding(at, f"{where}: Invalid value: cannot set both port name & port number")
    elif isinstance(port_name, str) and has_name:
        for problem in formats.port_name(port_name):
            yield Finding(
                join(s_at, "port", "name"),
                f'{where}.service.port.name: Invalid value: "{port_name}": {problem}',
            )
    elif formats.is_int(number) and not 1 <= number <= 65535:
        yield Finding(
            join(s_at, "port", "number"),
            f"{where}.service.port.number: Invalid value: {number}: must be between 1 "
            "and 65535, inclusive",
        )


def _resource(resource: dict[str, Any], at: str, where: str) -> Iterator[Finding]:
    """A TypedLocalObjectReference: an API group that is a DNS subdomain when it is set (even
    empty), a kind and a name that are path segments."""
    group = resource.get("apiGroup")
    if isinstance(group, str):
        for problem in formats.dns1123_subdomain(group):
            yield Finding(
                join(at, "apiGroup"), f'{where}.apiGroup: Invalid value: "{group}": {problem}'
            )
    for field in ("kind", "name"):
        value = resource.get(field)
        if value in (None, ""):
            yield Finding(join(at, field), f"{where}.{field}: Required value")
        elif isinstance(value, str):
            for problem in formats.path_segment(value):
                yield Finding(
                    join(at, field), f'{where}.{field}: Invalid value: "{value}": {problem}'
                )


def host_problems(host: str) -> list[str]:
    if "*" in host:
        if len(host) > formats.SUBDOMAIN_MAX:
            return [f"must be no more than {formats.SUBDOMAIN_MAX} characters"]
        if not _WILDCARD.match(host):
            return [
                "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS "
                "subdomain, which must consist of lower case alphanumeric characters, '-' or "
                "'.' and end with an alphanumeric character"
            ]
        return []
    return formats.dns1123_subdomain(host)


def _is_ip(host: str) -> bool:
    if _SLOPPY_IPV4.match(host):
        return all(int(octet) <= 255 for octet in host.split("."))
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _path(at: str, where: str, path: dict[str, object]) -> Iterator[Finding]:
    path_type = path.get("pathType")
    value = path.get("path")
    value = value if isinstance(value, str) else ""
    pointer = join(at, "path") if "path" in path else at
    if path_type in (None, ""):
        yield Finding(
            join(at, "pathType"), f"{where}.pathType: Required value: pathType must be specified"
        )
        return
    if not isinstance(path_type, str):
        return
    if path_type not in PATH_TYPES:
        yield Finding(
            join(at, "pathType"),
            f'{where}.pathType: Unsupported value: "{path_type}": supported values: '
            + ", ".join(f'"{t}"' for t in PATH_TYPES),
        )
        return
    if path_type == "ImplementationSpecific":
        if value and not value.startswith("/"):
            yield Finding(
                pointer, f'{where}.path: Invalid value: "{value}": must be an absolute path'
            )
        return
    if not value.startswith("/"):
        yield Finding(pointer, f'{where}.path: Invalid value: "{value}": must be an absolute path')
    for sequence in INVALID_SEQUENCES:
        if sequence in value:
            yield Finding(
                pointer, f"{where}.path: Invalid value: \"{value}\": must not contain '{sequence}'"
            )
    for suffix in INVALID_SUFFIXES:
        if value.endswith(suffix):
            yield Finding(
                pointer, f"{where}.path: Invalid value: \"{value}\": cannot end with '{suffix}'"
            )
