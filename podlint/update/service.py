"""Service updates (``ValidateServiceUpdate`` and the REST layer before it).

A Service that needs a cluster IP keeps the one it got: a manifest that leaves ``clusterIP``
and ``clusterIPs`` out is given the stored ones back, so only a written address can differ.
One allocated by the apiserver (the previous manifest wrote none) is unknown here, so a
written address is judged against it only when it is ``None`` (a headless Service never has
an allocated address). Changes to or from ``ExternalName`` are free. The first IP family and a
LoadBalancer's ``loadBalancerClass`` never change either.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from podlint.model.finding import Finding
from podlint.model.pointer import join
from podlint.model.version import KubeVersion
from podlint.update.common import kind_of, mapping, sequence
from podlint.update.compare import show

_SERVICE = ("", "Service")
_HEADLESS = "None"
_RECREATE = (
    "delete the Service and create it again (it gets a new address), or leave clusterIP and "
    "clusterIPs out of the manifest to keep the current ones"
)


def _addresses(spec: dict[str, Any]) -> tuple[list[str], str]:
    """The written cluster IPs and the field that wrote the first one."""
    ips = [ip for ip in sequence(spec.get("clusterIPs")) if isinstance(ip, str)]
    if ips:
        return ips, "clusterIPs"
    single = spec.get("clusterIP")
    if isinstance(single, str) and single:
        return [single], "clusterIP"
    return [], ""


def _type(spec: dict[str, Any]) -> str:
    value = spec.get("type")
    return value if isinstance(value, str) and value else "ClusterIP"


def service_spec(
    old: dict[str, Any], new: dict[str, Any], version: KubeVersion, base: str = ""
) -> Iterator[Finding]:
    if kind_of(new) != _SERVICE or kind_of(old) != _SERVICE:
        return
    old_spec, new_spec = mapping(old.get("spec")), mapping(new.get("spec"))
    spec = join(base, "spec")
    old_type, new_type = _type(old_spec), _type(new_spec)
    if "ExternalName" in (old_type, new_type):
        return
    yield from _cluster_ips(old_spec, new_spec, spec)
    yield from _ip_families(old_spec, new_spec, spec)
    if old_type == new_type == "LoadBalancer":
        before, after = old_spec.get("loadBalancerClass"), new_spec.get("loadBalancerClass")
        if (before or None) != (after or None):
            at = join(spec, "loadBalancerClass") if after else spec
            state = f"changed to {show(after)}" if after else "removed"
            was = show(before) if before else "not set"
            yield Finding(
                at,
                f"spec.loadBalancerClass {state} (was {was}): may not change once set "
                "(Invalid on spec.loadBalancerClass); delete the Service and create it again",
            )


def _cluster_ips(
    old_spec: dict[str, Any], new_spec: dict[str, Any], spec: str
) -> Iterator[Finding]:
    before, _ = _addresses(old_spec)
    after, field = _addresses(new_spec)
    if not after:
        # The stored addresses are kept; a headless Service stays headless.
        if before[:1] == [_HEADLESS] and _type(new_spec) in ("NodePort", "LoadBalancer"):
            kind = _type(new_spec)
            yield Finding(
                join(spec, "type"),
                f"spec.type changed to {kind} on a headless Service: the apiserver keeps "
                f"clusterIP None, which may not be set to 'None' for {kind} services (Invalid "
                f"on spec.clusterIPs[0]); delete the Service and create it again as a {kind}",
            )
        return
    pointer = join(spec, field) if field == "clusterIP" else join(spec, "clusterIPs", 0)
    if not before:
        if after[0] == _HEADLESS:
            yield Finding(
                pointer,
                f'spec.{field} set to "None" (the apiserver allocated an address when the '
                "Service was created): may not change once set (Invalid on "
                "spec.clusterIPs[0]); a Service becomes headless only when created so: "
                + _RECREATE,
            )
        return
    if before[0] != after[0]:
        yield Finding(
            pointer,
            f"spec.{field} changed to {show(after[0])} (was {show(before[0])}): may not change "
            f"once set (Invalid on spec.clusterIPs[0]); {_RECREATE}",
        )
    elif len(before) > 1 and len(after) > 1 and before[1] != after[1]:
        yield Finding(
            join(spec, "clusterIPs", 1),
            f"spec.clusterIPs[1] changed to {show(after[1])} (was {show(before[1])}): may not "
            f"change once set (Invalid on spec.clusterIPs[1]); remove the secondary address "
            "first, then add the new one",
        )


def _ip_families(
    old_spec: dict[str, Any], new_spec: dict[str, Any], spec: str
) -> Iterator[Finding]:
    before = [f for f in sequence(old_spec.get("ipFamilies")) if isinstance(f, str)]
    after = [f for f in sequence(new_spec.get("ipFamilies")) if isinstance(f, str)]
    if before and after and before[0] != after[0]:
        yield Finding(
            join(spec, "ipFamilies", 0),
            f"spec.ipFamilies[0] changed to {show(after[0])} (was {show(before[0])}): may not "
            "change once set (Invalid on spec.ipFamilies[0]); the primary family of a Service "
            "never changes: delete the Service and create it again",
        )
