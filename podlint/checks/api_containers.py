"""What the apiserver refuses in containers: names, ports, env, resources, probes, init rules.

Defaults the apiserver applies first are honoured: unset or empty imagePullPolicy,
terminationMessagePolicy, port protocol, probe counters and httpGet scheme take their
default values before anything is compared.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from podlint.checks._api import (
    V1_30,
    V1_32,
    V1_33,
    V1_34,
    V1_35,
    V1_36,
    defaulted,
    is_live,
    is_sidecar,
    items,
    mapping,
    pod_restart_policy,
    quantity_problem,
    quote,
    sidecars_enabled,
    validated,
)
from podlint.k8s import formats
from podlint.k8s.quantity import parse_quantity
from podlint.model.finding import Finding
from podlint.model.pointer import escape, join
from podlint.model.views import ContainerType, ContainerView, PodSpecView
from podlint.rule import RuleContext

PULL_POLICIES = ("Always", "IfNotPresent", "Never")
MESSAGE_POLICIES = ("File", "FallbackToLogsOnError")
PROTOCOLS = ("TCP", "UDP", "SCTP")
RESTART_POLICIES = ("Always", "OnFailure", "Never")


# --- api-container ----------------------------------------------------------------------


def container(c: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    """Name, image, pull and termination-message policies of one container."""
    if not validated(c.pod, ctx):
        return
    name = c.get("name")
    if isinstance(name, str):
        if not name:
            yield Finding(c.at("name"), f"{c.label}: name is required (Required value)")
        else:
            for problem in formats.dns1123_label(name):
                yield Finding(c.at("name"), f'{c.label}: name "{name}" {problem}')
    image = c.get("image")
    if (
        isinstance(image, str)
        and image
        and image != image.strip()
        and not c.pod.is_template
        and c.type is not ContainerType.EPHEMERAL
    ):
        yield Finding(
            c.at("image"), f"{c.label}: image must not have leading or trailing whitespace"
        )
    policy = defaulted(c.get("imagePullPolicy"), "Always")
    if isinstance(policy, str) and policy not in PULL_POLICIES:
        yield Finding(
            c.at("imagePullPolicy"),
            f'{c.label}: imagePullPolicy "{policy}" is not supported; '
            f"supported values: {quote(PULL_POLICIES)}",
        )
    message = defaulted(c.get("terminationMessagePolicy"), "File")
    if isinstance(message, str) and message not in MESSAGE_POLICIES:
        yield Finding(
            c.at("terminationMessagePolicy"),
            f'{c.label}: terminationMessagePolicy "{message}" is not supported; '
            f"supported values: {quote(MESSAGE_POLICIES)}",
        )


# --- api-ports ----------------------------------------------------------------------------


def ports(pod: PodSpecView, ctx: RuleContext) -> Iterator[Finding]:
    """Port names, numbers and protocols; host ports unique; hostNetwork needs matching ports."""
    if not validated(pod, ctx):
        return
    host_network = pod.get("hostNetwork") is True
    # Only Pods are defaulted: with hostNetwork an unset hostPort becomes the containerPort.
    default_host_port = host_network and not pod.is_template
    regular_seen: dict[str, str] = {}
    for c in pod.containers():
        if c.type is ContainerType.EPHEMERAL:
            continue
        seen = regular_seen if c.type is ContainerType.CONTAINER else {}
        names: set[str] = set()
        for index, port in items(c.get("ports")):
            at = c.at("ports", index)
            yield from _port(c, port, at, names)
            container_port = port.get("containerPort")
            host_port = port.get("hostPort")
            if host_port in (None, 0) and default_host_port and formats.is_int(container_port):
                host_port = container_port
            if formats.is_int(host_port) and host_port != 0:
                protocol = defaulted(port.get("protocol"), "TCP")
                key = f"{protocol}/{port.get('hostIP') or ''}/{host_port}"
                if key in seen:
                    yield Finding(
                        join(at, "hostPort"),
                        f"{c.label}: host port {key} is already used by {seen[key]} "
                        "(Duplicate value)",
                    )
                else:
                    seen[key] = c.label
            if (
                host_network
                and c.type is ContainerType.CONTAINER
                and formats.is_int(port.get("hostPort"))
                and port.get("hostPort") != 0
                and formats.is_int(container_port)
                and port.get("hostPort") != container_port
            ):
                yield Finding(
                    join(at, "hostPort"),
                    f"{c.label}: hostPort {port.get('hostPort')} must match containerPort "
                    f"{container_port} when hostNetwork is true",
                )


def _port(c: ContainerView, port: dict[str, Any], at: str, names: set[str]) -> Iterator[Finding]:
    name = port.get("name")
    if isinstance(name, str) and name:
        for problem in formats.port_name(name):
            yield Finding(join(at, "name"), f'{c.label}: port name "{name}" {problem}')
        if name in names:
            yield Finding(
                join(at, "name"), f'{c.label}: port name "{name}" is used twice (Duplicate value)'
            )
        names.add(name)
    number = port.get("containerPort")
    if number == 0:
        yield Finding(join(at, "containerPort"), f"{c.label}: containerPort is required")
    elif formats.is_int(number) and not 1 <= number <= 65535:
        yield Finding(
            join(at, "containerPort"),
            f"{c.label}: containerPort {number} must be between 1 and 65535, inclusive",
        )
    host = port.get("hostPort")
    if formats.is_int(host) and host != 0 and not 1 <= host <= 65535:
        yield Finding(
            join(at, "hostPort"),
            f"{c.label}: hostPort {host} must be between 1 and 65535, inclusive",
        )
    protocol = defaulted(port.get("protocol"), "TCP")
    if isinstance(protocol, str) and protocol not in PROTOCOLS:
        yield Finding(
            join(at, "protocol"),
            f'{c.label}: protocol "{protocol}" is not supported; supported values: '
            f"{quote(PROTOCOLS)}",
        )


# --- api-env ------------------------------------------------------------------------------

_FIELD_PATHS = (
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "spec.nodeName",
    "spec.serviceAccountName",
    "status.hostIP",
    "status.hostIPs",
    "status.podIP",
    "status.podIPs",
)
_RESOURCE_FIELDS = (
    "limits.cpu",
    "limits.memory",
    "limits.ephemeral-storage",
    "requests.cpu",
    "requests.memory",
    "requests.ephemeral-storage",
)
_VALUE_SOURCES = ("fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef")


def env(c: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    """Env var names, valueFrom with exactly one source, envFrom with exactly one source."""
    if not validated(c.pod, ctx):
        return
    relaxed = ctx.kubernetes_version >= V1_32
    for index, var in items(c.get("env")):
        at = c.at("env", index)
        name = var.get("name")
        if name == "":
            yield Finding(join(at, "name"), f"{c.label}: env name is required")
        elif isinstance(name, str):
            for problem in formats.env_var_name(name, relaxed):
                yield Finding(join(at, "name"), f'{c.label}: env name "{name}": {problem}')
        source = var.get("valueFrom")
        if isinstance(source, dict):
            yield from _value_from(c, var, source, join(at, "valueFrom"), ctx)
    for index, entry in items(c.get("envFrom")):
        at = c.at("envFrom", index)
        prefix = entry.get("prefix")
        if isinstance(prefix, str) and prefix:
            for problem in formats.env_var_name(prefix, relaxed):
                yield Finding(
                    join(at, "prefix"), f'{c.label}: envFrom prefix "{prefix}": {problem}'
                )
        refs = [k for k in ("configMapRef", "secretRef") if entry.get(k) is not None]
        if len(refs) != 1:
            yield Finding(
                at,
                f"{c.label}: envFrom must have exactly one of configMapRef or secretRef "
                f"(has {len(refs)})",
            )
        for ref in refs:
            yield from _ref_name(c, mapping(entry.get(ref)), join(at, ref), f"envFrom {ref}", True)


def _value_from(
    c: ContainerView, var: dict[str, Any], source: dict[str, Any], at: str, ctx: RuleContext
) -> Iterator[Finding]:
    present = [k for k in _VALUE_SOURCES if source.get(k) is not None]
    if source.get("fileKeyRef") is not None:
        if ctx.kubernetes_version < V1_35:
            return  # EnvFiles is off by default: the field is dropped, not refused
        present.append("fileKeyRef")
    label = f'{c.label}: env "{var.get("name")}"'
    if not present:
        yield Finding(at, f"{label}: valueFrom must specify one of: {quote(_VALUE_SOURCES)}")
        return
    if len(present) > 1:
        yield Finding(
            join(at, present[1]),
            f"{label}: valueFrom may not have more than one field specified at a time",
        )
        return
    value = var.get("value")
    if isinstance(value, str) and value:
        yield Finding(at, f"{label}: valueFrom may not be specified when value is not empty")
    kind = present[0]
    ref = mapping(source.get(kind))
    ref_at = join(at, kind)
    if kind == "fieldRef":
        version = ref.get("apiVersion")
        if isinstance(version, str) and version not in ("", "v1"):
            yield Finding(
                join(ref_at, "apiVersion"),
                f'{label}: fieldRef.apiVersion "{version}" is not supported; '
                'supported values: "v1"',
            )
        path = ref.get("fieldPath")
        if isinstance(path, str) and not _field_path_ok(path):
            yield Finding(
                join(ref_at, "fieldPath"), f'{label}: fieldRef.fieldPath "{path}" is not supported'
            )
    elif kind == "resourceFieldRef":
        resource = ref.get("resource")
        if isinstance(resource, str) and not (
            resource in _RESOURCE_FIELDS
            or resource.startswith(("limits.hugepages-", "requests.hugepages-"))
        ):
            yield Finding(
                join(ref_at, "resource"),
                f'{label}: resourceFieldRef.resource "{resource}" is not supported',
            )
        elif isinstance(resource, str) and ref.get("divisor") is not None:
            yield from _divisor(label, resource, ref.get("divisor"), join(ref_at, "divisor"))
    elif kind in ("configMapKeyRef", "secretKeyRef"):
        yield from _ref_name(c, ref, ref_at, f"{kind}", False)
        key = ref.get("key")
        if key == "":
            yield Finding(join(ref_at, "key"), f"{label}: {kind}.key is required")
        elif isinstance(key, str):
            for problem in formats.config_key(key):
                yield Finding(join(ref_at, "key"), f'{label}: {kind}.key "{key}": {problem}')


_CPU_DIVISORS = frozenset({Decimal("0.001"), Decimal(1)})
_BYTE_DIVISORS = frozenset(
    {Decimal(1)}
    | {Decimal(10) ** (3 * k) for k in range(1, 7)}
    | {Decimal(2) ** (10 * k) for k in range(1, 7)}
)


def _divisor(label: str, resource: str, raw: Any, at: str) -> Iterator[Finding]:
    value = parse_quantity(raw)
    if value is None:
        yield Finding(at, quantity_problem(f"{label}: divisor", raw))
        return
    # A zero divisor is the unset one to the apiserver, which then divides by 1.
    if value == 0:
        return
    if resource.endswith(".cpu"):
        if value not in _CPU_DIVISORS:
            yield Finding(at, f'{label}: divisor "{raw}" for cpu must be 1m or 1')
    elif value not in _BYTE_DIVISORS:
        yield Finding(
            at,
            f'{label}: divisor "{raw}" for {resource.split(".", 1)[1]} must be 1, 1k, 1M, 1G, 1T, '
            "1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi or 1Ei",
        )


def _field_path_ok(path: str) -> bool:
    if path in _FIELD_PATHS:
        return True
    for prefix in ("metadata.labels['", "metadata.annotations['"):
        if path.startswith(prefix) and path.endswith("']"):
            return not formats.qualified_name(path[len(prefix) : -2])
    return False


def _ref_name(
    c: ContainerView, ref: dict[str, Any], at: str, what: str, prefix: bool
) -> Iterator[Finding]:
    name = ref.get("name")
    if name is None or name == "":
        yield Finding(at, f"{c.label}: {what}.name is required")
        return
    if isinstance(name, str):
        problems = formats.name_prefix(name) if prefix else formats.dns1123_subdomain(name)
        for problem in problems:
            yield Finding(join(at, "name"), f'{c.label}: {what}.name "{name}": {problem}')


# --- api-resources ------------------------------------------------------------------------

_STANDARD = ("cpu", "memory", "ephemeral-storage")


def _is_hugepages(name: str) -> bool:
    return name.startswith("hugepages-")


def _is_extended(name: str) -> bool:
    return "/" in name and not name.split("/", 1)[0].endswith("kubernetes.io")


def resources(c: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    """Resource names and quantities; requests within limits; extended resources and hugepages."""
    if not validated(c.pod, ctx) or c.type is ContainerType.EPHEMERAL:
        return
    spec = c.get("resources")
    if not isinstance(spec, dict):
        yield from _resize_policy(c, ctx)
        return
    values: dict[str, dict[str, Decimal]] = {"limits": {}, "requests": {}}
    for section in ("limits", "requests"):
        prefix = c.at("resources", section) + "/"
        for name, raw in mapping(spec.get(section)).items():
            at = prefix + escape(name)
            yield from _resource_name(c, name, at, section)
            if isinstance(raw, (bool, list, dict)) or (
                isinstance(raw, float) and not math.isfinite(raw)
            ):  # a type the schema refuses, or a number JSON cannot carry
                continue
            # null decodes as the zero quantity, and the key stays
            quantity = Decimal(0) if raw is None else parse_quantity(raw)
            if quantity is None:
                yield Finding(
                    at,
                    f'{c.label}: resources.{section}["{name}"] "{raw}" is not a quantity '
                    "(quantities must match the regular expression "
                    "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$')",
                )
                continue
            if quantity < 0:
                yield Finding(
                    at,
                    f'{c.label}: resources.{section}["{name}"] must be greater than or equal to 0',
                )
                continue
            if _is_extended(name) and quantity != quantity.to_integral_value():
                yield Finding(
                    at, f'{c.label}: resources.{section}["{name}"] {raw} must be an integer'
                )
                continue
            page = parse_quantity(name[len("hugepages-") :]) if _is_hugepages(name) else None
            if page is not None and page > 0 and quantity % page != 0:
                yield Finding(
                    at,
                    f'{c.label}: resources.{section}["{name}"] {raw} is not a positive integer '
                    f"multiple of the page size {name[len('hugepages-') :]}",
                )
                continue
            values[section][name] = quantity
    limits, requests = values["limits"], values["requests"]
    for name, request in requests.items():
        strict = _is_extended(name) or _is_hugepages(name)
        limit = limits.get(name)
        if limit is None:
            if strict and name not in mapping(spec.get("limits")):
                yield Finding(
                    c.at("resources", "limits"),
                    f'{c.label}: a limit must be set for "{name}", a resource that cannot be '
                    "overcommitted",
                )
            continue
        if strict and request != limit:
            yield Finding(
                c.at("resources", "requests", name),
                f'{c.label}: request of "{name}" must be equal to its limit of '
                f"{_written(spec['limits'][name])}",
            )
        elif not strict and request > limit:
            yield Finding(
                c.at("resources", "requests", name),
                f'{c.label}: request of "{name}" ({_written(spec["requests"][name])}) must be '
                f"less than or equal to its limit ({_written(spec['limits'][name])})",
            )
    yield from _resize_policy(c, ctx)
    yield from _claims(c, spec)
    names = set(limits) | set(requests)
    if any(_is_hugepages(n) for n in names) and not names & {"cpu", "memory"}:
        yield Finding(
            c.at("resources"), f"{c.label}: hugepages require a cpu or memory request or limit"
        )


def _claims(c: ContainerView, spec: dict[str, Any]) -> Iterator[Finding]:
    """resources.claims: each names one of the pod's resourceClaims, once (per request)."""
    pod_claims = {claim.get("name") for _, claim in items(c.pod.get("resourceClaims"))}
    seen: set[str] = set()
    for index, claim in items(spec.get("claims")):
        at = c.at("resources", "claims", index)
        name, request = claim.get("name"), claim.get("request")
        if name is None or name == "":
            yield Finding(
                join(at, "name"), f"{c.label}: resources.claims[{index}] name is required"
            )
            continue
        if not isinstance(name, str):
            continue
        if name not in pod_claims:
            yield Finding(
                join(at, "name"),
                f'{c.label}: resources.claims "{name}" must be one of the names in the pod\'s '
                "spec.resourceClaims",
            )
        if isinstance(request, str) and request:
            for problem in formats.dns1123_label(request):
                yield Finding(
                    join(at, "request"),
                    f'{c.label}: resources.claims[{index}].request "{request}" {problem}',
                )
        key = f"{name}/{request}" if isinstance(request, str) and request else name
        if key in seen:
            yield Finding(
                join(at, "name"), f'{c.label}: resources.claims "{key}" is listed twice (Duplicate)'
            )
        seen.add(key)


def _written(quantity: Any) -> Any:
    return 0 if quantity is None else quantity


RESIZE_RESOURCES = ("cpu", "memory")
RESIZE_POLICIES = ("NotRequired", "RestartContainer")


def _resize_policy(c: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    # InPlacePodVerticalScaling is on by default from 1.33; before, resizePolicy is dropped.
    if ctx.kubernetes_version < V1_33:
        return
    seen: set[str] = set()
    for index, policy in items(c.get("resizePolicy")):
        at = c.at("resizePolicy", index)
        name, restart = policy.get("resourceName"), policy.get("restartPolicy")
        if isinstance(name, str):
            if name not in RESIZE_RESOURCES:
                yield Finding(
                    join(at, "resourceName"),
                    f'{c.label}: resizePolicy resourceName "{name}" is not supported; '
                    f"supported values: {quote(RESIZE_RESOURCES)}",
                )
            elif name in seen:
                yield Finding(
                    join(at, "resourceName"),
                    f'{c.label}: resizePolicy for "{name}" is repeated (Duplicate value)',
                )
            seen.add(name)
        if isinstance(restart, str) and restart not in RESIZE_POLICIES:
            yield Finding(
                join(at, "restartPolicy"),
                f'{c.label}: resizePolicy restartPolicy "{restart}" is not supported; '
                f"supported values: {quote(RESIZE_POLICIES)}",
            )
        elif (
            restart == "RestartContainer"
            and pod_restart_policy(c.pod) == "Never"
            and ctx.kubernetes_version >= V1_35  # read in the 1.35 code; earlier unverified
        ):
            yield Finding(
                join(at, "restartPolicy"),
                f'{c.label}: resizePolicy restartPolicy must be "NotRequired" when the pod\'s '
                'restartPolicy is "Never"',
            )


def _resource_name(c: ContainerView, name: str, at: str, section: str) -> Iterator[Finding]:
    if "/" not in name:
        if name not in _STANDARD and not _is_hugepages(name):
            yield Finding(
                at,
                f'{c.label}: resources.{section}["{name}"] must be a standard resource for '
                f"containers ({quote(_STANDARD)}, hugepages-<size>) or fully qualified",
            )
        return
    problems = formats.qualified_name(name)
    if not problems and _is_extended(name):
        problems = formats.qualified_name("requests." + name)
    for problem in problems:
        yield Finding(at, f'{c.label}: resource name "{name}": {problem}')


# --- api-probes ---------------------------------------------------------------------------

_PROBE_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")
_COUNTERS = (
    "initialDelaySeconds",
    "timeoutSeconds",
    "periodSeconds",
    "successThreshold",
    "failureThreshold",
)


def probes(c: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    """Probes (one handler, counters, successThreshold 1) and lifecycle handlers."""
    if not validated(c.pod, ctx) or (
        c.type is not ContainerType.CONTAINER and not is_sidecar(c, ctx)
    ):
        return  # init containers may not have them at all; that is api-init-containers
    for kind in ("livenessProbe", "readinessProbe", "startupProbe"):
        probe = c.get(kind)
        if isinstance(probe, dict):
            yield from _probe(c, kind, probe, c.at(kind))
    lifecycle = c.get("lifecycle")
    if isinstance(lifecycle, dict):
        for hook in ("postStart", "preStop"):
            handler = lifecycle.get(hook)
            if isinstance(handler, dict):
                yield from _lifecycle(c, hook, handler, c.at("lifecycle", hook), ctx)


def _probe(c: ContainerView, kind: str, probe: dict[str, Any], at: str) -> Iterator[Finding]:
    yield from _handlers(c, kind, probe, at, _PROBE_HANDLERS)
    for counter in _COUNTERS:
        value = probe.get(counter)
        if formats.is_int(value) and value < 0:
            yield Finding(
                join(at, counter), f"{c.label}: {kind}.{counter} must be greater than or equal to 0"
            )
    threshold = probe.get("successThreshold")
    if kind != "readinessProbe" and formats.is_int(threshold) and threshold not in (0, 1):
        yield Finding(join(at, "successThreshold"), f"{c.label}: {kind}.successThreshold must be 1")
    grace = probe.get("terminationGracePeriodSeconds")
    if formats.is_int(grace):
        if kind == "readinessProbe":
            yield Finding(
                join(at, "terminationGracePeriodSeconds"),
                f"{c.label}: terminationGracePeriodSeconds must not be set for readinessProbes",
            )
        elif grace <= 0:
            yield Finding(
                join(at, "terminationGracePeriodSeconds"),
                f"{c.label}: {kind}.terminationGracePeriodSeconds must be greater than 0",
            )


def _handlers(
    c: ContainerView, where: str, spec: dict[str, Any], at: str, allowed: tuple[str, ...]
) -> Iterator[Finding]:
    present = [h for h in allowed if spec.get(h) is not None]
    if not present:
        yield Finding(
            at, f"{c.label}: {where} must specify a handler type (one of {quote(allowed)})"
        )
        return
    for extra in present[1:]:
        yield Finding(
            join(at, extra), f"{c.label}: {where} may not specify more than 1 handler type"
        )
    handler = mapping(spec.get(present[0]))
    handler_at = join(at, present[0])
    if present[0] == "exec":
        command = handler.get("command")
        if not command:
            yield Finding(
                join(handler_at, "command"), f"{c.label}: {where}.exec.command is required"
            )
    elif present[0] in ("httpGet", "tcpSocket"):
        yield from _handler_port(
            c, f"{where}.{present[0]}", handler.get("port"), join(handler_at, "port")
        )
        if present[0] == "httpGet":
            scheme = defaulted(handler.get("scheme"), "HTTP")
            if isinstance(scheme, str) and scheme not in ("HTTP", "HTTPS"):
                yield Finding(
                    join(handler_at, "scheme"),
                    f'{c.label}: {where}.httpGet.scheme "{scheme}" is not supported; '
                    'supported values: "HTTP", "HTTPS"',
                )
            for index, header in items(handler.get("httpHeaders")):
                name = header.get("name")
                if isinstance(name, str):
                    for problem in formats.header_name(name):
                        yield Finding(
                            join(handler_at, "httpHeaders", index, "name"),
                            f'{c.label}: {where} header name "{name}": {problem}',
                        )
    elif present[0] == "grpc":
        port = handler.get("port")
        if formats.is_int(port) and not 1 <= port <= 65535:
            yield Finding(
                join(handler_at, "port"),
                f"{c.label}: {where}.grpc.port {port} must be between 1 and 65535, inclusive",
            )


def _handler_port(c: ContainerView, where: str, port: Any, at: str) -> Iterator[Finding]:
    if formats.is_int(port):
        if not 1 <= port <= 65535:
            yield Finding(
                at, f"{c.label}: {where}.port {port} must be between 1 and 65535, inclusive"
            )
    elif isinstance(port, str):
        for problem in formats.port_name(port):
            yield Finding(at, f'{c.label}: {where}.port "{port}" {problem}')


def _lifecycle(
    c: ContainerView, hook: str, handler: dict[str, Any], at: str, ctx: RuleContext
) -> Iterator[Finding]:
    if ctx.kubernetes_version < V1_30 and handler.get("sleep") is not None:
        return  # PodLifecycleSleepAction is off: the field is dropped, not refused
    yield from _handlers(
        c, f"lifecycle.{hook}", handler, at, ("exec", "httpGet", "tcpSocket", "sleep")
    )
    sleep = handler.get("sleep")
    if not isinstance(sleep, dict):
        return
    seconds = sleep.get("seconds")
    if not formats.is_int(seconds):
        return
    grace = c.pod.get("terminationGracePeriodSeconds")
    grace = grace if formats.is_int(grace) else 30
    if seconds < 0 or (seconds == 0 and ctx.kubernetes_version < V1_33):
        lowest = "0" if ctx.kubernetes_version >= V1_33 else "1"
        yield Finding(
            join(at, "sleep", "seconds"),
            f"{c.label}: lifecycle.{hook}.sleep.seconds {seconds} must be between {lowest} and "
            f"terminationGracePeriodSeconds ({grace})",
        )
    elif seconds > grace:
        yield Finding(
            join(at, "sleep", "seconds"),
            f"{c.label}: lifecycle.{hook}.sleep.seconds {seconds} must not exceed "
            f"terminationGracePeriodSeconds ({grace})",
        )


# --- api-init-containers ------------------------------------------------------------------

_EPHEMERAL_ALLOWED = frozenset(
    {
        "name", "image", "command", "args", "workingDir", "envFrom", "env", "volumeMounts",
        "volumeDevices", "terminationMessagePath", "terminationMessagePolicy",
        "imagePullPolicy", "securityContext", "stdin", "stdinOnce", "tty", "targetContainerName",
    }
)  # fmt: skip


def container_kinds(pod: PodSpecView, ctx: RuleContext) -> Iterator[Finding]:
    """Init containers, sidecars, container restartPolicy and ephemeral containers on create."""
    if not validated(pod, ctx):
        return
    ephemeral = pod.get("ephemeralContainers")
    # A live Pod (one with a resourceVersion, as admission sees it on update) gets ephemeral
    # containers through its subresource; only creating one with them is refused.
    live = is_live(pod.object.data) and not pod.is_template
    if isinstance(ephemeral, list) and ephemeral and not live:
        where = "in a pod template" if pod.is_template else "when a Pod is created"
        yield Finding(
            pod.at("ephemeralContainers"),
            f"ephemeralContainers cannot be set {where}; they are added to a running Pod with "
            "kubectl debug",
        )
    version = ctx.kubernetes_version
    # 1.34 has ContainerRestartRules off: it drops container-level restartPolicy from app
    # containers and every init container restartPolicy but Always, instead of refusing them.
    dropped = version == V1_34
    for c in pod.containers():
        policy = c.get("restartPolicy")
        if version >= V1_35 and c.type is not ContainerType.EPHEMERAL:
            yield from _restart_rules(c, ctx)
        if c.type is ContainerType.INIT:
            # Before 1.29 restartPolicy is dropped (or unknown, which the schema rule reports).
            if policy is not None and sidecars_enabled(ctx) and not dropped:
                allowed = RESTART_POLICIES if version >= V1_35 else ("Always",)
                if policy not in allowed:
                    yield Finding(
                        c.at("restartPolicy"),
                        f'{c.label}: restartPolicy "{policy}" is not supported for init '
                        f"containers; supported values: {quote(allowed)}",
                    )
            if not is_sidecar(c, ctx):
                for field in ("lifecycle", "livenessProbe", "readinessProbe", "startupProbe"):
                    if c.get(field) is not None:
                        yield Finding(
                            c.at(field),
                            f"{c.label}: {field} may not be set for init containers without "
                            "restartPolicy=Always",
                        )
        elif (
            c.type is ContainerType.CONTAINER
            and policy is not None
            and sidecars_enabled(ctx)
            and not dropped
        ):
            if version < V1_35:
                yield Finding(
                    c.at("restartPolicy"),
                    f"{c.label}: restartPolicy may not be set for non-init containers "
                    "before Kubernetes 1.35",
                )
            elif policy not in RESTART_POLICIES:
                yield Finding(
                    c.at("restartPolicy"),
                    f'{c.label}: restartPolicy "{policy}" is not supported; supported values: '
                    f"{quote(RESTART_POLICIES)}",
                )


_MAX_RESTART_RULES = 20
_MAX_EXIT_CODES = 255


def _restart_rules(c: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    """restartPolicyRules (ContainerRestartRules, on from 1.35; 1.34 drops them)."""
    rules = c.get("restartPolicyRules")
    if not isinstance(rules, list) or not rules:
        return
    policy = c.get("restartPolicy")
    if policy is None or policy == "":
        yield Finding(
            c.at("restartPolicy"),
            f"{c.label}: restartPolicy is required when restartPolicyRules are used",
        )
    # RestartAllContainers is an alpha action in 1.35 and on by default from 1.36.
    actions = ("Restart",) if ctx.kubernetes_version < V1_36 else _RESTART_ACTIONS
    if (
        c.type is ContainerType.INIT
        and policy == "Always"
        and any(mapping(rule).get("action") != "RestartAllContainers" for rule in rules)
    ):
        yield Finding(
            c.at("restartPolicyRules"),
            f"{c.label}: restartPolicyRules are not allowed for init containers with "
            'restartPolicy "Always"',
        )
    if len(rules) > _MAX_RESTART_RULES:
        yield Finding(
            c.at("restartPolicyRules"),
            f"{c.label}: restartPolicyRules may not have more than {_MAX_RESTART_RULES} rules",
        )
    for index, rule in items(rules):
        at = c.at("restartPolicyRules", index)
        action = rule.get("action")
        if isinstance(action, str) and action not in actions:
            yield Finding(
                join(at, "action"),
                f'{c.label}: restartPolicyRules[{index}].action "{action}" is not supported; '
                f"supported values: {quote(actions)}",
            )
        codes = rule.get("exitCodes")
        if codes is None:
            yield Finding(
                join(at, "exitCodes"),
                f"{c.label}: restartPolicyRules[{index}].exitCodes is required",
            )
            continue
        codes = mapping(codes)
        operator = codes.get("operator")
        if isinstance(operator, str) and operator not in _EXIT_CODE_OPERATORS:
            yield Finding(
                join(at, "exitCodes", "operator"),
                f'{c.label}: restartPolicyRules[{index}].exitCodes.operator "{operator}" is not '
                f"supported; supported values: {quote(_EXIT_CODE_OPERATORS)}",
            )
        values = codes.get("values")
        if isinstance(values, list) and len(values) > _MAX_EXIT_CODES:
            yield Finding(
                join(at, "exitCodes", "values"),
                f"{c.label}: restartPolicyRules[{index}].exitCodes.values may not have more "
                f"than {_MAX_EXIT_CODES} values",
            )


_RESTART_ACTIONS = ("Restart", "RestartAllContainers")
_EXIT_CODE_OPERATORS = ("In", "NotIn")
