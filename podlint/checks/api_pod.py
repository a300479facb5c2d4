"""What the apiserver refuses at the pod spec level: policies, names, security, scheduling."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from podlint.checks._api import (
    V1_26,
    V1_27,
    V1_30,
    V1_33,
    V1_34,
    V1_36,
    defaulted,
    is_live,
    is_sidecar,
    items,
    listed,
    mapping,
    not_a_quantity,
    quantity_problem,
    quote,
    strings,
    validated,
)
from podlint.checks._resources import aggregate
from podlint.k8s import formats
from podlint.k8s.quantity import parse_quantity
from podlint.model.finding import Finding
from podlint.model.pointer import join
from podlint.model.views import ContainerType, ContainerView, PodSpecView
from podlint.rule import RuleContext

RESTART_POLICIES = ("Always", "OnFailure", "Never")
DNS_POLICIES = ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None")
PREEMPTION_POLICIES = ("PreemptLowerPriority", "Never")
OS_NAMES = ("linux", "windows")
INT32_MAX = 2147483647


# --- api-pod-spec -------------------------------------------------------------------------


def pod_spec(pod: PodSpecView, ctx: RuleContext) -> Iterator[Finding]:
    """restartPolicy, dnsPolicy and DNS config, names of referenced objects, os, gates."""
    if not validated(pod, ctx):
        return
    containers = pod.get("containers")
    if isinstance(containers, list) and not containers:
        yield Finding(pod.at("containers"), "spec.containers must contain at least one container")
    for field, allowed in (
        ("restartPolicy", RESTART_POLICIES),
        ("dnsPolicy", DNS_POLICIES),
        ("preemptionPolicy", PREEMPTION_POLICIES),
    ):
        value = pod.get(field)
        if isinstance(value, str) and value and value not in allowed:
            yield Finding(
                pod.at(field),
                f'{field} "{value}" is not supported; supported values: {quote(allowed)}',
            )
    yield from _dns(pod, ctx)
    strict_ip = ctx.kubernetes_version >= V1_36
    for index, alias in items(pod.get("hostAliases")):
        ip = alias.get("ip")
        if isinstance(ip, str):
            for problem in formats.ip_address(ip, strict_ip):
                yield Finding(
                    pod.at("hostAliases", index, "ip"), f'hostAliases ip "{ip}" {problem}'
                )
        for h_index, hostname in enumerate(strings(alias.get("hostnames"))):
            if isinstance(hostname, str):
                for problem in formats.dns1123_subdomain(hostname):
                    yield Finding(
                        pod.at("hostAliases", index, "hostnames", h_index),
                        f'hostAliases hostname "{hostname}" {problem}',
                    )
    deadline = pod.get("activeDeadlineSeconds")
    if formats.is_int(deadline) and not 1 <= deadline <= INT32_MAX:
        yield Finding(
            pod.at("activeDeadlineSeconds"),
            f"activeDeadlineSeconds {deadline} must be between 1 and {INT32_MAX}, inclusive",
        )
    for field, check in (
        ("serviceAccountName", formats.dns1123_subdomain),
        ("nodeName", formats.dns1123_subdomain),
        ("priorityClassName", formats.dns1123_subdomain),
        ("runtimeClassName", formats.dns1123_subdomain),
        ("hostname", formats.dns1123_label),
        ("subdomain", formats.dns1123_label),
    ):
        if field in ("hostname", "subdomain") and pod.object.kind == "StatefulSet":
            continue  # the StatefulSet controller names its Pods; these are not validated
        value = pod.get(field)
        if isinstance(value, str) and value:
            for problem in check(value):
                yield Finding(pod.at(field), f'{field} "{value}" {problem}')
    for key, value in mapping(pod.get("nodeSelector")).items():
        yield from _label(pod.at("nodeSelector", key), "nodeSelector", key, value)
    yield from _pod_quantities(pod)
    yield from _pod_resource_consistency(pod, ctx)
    yield from _resource_claims(pod)
    yield from _priority(pod)
    for index, gate in items(pod.get("readinessGates")):
        condition = gate.get("conditionType")
        if isinstance(condition, str):
            for problem in formats.qualified_name(condition):
                yield Finding(
                    pod.at("readinessGates", index, "conditionType"),
                    f'readinessGates conditionType "{condition}": {problem}',
                )
    os_spec = pod.get("os")
    if isinstance(os_spec, dict):
        name = os_spec.get("name")
        if name in (None, ""):
            yield Finding(pod.at("os", "name"), "os.name is required")
        elif isinstance(name, str) and name not in OS_NAMES:
            yield Finding(
                pod.at("os", "name"),
                f'os.name "{name}" is not supported; supported values: {quote(OS_NAMES)}',
            )
    gates: set[str] = set()
    # PodSchedulingReadiness is on by default from 1.27; before, the field is dropped or unknown.
    scheduling_gates = pod.get("schedulingGates") if ctx.kubernetes_version >= V1_27 else None
    for index, gate in items(scheduling_gates):
        name = gate.get("name")
        if isinstance(name, str):
            for problem in formats.qualified_name(name):
                yield Finding(
                    pod.at("schedulingGates", index), f'scheduling gate "{name}": {problem}'
                )
            if name in gates:
                yield Finding(
                    pod.at("schedulingGates", index),
                    f'scheduling gate "{name}" is repeated (Duplicate value)',
                )
            gates.add(name)
    if (
        gates
        and not pod.is_template
        and not is_live(pod.object.data)
        and isinstance(pod.get("nodeName"), str)
        and pod.get("nodeName")
    ):
        yield Finding(
            pod.at("nodeName"), "nodeName cannot be set until all schedulingGates have been cleared"
        )
    annotations = mapping(pod.metadata.get("annotations"))
    if "kubernetes.io/config.mirror" in annotations and not pod.get("nodeName"):
        yield Finding(
            join(pod.metadata_pointer, "annotations", "kubernetes.io/config.mirror"),
            "must set spec.nodeName if mirror pod annotation is set",
            key=True,
        )
    cost = annotations.get("controller.kubernetes.io/pod-deletion-cost")
    if isinstance(cost, str) and not _canonical_int32(cost):
        yield Finding(
            join(pod.metadata_pointer, "annotations", "controller.kubernetes.io/pod-deletion-cost"),
            f'pod-deletion-cost annotation "{cost}" must be a 32bit integer',
        )
    yield from _profile_annotations(pod, annotations)


APPARMOR_PREFIX = "container.apparmor.security.beta.kubernetes.io/"
SECCOMP_POD = "seccomp.security.alpha.kubernetes.io/pod"
SECCOMP_CONTAINER_PREFIX = "container.seccomp.security.alpha.kubernetes.io/"


def _profile_annotations(pod: PodSpecView, annotations: dict[str, Any]) -> Iterator[Finding]:
    """The deprecated AppArmor and seccomp annotations, still validated on Pods and templates."""
    for key, value in annotations.items():
        if not isinstance(key, str) or not isinstance(value, str):
            continue
        if key.startswith(APPARMOR_PREFIX):
            at = join(pod.metadata_pointer, "annotations", key)
            container = key[len(APPARMOR_PREFIX) :]
            if container not in {c.name for c in pod.containers()}:
                yield Finding(
                    at,
                    f'AppArmor annotation names no container of the pod: "{container}"',
                    key=True,
                )
            if value not in ("", "runtime/default", "unconfined") and not value.startswith(
                "localhost/"
            ):
                yield Finding(at, f'invalid AppArmor profile name "{value}"')
        elif key == SECCOMP_POD or key.startswith(SECCOMP_CONTAINER_PREFIX):
            if value in ("runtime/default", "docker/default", "unconfined"):
                continue
            if value.startswith("localhost/") and not formats.local_path(
                value[len("localhost/") :]
            ):
                continue
            at = join(pod.metadata_pointer, "annotations", key)
            yield Finding(at, f'"{value}" must be a valid seccomp profile')


POD_RESOURCES = ("cpu", "memory")


def _pod_quantities(pod: PodSpecView) -> Iterator[Finding]:
    """overhead and pod-level resources: quantities the apiserver can decode, not negative;
    pod-level resources only for cpu, memory and hugepages, requests within limits."""
    overhead = pod.get("overhead")
    if overhead and pod.object.kind == "Pod" and not pod.get("runtimeClassName"):
        # The RuntimeClass admission plugin sets overhead from the class; one written
        # without a class is refused (with a class it must match the class's).
        yield Finding(pod.at("overhead"), "overhead may only be set by a runtimeClassName's class")
    for name, value in mapping(overhead).items():
        if not_a_quantity(value):
            yield Finding(pod.at("overhead", name), quantity_problem(f"overhead {name}", value))
        elif (parse_quantity(value) or 0) < 0:
            yield Finding(pod.at("overhead", name), f"overhead {name} must not be negative")
    resources = mapping(pod.get("resources"))
    values: dict[str, dict[str, Any]] = {}
    for section in ("requests", "limits"):
        for name, value in mapping(resources.get(section)).items():
            at = pod.at("resources", section, name)
            if name not in POD_RESOURCES and not name.startswith("hugepages-"):
                yield Finding(
                    at,
                    f'pod-level resources.{section} "{name}" is not supported; supported '
                    'values: "cpu", "memory", "hugepages-<size>"',
                )
            elif not_a_quantity(value):
                yield Finding(at, quantity_problem(f"resources.{section}.{name}", value))
            elif (parse_quantity(value) or 0) < 0:
                yield Finding(at, f"resources.{section}.{name} must not be negative")
            else:
                values.setdefault(name, {})[section] = parse_quantity(value)
    for name, both in values.items():
        if "requests" in both and "limits" in both and both["requests"] > both["limits"]:
            yield Finding(
                pod.at("resources", "requests", name),
                f"pod-level resources.requests.{name} must be less than or equal to the limit",
            )


Amounts = dict[str, Decimal]


def _pod_resource_consistency(pod: PodSpecView, ctx: RuleContext) -> Iterator[Finding]:
    """validatePodResourceConsistency (PodLevelResources, on from 1.34): pod-level requests
    cover the containers' aggregate requests, a pod-level hugepages limit their aggregate
    limits, and no app container's limit exceeds the pod-level one.

    A Pod (never a template) is defaulted first: a container's missing request is its limit,
    and when pod-level limits are set, a missing pod-level cpu or memory request is the
    containers' aggregate request (or else the pod-level limit), which must then be within
    the pod-level limit. A quantity that is null or cannot be read leaves the check out.
    """
    if ctx.kubernetes_version < V1_34:
        return
    resources = pod.get("resources")
    if not isinstance(resources, dict):
        return
    pod_requests = _amounts(resources.get("requests"))
    pod_limits = _amounts(resources.get("limits"))
    if pod_requests is None or pod_limits is None:
        return
    defaults = not pod.is_template
    containers = [c for c in pod.containers() if c.type is not ContainerType.EPHEMERAL]
    requests: list[Amounts] = []
    limits: list[Amounts] = []
    for container in containers:
        section = mapping(container.get("resources"))
        wanted, ceiling = _amounts(section.get("requests")), _amounts(section.get("limits"))
        if wanted is None or ceiling is None:
            return
        if defaults:
            written = mapping(section.get("requests"))
            wanted = {**{n: v for n, v in ceiling.items() if n not in written}, **wanted}
        requests.append(wanted)
        limits.append(ceiling)
    aggregate = _aggregate(containers, requests, ctx)
    written_requests = mapping(resources.get("requests"))
    if defaults and mapping(resources.get("limits")):
        for name in POD_RESOURCES:
            if name in written_requests or name not in pod_limits:
                continue
            value = aggregate.get(name)
            if value is not None and value > pod_limits[name]:
                yield Finding(
                    pod.at("resources", "requests"),
                    f"pod-level resources.requests.{name} defaults to the aggregate container "
                    f"requests of {format_amount(value)}, which must be less than or equal to "
                    f"the pod-level {name} limit of {format_amount(pod_limits[name])}",
                )
    for name, value in pod_requests.items():
        total = aggregate.get(name)
        if total is not None and total > value:
            yield Finding(
                pod.at("resources", "requests", name),
                f"pod-level resources.requests.{name} {format_amount(value)} must be greater "
                f"than or equal to the aggregate container requests of {format_amount(total)}",
            )
    limit_aggregate = _aggregate(containers, limits, ctx)
    for name, value in pod_limits.items():
        total = limit_aggregate.get(name)
        if name.startswith("hugepages-") and total is not None and total > value:
            yield Finding(
                pod.at("resources", "limits", name),
                f"pod-level resources.limits.{name} {format_amount(value)} must be greater than "
                f"or equal to the aggregate container limits of {format_amount(total)}",
            )
    for container, ceiling in zip(containers, limits, strict=True):
        if container.type is not ContainerType.CONTAINER:
            continue
        for name, value in ceiling.items():
            if name in pod_limits and value > pod_limits[name]:
                yield Finding(
                    pod.at("resources", "limits", name),
                    f"{container.label}: limits.{name} {format_amount(value)} must be less than "
                    f"or equal to the pod-level limit of {format_amount(pod_limits[name])}",
                )


def _amounts(values: Any) -> Amounts | None:
    """A resource list's readable quantities; None when one is null or unreadable."""
    amounts: Amounts = {}
    for name, value in mapping(values).items():
        number = parse_quantity(value)
        if number is None:
            return None
        amounts[str(name)] = number
    return amounts


def _aggregate(
    containers: list[ContainerView], amounts: list[Amounts], ctx: RuleContext
) -> Amounts:
    """The aggregate of the containers' ``amounts``, with sidecars as the target version
    knows them."""
    roles = (_role(container, ctx) for container in containers)
    return aggregate(zip(roles, amounts, strict=True))


def _role(container: ContainerView, ctx: RuleContext) -> str:
    if container.type is ContainerType.CONTAINER:
        return "app"
    return "sidecar" if is_sidecar(container, ctx) else "init"


_BINARY_UNITS = (
    ("Ei", 2**60),
    ("Pi", 2**50),
    ("Ti", 2**40),
    ("Gi", 2**30),
    ("Mi", 2**20),
    ("Ki", 2**10),
)


def format_amount(value: Decimal) -> str:
    """A quantity the way people write it: 1200m, 2, 512Mi."""
    if value != value.to_integral_value():
        milli = value * 1000
        if milli == milli.to_integral_value():
            return f"{int(milli)}m"
        return str(value.normalize())
    number = int(value)
    for suffix, size in _BINARY_UNITS:
        if number and number % size == 0:
            return f"{number // size}{suffix}"
    return str(number)


def _resource_claims(pod: PodSpecView) -> Iterator[Finding]:
    """spec.resourceClaims: unique DNS label names, each with exactly one claim source;
    pod-level resources take no claims."""
    seen: set[str] = set()
    for index, claim in items(pod.get("resourceClaims")):
        at = pod.at("resourceClaims", index)
        name = claim.get("name")
        if name == "":
            yield Finding(join(at, "name"), "resourceClaims name is required")
        elif isinstance(name, str):
            for problem in formats.dns1123_label(name):
                yield Finding(join(at, "name"), f'resourceClaims name "{name}" {problem}')
            if name in seen:
                yield Finding(
                    join(at, "name"), f'resourceClaims name "{name}" is listed twice (Duplicate)'
                )
            seen.add(name)
        sources = [f for f in CLAIM_SOURCES if claim.get(f) is not None]
        if not sources:
            yield Finding(
                at, f"resourceClaims[{index}] must specify one of: {quote(CLAIM_SOURCES)}"
            )
        elif len(sources) > 1:
            yield Finding(
                join(at, sources[1]),
                f"resourceClaims[{index}]: at most one of {quote(CLAIM_SOURCES)} may be specified",
            )
        for field in sources:
            value = claim[field]
            if isinstance(value, str):
                for problem in formats.dns1123_subdomain(value):
                    yield Finding(join(at, field), f'resourceClaims {field} "{value}" {problem}')
    if mapping(pod.get("resources")).get("claims"):
        yield Finding(
            pod.at("resources", "claims"), "claims may not be set for pod-level resources"
        )


# The PriorityClasses every cluster has: (value, preemptionPolicy).
SYSTEM_PRIORITY_CLASSES = {
    "system-node-critical": (2000001000, "PreemptLowerPriority"),
    "system-cluster-critical": (2000000000, "PreemptLowerPriority"),
}


def _priority(pod: PodSpecView) -> Iterator[Finding]:
    """The Priority admission plugin fills a Pod's priority and preemptionPolicy from its
    priorityClassName and refuses a Pod that wrote other values. Only the system classes and
    no class at all are known here (with no class, the value of a globalDefault class is
    cluster state: a cluster without one computes 0 and PreemptLowerPriority)."""
    if pod.is_template or is_live(pod.object.data):
        return
    name = pod.get("priorityClassName")
    if name is None or name == "":
        computed = (0, "PreemptLowerPriority")
        source = "no priorityClassName (without a globalDefault PriorityClass)"
    elif name in SYSTEM_PRIORITY_CLASSES:
        computed = SYSTEM_PRIORITY_CLASSES[name]
        source = f'priorityClassName "{name}"'
    else:
        return
    priority, policy = pod.get("priority"), pod.get("preemptionPolicy")
    if formats.is_int(priority) and priority != computed[0]:
        yield Finding(
            pod.at("priority"),
            f"priority {priority} must not be set: the Priority admission plugin computes "
            f"{computed[0]} from {source}",
        )
    if isinstance(policy, str) and policy and policy != computed[1]:
        yield Finding(
            pod.at("preemptionPolicy"),
            f'preemptionPolicy "{policy}" must not be set: the Priority admission plugin '
            f'computes "{computed[1]}" from {source}',
        )


CLAIM_SOURCES = ("resourceClaimName", "resourceClaimTemplateName")


def _canonical_int32(text: str) -> bool:
    try:
        value = int(text)
    except ValueError:
        return False
    return str(value) == text and -(2**31) <= value < 2**31


def _label(at: str, where: str, key: Any, value: Any) -> Iterator[Finding]:
    for problem in formats.qualified_name(str(key)):
        yield Finding(at, f'{where} key "{key}": {problem}', key=True)
    if isinstance(value, str):
        for problem in formats.label_value(value):
            yield Finding(at, f'{where} value "{value}" of "{key}": {problem}')


def _dns(pod: PodSpecView, ctx: RuleContext) -> Iterator[Finding]:
    config = pod.get("dnsConfig")
    if defaulted(pod.get("dnsPolicy"), "ClusterFirst") == "None":
        if not isinstance(config, dict):
            yield Finding(pod.at("dnsConfig"), 'dnsConfig is required when dnsPolicy is "None"')
            return
        if not config.get("nameservers"):
            yield Finding(
                pod.at("dnsConfig", "nameservers"),
                'dnsConfig.nameservers needs at least one nameserver when dnsPolicy is "None"',
            )
    if not isinstance(config, dict):
        return
    nameservers = config.get("nameservers")
    for index, server in enumerate(nameservers if isinstance(nameservers, list) else []):
        if isinstance(server, str):
            for problem in formats.ip_address(server, ctx.kubernetes_version >= V1_36):
                yield Finding(
                    pod.at("dnsConfig", "nameservers", index), f'nameserver "{server}" {problem}'
                )
    if isinstance(nameservers, list) and len(nameservers) > 3:
        yield Finding(
            pod.at("dnsConfig", "nameservers"),
            "dnsConfig.nameservers must not have more than 3 entries",
        )
    search = config.get("searches")
    if isinstance(search, list) and len(search) > 32:
        yield Finding(
            pod.at("dnsConfig", "searches"), "dnsConfig.searches must not have more than 32 entries"
        )
    domains = [domain for domain in strings(search) if isinstance(domain, str)]
    if sum(len(domain) for domain in domains) + len(domains) - 1 > 2048:
        yield Finding(
            pod.at("dnsConfig", "searches"),
            "dnsConfig.searches must not be longer than 2048 characters in all",
        )
    for index, domain in enumerate(strings(search)):
        if isinstance(domain, str) and domain != ".":
            for problem in formats.dns1123_subdomain(domain.removesuffix(".")):
                yield Finding(
                    pod.at("dnsConfig", "searches", index), f'search domain "{domain}" {problem}'
                )
    for index, option in items(config.get("options")):
        if option.get("name") in (None, ""):
            yield Finding(
                pod.at("dnsConfig", "options", index), "dnsConfig.options name is required"
            )


# --- api-security-context -----------------------------------------------------------------

SECCOMP_TYPES = ("Localhost", "RuntimeDefault", "Unconfined")
SYSCTL_NAME = re.compile(r"^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$")
FS_GROUP_POLICIES = ("OnRootMismatch", "Always")
PROC_MOUNTS = ("Default", "Unmasked")


def security_context(pod: PodSpecView, ctx: RuleContext) -> Iterator[Finding]:
    """Pod and container securityContext shapes and ranges."""
    if not validated(pod, ctx):
        return
    context = pod.get("securityContext")
    yield from _host_users(pod, ctx)
    yield from _os_specific(pod)
    yield from _windows_options(pod)
    if isinstance(context, dict):
        at = pod.at("securityContext")
        yield from _ids("securityContext", context, at, ("runAsUser", "runAsGroup", "fsGroup"))
        for index, group in enumerate(listed(context.get("supplementalGroups"))):
            if formats.is_int(group) and not 0 <= group <= INT32_MAX:
                yield Finding(
                    join(at, "supplementalGroups", index),
                    f"securityContext.supplementalGroups[{index}] must be between 0 and "
                    f"{INT32_MAX}, inclusive",
                )
        policy = context.get("fsGroupChangePolicy")
        if isinstance(policy, str) and policy not in FS_GROUP_POLICIES:
            yield Finding(
                join(at, "fsGroupChangePolicy"),
                f'fsGroupChangePolicy "{policy}" is not supported; supported values: '
                f"{quote(FS_GROUP_POLICIES)}",
            )
        # A profile that is not a mapping is the schema rule's: its pointer is not built.
        profile = context.get("seccompProfile")
        if isinstance(profile, dict):
            yield from _profile(
                "securityContext.seccompProfile", profile, join(at, "seccompProfile")
            )
        profile = context.get("appArmorProfile")
        if isinstance(profile, dict) and ctx.kubernetes_version >= V1_30:  # new in 1.30
            yield from _profile(
                "securityContext.appArmorProfile", profile, join(at, "appArmorProfile")
            )
        groups_policy = context.get("supplementalGroupsPolicy")
        # SupplementalGroupsPolicy is on by default from 1.33; before, the field is dropped.
        if (
            isinstance(groups_policy, str)
            and groups_policy not in ("Merge", "Strict")
            and ctx.kubernetes_version >= V1_33
        ):
            yield Finding(
                join(at, "supplementalGroupsPolicy"),
                f'supplementalGroupsPolicy "{groups_policy}" is not supported; supported '
                'values: "Merge", "Strict"',
            )
        names: set[str] = set()
        for index, sysctl in items(context.get("sysctls")):
            name = sysctl.get("name")
            if name in (None, ""):
                yield Finding(join(at, "sysctls", index), "sysctl name is required")
            elif isinstance(name, str):
                if len(name) > 253 or not SYSCTL_NAME.match(name):
                    yield Finding(
                        join(at, "sysctls", index, "name"),
                        f'sysctl "{name}" must have at most 253 characters and match the regex '
                        f"{SYSCTL_NAME.pattern}",
                    )
                if name in names:
                    yield Finding(
                        join(at, "sysctls", index, "name"),
                        f'sysctl "{name}" is repeated (Duplicate value)',
                    )
                names.add(name)
    if pod.get("shareProcessNamespace") is True and pod.get("hostPID") is True:
        yield Finding(
            pod.at("shareProcessNamespace"),
            "shareProcessNamespace and hostPID cannot both be enabled",
        )
    for c in pod.containers():
        sc = c.get("securityContext")
        if not isinstance(sc, dict):
            continue
        sc_at = c.at("securityContext")
        if sc.get("privileged") is True and ctx.params.get("allow-privileged", True) is False:
            yield Finding(
                join(sc_at, "privileged"),
                f"{c.label}: privileged containers are disallowed by cluster policy "
                "(the apiserver runs with --allow-privileged=false)",
            )
        yield from _ids(f"{c.label}: securityContext", sc, sc_at, ("runAsUser", "runAsGroup"))
        proc = sc.get("procMount")
        # ProcMountType is on by default from 1.33; before, procMount is dropped.
        if isinstance(proc, str) and proc and ctx.kubernetes_version >= V1_33:
            if proc not in PROC_MOUNTS:
                yield Finding(
                    join(sc_at, "procMount"),
                    f'{c.label}: procMount "{proc}" is not supported; supported values: '
                    f"{quote(PROC_MOUNTS)}",
                )
            elif proc == "Unmasked" and pod.get("hostUsers") is not False:
                yield Finding(
                    join(sc_at, "procMount"),
                    f"{c.label}: procMount Unmasked requires hostUsers: false",
                )
        if sc.get("allowPrivilegeEscalation") is False:
            if sc.get("privileged") is True:
                yield Finding(
                    join(sc_at, "allowPrivilegeEscalation"),
                    f"{c.label}: cannot set allowPrivilegeEscalation to false and "
                    f"privileged to true",
                )
            added = mapping(sc.get("capabilities")).get("add")
            if isinstance(added, list) and "CAP_SYS_ADMIN" in added:
                yield Finding(
                    join(sc_at, "allowPrivilegeEscalation"),
                    f"{c.label}: cannot set allowPrivilegeEscalation to false and "
                    "capabilities.add CAP_SYS_ADMIN",
                )
        profile = sc.get("seccompProfile")
        if isinstance(profile, dict):
            yield from _profile(
                f"{c.label}: seccompProfile", profile, join(sc_at, "seccompProfile")
            )
        profile = sc.get("appArmorProfile")
        if isinstance(profile, dict) and ctx.kubernetes_version >= V1_30:
            yield from _profile(
                f"{c.label}: appArmorProfile", profile, join(sc_at, "appArmorProfile")
            )


def _host_users(pod: PodSpecView, ctx: RuleContext) -> Iterator[Finding]:
    # UserNamespacesSupport is on by default from 1.33; before, hostUsers is dropped.
    if pod.get("hostUsers") is not False or ctx.kubernetes_version < V1_33:
        return
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        if pod.get(field) is True:
            yield Finding(pod.at(field), f"{field} cannot be used with hostUsers: false")
    for c in pod.containers():
        if c.get("volumeDevices"):
            yield Finding(
                c.at("volumeDevices"),
                f"{c.label}: volumeDevices cannot be used with hostUsers: false",
            )


WINDOWS_FORBIDDEN_POD = ("hostPID", "hostIPC", "shareProcessNamespace")
WINDOWS_FORBIDDEN_POD_CONTEXT = (
    "appArmorProfile", "seLinuxOptions", "seccompProfile", "fsGroup", "fsGroupChangePolicy",
    "sysctls", "runAsUser", "runAsGroup", "supplementalGroups", "supplementalGroupsPolicy",
    "seLinuxChangePolicy",
)  # fmt: skip
WINDOWS_FORBIDDEN_CONTAINER_CONTEXT = (
    "appArmorProfile", "seLinuxOptions", "seccompProfile", "capabilities",
    "readOnlyRootFilesystem", "privileged", "allowPrivilegeEscalation", "procMount",
    "runAsUser", "runAsGroup",
)  # fmt: skip


def _os_specific(pod: PodSpecView) -> Iterator[Finding]:
    """spec.os.name rules out the other system's security settings."""
    name = mapping(pod.get("os")).get("name")
    context = mapping(pod.get("securityContext"))
    if name == "linux":
        if context.get("windowsOptions") is not None:
            yield Finding(
                pod.at("securityContext", "windowsOptions"),
                "windowsOptions cannot be set for a linux pod",
            )
        for c in pod.containers():
            if mapping(c.get("securityContext")).get("windowsOptions") is not None:
                yield Finding(
                    c.at("securityContext", "windowsOptions"),
                    f"{c.label}: windowsOptions cannot be set for a linux pod",
                )
    elif name == "windows":
        for field in WINDOWS_FORBIDDEN_POD:
            if pod.get(field) is True:
                yield Finding(pod.at(field), f"{field} cannot be set for a windows pod")
        for field in WINDOWS_FORBIDDEN_POD_CONTEXT:
            if _set(field, context.get(field)):
                yield Finding(
                    pod.at("securityContext", field),
                    f"securityContext.{field} cannot be set for a windows pod",
                )
        for c in pod.containers():
            container_context = mapping(c.get("securityContext"))
            for field in WINDOWS_FORBIDDEN_CONTAINER_CONTEXT:
                if _set(field, container_context.get(field)):
                    yield Finding(
                        c.at("securityContext", field),
                        f"{c.label}: securityContext.{field} cannot be set for a windows pod",
                    )


RUN_AS_USER_NAME_MAX = 256


def _windows_options(pod: PodSpecView) -> Iterator[Finding]:
    """hostProcess needs hostNetwork; runAsUserName is a DOMAIN\\user name."""
    places: list[PodSpecView | ContainerView] = [pod, *pod.containers()]
    host_process = False
    for place in places:
        options = mapping(mapping(place.get("securityContext")).get("windowsOptions"))
        host_process = host_process or options.get("hostProcess") is True
        user = options.get("runAsUserName")
        if not isinstance(user, str):
            continue
        problem = None
        if not user:
            problem = "must not be empty"
        elif len(user) > RUN_AS_USER_NAME_MAX:
            problem = f"must be no more than {RUN_AS_USER_NAME_MAX} characters"
        elif user.count("\\") > 1:
            problem = "cannot contain more than one backslash"
        if problem:
            label = f"{place.label}: " if isinstance(place, ContainerView) else ""
            yield Finding(
                place.at("securityContext", "windowsOptions", "runAsUserName"),
                f"{label}windowsOptions.runAsUserName {problem}",
            )
    if host_process and pod.get("hostNetwork") is not True:
        yield Finding(
            pod.at("hostNetwork"),
            "hostNetwork must be true if pod contains any hostProcess containers",
        )


def _set(field: str, value: Any) -> bool:
    # An empty list or mapping is set all the same (supplementalGroups: [] is refused), except
    # for sysctls, which the apiserver checks by length.
    return bool(value) if field == "sysctls" else value is not None


def _ids(
    where: str, context: dict[str, Any], at: str, fields: tuple[str, ...]
) -> Iterator[Finding]:
    for field in fields:
        value = context.get(field)
        if formats.is_int(value) and not 0 <= value <= INT32_MAX:
            yield Finding(
                join(at, field),
                f"{where}.{field} {value} must be between 0 and {INT32_MAX}, inclusive",
            )


def _profile(where: str, profile: Any, at: str) -> Iterator[Finding]:
    if not isinstance(profile, dict):
        return
    kind = profile.get("type")
    local = profile.get("localhostProfile")
    if kind in (None, ""):
        yield Finding(join(at, "type"), f"{where}: type is required")
        return
    if not isinstance(kind, str):
        return
    if kind not in SECCOMP_TYPES:
        yield Finding(
            join(at, "type"),
            f'{where}: type "{kind}" is not supported; supported values: {quote(SECCOMP_TYPES)}',
        )
    elif kind == "Localhost" and local in (None, ""):
        yield Finding(
            join(at, "localhostProfile"),
            f"{where}: localhostProfile is required when type is Localhost",
        )
    elif kind == "Localhost" and isinstance(local, str) and "seccomp" in where:
        for problem in formats.local_path(local):
            yield Finding(
                join(at, "localhostProfile"), f'{where}: localhostProfile "{local}" {problem}'
            )
    elif kind != "Localhost" and local is not None:
        yield Finding(
            join(at, "localhostProfile"),
            f"{where}: localhostProfile can only be set when type is Localhost",
        )


# --- api-scheduling -----------------------------------------------------------------------

EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
SELECTOR_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt")
WHEN_UNSATISFIABLE = ("DoNotSchedule", "ScheduleAnyway")
INCLUSION_POLICIES = ("Honor", "Ignore")


def scheduling(pod: PodSpecView, ctx: RuleContext) -> Iterator[Finding]:
    """Tolerations, node and pod (anti-)affinity, topologySpreadConstraints."""
    if not validated(pod, ctx):
        return
    for index, toleration in items(pod.get("tolerations")):
        yield from _toleration(toleration, pod.at("tolerations", index))
    affinity = mapping(pod.get("affinity"))
    node = mapping(affinity.get("nodeAffinity"))
    required = node.get("requiredDuringSchedulingIgnoredDuringExecution")
    if isinstance(required, dict):
        at = pod.at("affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution")
        terms = required.get("nodeSelectorTerms")
        if not terms:
            yield Finding(
                join(at, "nodeSelectorTerms"),
                "nodeAffinity required nodeSelectorTerms must not be empty",
            )
        for index, term in items(terms):
            yield from _node_term(term, join(at, "nodeSelectorTerms", index), True)
    for index, weighted in items(node.get("preferredDuringSchedulingIgnoredDuringExecution")):
        preferred_at = pod.at(
            "affinity", "nodeAffinity", "preferredDuringSchedulingIgnoredDuringExecution"
        )
        yield from _weight(weighted, join(preferred_at, index))
        preference = weighted.get("preference")
        if isinstance(preference, dict):
            yield from _node_term(preference, join(preferred_at, index, "preference"), False)
    # A Pod's matchLabelKeys become selector requirements on its own labels when it is
    # created; a pod template's are only validated in form.
    labels = pod.metadata.get("labels") if not pod.is_template else None
    for kind in ("podAffinity", "podAntiAffinity"):
        spec = mapping(affinity.get(kind))
        if not spec:
            continue
        base = pod.at("affinity", kind)
        for index, term in items(spec.get("requiredDuringSchedulingIgnoredDuringExecution")):
            yield from _pod_term(
                term, join(base, "requiredDuringSchedulingIgnoredDuringExecution", index), labels
            )
        for index, weighted in items(spec.get("preferredDuringSchedulingIgnoredDuringExecution")):
            w_at = join(base, "preferredDuringSchedulingIgnoredDuringExecution", index)
            yield from _weight(weighted, w_at)
            affinity_term = weighted.get("podAffinityTerm")
            if isinstance(affinity_term, dict):
                yield from _pod_term(affinity_term, join(w_at, "podAffinityTerm"), labels)
    seen: set[tuple[Any, Any]] = set()
    for index, constraint in items(pod.get("topologySpreadConstraints")):
        at = pod.at("topologySpreadConstraints", index)
        yield from _spread(constraint, at, seen, ctx)
        yield from _label_keys(constraint, at, ("matchLabelKeys",), labels)


def _toleration(toleration: dict[str, Any], at: str) -> Iterator[Finding]:
    key = toleration.get("key")
    operator = defaulted(toleration.get("operator"), "Equal")
    value = toleration.get("value")
    if isinstance(key, str) and key:
        for problem in formats.qualified_name(key):
            yield Finding(join(at, "key"), f'toleration key "{key}": {problem}')
    elif operator != "Exists":
        yield Finding(
            join(at, "operator"), 'toleration operator must be "Exists" when key is empty'
        )
    if operator == "Equal":
        if isinstance(value, str):
            for problem in formats.label_value(value):
                yield Finding(join(at, "value"), f'toleration value "{value}": {problem}')
    elif operator == "Exists":
        if isinstance(value, str) and value:
            yield Finding(
                join(at, "value"), 'toleration value must be empty when operator is "Exists"'
            )
    elif isinstance(operator, str):
        yield Finding(
            join(at, "operator"),
            f'toleration operator "{operator}" is not supported; supported values: "Equal", '
            f'"Exists"',
        )
    effect = toleration.get("effect")
    if isinstance(effect, str) and effect and effect not in EFFECTS:
        yield Finding(
            join(at, "effect"),
            f'toleration effect "{effect}" is not supported; supported values: {quote(EFFECTS)}',
        )
    if toleration.get("tolerationSeconds") is not None and effect != "NoExecute":
        yield Finding(
            join(at, "effect"),
            'toleration effect must be "NoExecute" when tolerationSeconds is set',
        )


def _expression(expression: dict[str, Any], at: str, node: bool) -> Iterator[Finding]:
    """One matchExpressions entry: its key is a qualified name, then the requirement."""
    key = expression.get("key")
    if isinstance(key, str):
        noun = "node selector key" if node else "selector key"
        for problem in formats.qualified_name(key):
            yield Finding(join(at, "key"), f'{noun} "{key}": {problem}')
    yield from _requirement(expression, at, node=node)


def _node_term(term: dict[str, Any], at: str, required: bool) -> Iterator[Finding]:
    for index, expression in items(term.get("matchExpressions")):
        e_at = join(at, "matchExpressions", index)
        yield from _expression(expression, e_at, node=True)
        if required:
            for v_index, value in enumerate(listed(expression.get("values"))):
                if isinstance(value, str):
                    for problem in formats.label_value(value):
                        yield Finding(
                            join(e_at, "values", v_index),
                            f'node selector value "{value}": {problem}',
                        )
    for index, field in items(term.get("matchFields")):
        f_at = join(at, "matchFields", index)
        if field.get("key") != "metadata.name":
            yield Finding(
                join(f_at, "key"),
                f'matchFields key "{field.get("key")}" is not supported; supported values: '
                f'"metadata.name"',
            )
        if field.get("operator") not in ("In", "NotIn"):
            yield Finding(join(f_at, "operator"), 'matchFields operator must be "In" or "NotIn"')
        values = field.get("values")
        if not isinstance(values, list) or len(values) != 1:
            yield Finding(join(f_at, "values"), "matchFields must have exactly one value")


def _requirement(expression: dict[str, Any], at: str, node: bool) -> Iterator[Finding]:
    operator = expression.get("operator")
    values = expression.get("values")
    count = len(values) if isinstance(values, list) else 0
    if operator in ("In", "NotIn"):
        if count == 0:
            yield Finding(
                join(at, "values"), f'values must be non-empty when operator is "{operator}"'
            )
    elif operator in ("Exists", "DoesNotExist"):
        if count:
            yield Finding(
                join(at, "values"), f'values may not be specified when operator is "{operator}"'
            )
    elif node and operator in ("Gt", "Lt"):
        if count != 1:
            yield Finding(
                join(at, "values"),
                f'values must have exactly one value when operator is "{operator}"',
            )
    elif isinstance(operator, str):
        allowed = SELECTOR_OPERATORS if node else SELECTOR_OPERATORS[:4]
        yield Finding(
            join(at, "operator"),
            f'"{operator}" is not a valid selector operator; supported values: {quote(allowed)}',
        )


def _weight(weighted: dict[str, Any], at: str) -> Iterator[Finding]:
    weight = weighted.get("weight")
    if formats.is_int(weight) and not 1 <= weight <= 100:
        yield Finding(join(at, "weight"), f"weight {weight} must be in the range 1-100")


def label_selector(selector: Any, at: str) -> Iterator[Finding]:
    """A metav1.LabelSelector: label keys and values, operators and their values."""
    if not isinstance(selector, dict):
        return
    for key, value in mapping(selector.get("matchLabels")).items():
        yield from _label(join(at, "matchLabels", key), "matchLabels", key, value)
    for index, expression in items(selector.get("matchExpressions")):
        e_at = join(at, "matchExpressions", index)
        yield from _expression(expression, e_at, node=False)


def _pod_term(term: dict[str, Any], at: str, labels: Any) -> Iterator[Finding]:
    yield from _label_keys(term, at, ("matchLabelKeys", "mismatchLabelKeys"), labels)
    yield from label_selector(term.get("labelSelector"), join(at, "labelSelector"))
    yield from label_selector(term.get("namespaceSelector"), join(at, "namespaceSelector"))
    for index, namespace in enumerate(strings(term.get("namespaces"))):
        if isinstance(namespace, str):
            for problem in formats.dns1123_label(namespace):
                yield Finding(join(at, "namespaces", index), f'namespace "{namespace}" {problem}')
    key = term.get("topologyKey")
    if key in (None, ""):
        yield Finding(join(at, "topologyKey"), "topologyKey can not be empty")
    elif isinstance(key, str):
        for problem in formats.qualified_name(key):
            yield Finding(join(at, "topologyKey"), f'topologyKey "{key}": {problem}')


def _label_keys(
    term: dict[str, Any], at: str, fields: tuple[str, ...], labels: Any
) -> Iterator[Finding]:
    """matchLabelKeys (and mismatchLabelKeys): label keys, only beside a labelSelector, never
    in both lists; on a Pod, not a key of its own labels the selector already names."""
    selector = term.get("labelSelector")
    keys: dict[str, set[str]] = {}
    for field in fields:
        listed_keys = strings(term.get(field))
        keys[field] = {k for k in listed_keys if isinstance(k, str)}
        if listed_keys and selector is None:
            yield Finding(
                join(at, field), f"{field} must not be specified when labelSelector is not set"
            )
        for index, key in enumerate(listed_keys):
            if isinstance(key, str):
                for problem in formats.qualified_name(key):
                    yield Finding(join(at, field, index), f'{field} "{key}": {problem}')
    if len(fields) == 2:
        both = keys[fields[0]] & keys[fields[1]]
        for index, key in enumerate(strings(term.get(fields[0]))):
            if key in both:
                yield Finding(
                    join(at, fields[0], index),
                    f'"{key}" exists in both matchLabelKeys and mismatchLabelKeys',
                )
    if isinstance(labels, dict) and isinstance(selector, dict):
        selected: set[Any] = set(mapping(selector.get("matchLabels")))
        selected |= {e.get("key") for _, e in items(selector.get("matchExpressions"))}
        for index, key in enumerate(strings(term.get("matchLabelKeys"))):
            if key in labels and key in selected:
                yield Finding(
                    join(at, "matchLabelKeys", index),
                    f'"{key}" exists in both matchLabelKeys and labelSelector',
                )


def _spread(
    constraint: dict[str, Any], at: str, seen: set[tuple[Any, Any]], ctx: RuleContext
) -> Iterator[Finding]:
    skew = constraint.get("maxSkew")
    if formats.is_int(skew) and skew <= 0:
        yield Finding(join(at, "maxSkew"), f"maxSkew {skew} must be greater than zero")
    key = constraint.get("topologyKey")
    if key == "":
        yield Finding(join(at, "topologyKey"), "topologyKey can not be empty")
    when = constraint.get("whenUnsatisfiable")
    if isinstance(when, str) and when not in WHEN_UNSATISFIABLE:
        yield Finding(
            join(at, "whenUnsatisfiable"),
            f'whenUnsatisfiable "{when}" is not supported; supported values: '
            f"{quote(WHEN_UNSATISFIABLE)}",
        )
    pair = (key, when)
    if isinstance(key, str) and isinstance(when, str):
        if pair in seen:
            yield Finding(
                join(at, "topologyKey"),
                f'a constraint with topologyKey "{key}" and whenUnsatisfiable "{when}" '
                f"already exists (Duplicate value)",
            )
        seen.add(pair)
    domains = constraint.get("minDomains")
    if formats.is_int(domains):
        if domains <= 0:
            yield Finding(join(at, "minDomains"), f"minDomains {domains} must be greater than zero")
        elif when != "DoNotSchedule":
            yield Finding(
                join(at, "minDomains"),
                'minDomains can only be used when whenUnsatisfiable is "DoNotSchedule"',
            )
    # NodeInclusionPolicyInPodTopologySpread is on by default from 1.26.
    for field in (
        ("nodeAffinityPolicy", "nodeTaintsPolicy") if ctx.kubernetes_version >= V1_26 else ()
    ):
        value = constraint.get(field)
        if isinstance(value, str) and value not in INCLUSION_POLICIES:
            yield Finding(
                join(at, field),
                f'{field} "{value}" is not supported; supported values: '
                f"{quote(INCLUSION_POLICIES)}",
            )
    yield from label_selector(constraint.get("labelSelector"), join(at, "labelSelector"))
