"""Probes of app containers and sidecars, read with the apiserver's defaults applied."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from podlint.checks._options import number_option
from podlint.model.finding import Finding
from podlint.model.views import ContainerView, ObjectView
from podlint.rule import RuleContext

PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")
# SetDefaults_Probe
DEFAULTS = {
    "initialDelaySeconds": 0,
    "timeoutSeconds": 1,
    "periodSeconds": 10,
    "successThreshold": 1,
    "failureThreshold": 3,
}
_RUN_TO_COMPLETION = frozenset({"Job", "CronJob"})


def _int(probe: dict[str, Any], field: str) -> int:
    value = probe.get(field)
    return value if isinstance(value, int) and not isinstance(value, bool) else DEFAULTS[field]


def _probe(container: ContainerView, name: str) -> dict[str, Any] | None:
    probe = container.get(name)
    return probe if isinstance(probe, dict) else None


def long_running(container: ContainerView) -> bool:
    """Whether the container is meant to keep running (not a Job, not restartPolicy Never)."""
    if container.pod.object.kind in _RUN_TO_COMPLETION:
        return False
    return bool(container.pod.get("restartPolicy", "Always") == "Always")


def _serves(container: ContainerView) -> bool:
    """App containers always; a sidecar only when it declares ports (a proxy, not a shipper)."""
    return container.role == "app" or _declares_ports(container)


def _declares_ports(container: ContainerView) -> bool:
    ports = container.get("ports")
    return isinstance(ports, list) and bool(ports)


def missing_readiness(container: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    # Without declared ports nothing in the object says the container serves anything (a
    # worker, a queue consumer), and a single object cannot tell which Services select it.
    if (
        long_running(container)
        and _declares_ports(container)
        and "readinessProbe" not in container.data
    ):
        yield Finding(
            container.at("name"),
            f"{container.label} declares ports but has no readinessProbe: it counts as ready "
            "as soon as it starts, so a Service selecting the Pod sends it requests before it "
            "can serve them, and rollouts move on without waiting for it",
        )


def service_selects_unready(service: ObjectView, ctx: RuleContext) -> Iterator[Finding]:
    """Pods a Service of the run selects although nothing gates their readiness: no container
    declares a port (those are missing-readiness-probe's) and none has a readinessProbe."""
    spec = service.data.get("spec")
    if ctx.workloads is None or not isinstance(spec, dict):
        return
    selector = spec.get("selector")
    if spec.get("type") == "ExternalName" or not isinstance(selector, dict) or not selector:
        return
    wanted = {str(key): value for key, value in selector.items() if isinstance(value, str)}
    if len(wanted) != len(selector):
        return  # a selector the apiserver would refuse: api-* and schema report it
    path = service.document.path
    for workload in ctx.workloads.selected(service.namespace, wanted, near=path):
        serving = [c for c in workload.containers if c.role in ("app", "sidecar")]
        if not workload.long_running or any(c.declares_ports or c.readiness_probe for c in serving):
            continue
        apps = [f'"{c.name}"' for c in serving if c.role == "app"]
        names = f"container{'s' if len(apps) != 1 else ''} {', '.join(apps)}"
        where = "" if workload.path == path else f" ({workload.path})"
        yield Finding(
            service.at("spec", "selector"),
            f'Service "{service.name}" selects the Pods of {workload.kind} "{workload.name}"'
            f"{where}, but no container there declares a port or has a readinessProbe "
            f"({names}): a Pod counts as ready as soon as it starts, so the "
            "Service sends it requests before it can serve them",
            key=True,
        )


def missing_liveness(container: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    if long_running(container) and _serves(container) and "livenessProbe" not in container.data:
        yield Finding(
            container.at("name"),
            f"{container.label} has no livenessProbe: if it hangs without exiting, the kubelet "
            "never restarts it",
        )


def _handler(probe: dict[str, Any]) -> tuple[str, Any] | None:
    for handler in HANDLERS:
        if handler in probe:
            return handler, probe[handler]
    return None


def _normalized_handler(probe: dict[str, Any]) -> tuple[str, Any] | None:
    handler = _handler(probe)
    if handler is None:
        return None
    name, value = handler
    if name == "httpGet" and isinstance(value, dict):
        value = {"path": "/", "scheme": "HTTP", **value}
    return name, value


def identical_probes(container: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    liveness = _probe(container, "livenessProbe")
    readiness = _probe(container, "readinessProbe")
    if liveness is None or readiness is None:
        return
    handler = _normalized_handler(liveness)
    if handler is None or handler != _normalized_handler(readiness):
        return
    if any(_int(liveness, f) != _int(readiness, f) for f in DEFAULTS):
        return
    yield Finding(
        container.at("livenessProbe"),
        f"{container.label}: livenessProbe and readinessProbe are identical (same {handler[0]} "
        "check and thresholds), so a slow dependency that should only take the Pod out of "
        "the Service restarts it instead; give liveness a cheaper check or a higher "
        "failureThreshold",
        key=True,
    )


def _probe_ports(container: ContainerView) -> Iterator[tuple[str, str, Any]]:
    """(probe name, handler, port value) of each probe with a port."""
    for name in PROBES:
        probe = _probe(container, name)
        if probe is None:
            continue
        for handler in ("httpGet", "tcpSocket", "grpc"):
            action = probe.get(handler)
            if isinstance(action, dict) and "port" in action:
                yield name, handler, action["port"]


def _declared_ports(container: ContainerView) -> tuple[set[str], set[int]]:
    names: set[str] = set()
    numbers: set[int] = set()
    ports = container.get("ports")
    for port in ports if isinstance(ports, list) else []:
        if isinstance(port, dict):
            if isinstance(port.get("name"), str):
                names.add(port["name"])
            if isinstance(port.get("containerPort"), int):
                numbers.add(port["containerPort"])
    return names, numbers


def probe_named_port(container: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    names, _ = _declared_ports(container)
    for probe, handler, port in _probe_ports(container):
        if isinstance(port, str) and not port.isdigit() and port not in names:
            known = f" (its ports are named {', '.join(sorted(names))})" if names else ""
            yield Finding(
                container.at(probe, handler, "port"),
                f'{container.label}: {probe} uses port "{port}", but no port of this container '
                f"is named so{known}; the kubelet cannot resolve it and the probe always fails",
            )


def probe_numbered_port(container: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    _, numbers = _declared_ports(container)
    if not numbers:
        return
    for probe, handler, port in _probe_ports(container):
        if isinstance(port, int) and not isinstance(port, bool) and port not in numbers:
            yield Finding(
                container.at(probe, handler, "port"),
                f"{container.label}: {probe} checks port {port}, which is not among the "
                f"container's declared ports ({', '.join(str(n) for n in sorted(numbers))}); "
                "if it is not a typo that fails the probe, declare the port (and name it)",
            )


def timeout_exceeds_period(container: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    for name in PROBES:
        probe = _probe(container, name)
        if probe is None:
            continue
        timeout, period = _int(probe, "timeoutSeconds"), _int(probe, "periodSeconds")
        if timeout >= period:
            where = "timeoutSeconds" if "timeoutSeconds" in probe else "periodSeconds"
            yield Finding(
                container.at(name, where),
                f"{container.label}: {name} timeoutSeconds {timeout} is not less than "
                f"periodSeconds {period}{_defaults_note(probe)}, so a slow check is still "
                "running when the next one is due; make the timeout shorter than the period",
            )


def _defaults_note(probe: dict[str, Any]) -> str:
    missing = [f for f in ("timeoutSeconds", "periodSeconds") if f not in probe]
    return f" ({' and '.join(missing)} defaulted)" if missing else ""


def liveness_without_startup(container: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    liveness = _probe(container, "livenessProbe")
    if liveness is None or "startupProbe" in container.data:
        return
    threshold, problem = number_option(ctx, "initial-delay-seconds", 60, 1)
    if problem:
        yield Finding(container.at("livenessProbe"), problem, key=True)
    delay = _int(liveness, "initialDelaySeconds")
    if delay >= threshold:
        yield Finding(
            container.at("livenessProbe", "initialDelaySeconds"),
            f"{container.label}: livenessProbe waits initialDelaySeconds {delay} before its "
            "first check, a guess at the slowest start; a startupProbe holds the liveness "
            "probe off exactly until the app has started",
        )


def liveness_kills_too_fast(container: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    liveness = _probe(container, "livenessProbe")
    if liveness is None:
        return
    floor, problem = number_option(ctx, "min-seconds", 10, 1)
    if problem:
        yield Finding(container.at("livenessProbe"), problem, key=True)
    threshold, period = _int(liveness, "failureThreshold"), _int(liveness, "periodSeconds")
    if threshold * period < floor:
        where = "failureThreshold" if "failureThreshold" in liveness else "periodSeconds"
        yield Finding(
            container.at("livenessProbe", where),
            f"{container.label}: livenessProbe restarts the container after "
            f"failureThreshold {threshold} x periodSeconds {period} = {threshold * period} s "
            f"of failed checks, below {floor} s; a GC pause or a busy moment kills a healthy "
            "container",
        )
