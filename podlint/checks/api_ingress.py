"""What the apiserver refuses in an Ingress on create (ValidateIngress): hosts and paths."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

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
    if not isinstance(spec, dict):
        return
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
        http = mapping(rule.get("http"))
        for path_index, path in items(http.get("paths")):
            at = obj.at("spec", "rules", str(index), "http", "paths", str(path_index))
            yield from _path(at, f"spec.rules[{index}].http.paths[{path_index}]", path)
    for index, tls in items(spec.get("tls")):
        for host_index, host in enumerate(listed(tls.get("hosts"))):
            if isinstance(host, str):
                where = f"spec.tls[{index}].hosts[{host_index}]"
                pointer = obj.at("spec", "tls", str(index), "hosts", str(host_index))
                for problem in host_problems(host):
                    yield Finding(pointer, f'{where}: Invalid value: "{host}": {problem}')


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
    if not isinstance(path_type, str):
        return  # a missing pathType is the schema rule's
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
