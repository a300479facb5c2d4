"""Container resources: requests, limits, the units they are written in, the QoS class."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from podlint.checks._options import number_option
from podlint.checks._quantity import Quantity, describe_bytes, describe_cores, parse_quantity
from podlint.checks._resources import COMPUTE, declared, qos_class
from podlint.model.finding import Finding
from podlint.model.version import KubeVersion
from podlint.model.views import ContainerView, PodSpecView
from podlint.rule import RuleContext

POD_LEVEL_RESOURCES = KubeVersion(1, 34)
MEBIBYTE = Decimal(2**20)


def _pod_level(container: ContainerView, ctx: RuleContext, section: str, name: str) -> bool:
    """Pod-level spec.resources (beta, on by default from 1.34) covers the containers."""
    if ctx.kubernetes_version < POD_LEVEL_RESOURCES:
        return False
    resources = container.pod.get("resources")
    return isinstance(resources, dict) and declared({"resources": resources}, section, name)


def _sets_no_compute(container: ContainerView, ctx: RuleContext) -> bool:
    """No cpu or memory request or limit, on the container or (from 1.34) the Pod."""
    return not any(
        declared(container.data, section, name) or _pod_level(container, ctx, section, name)
        for section in ("requests", "limits")
        for name in COMPUTE
    )


def _missing(container: ContainerView, ctx: RuleContext, section: str, name: str) -> bool:
    if declared(container.data, section, name) or _pod_level(container, ctx, section, name):
        return False
    if _sets_no_compute(container, ctx):
        return False  # one root cause, reported once by missing-resources
    # Pod defaulting copies a missing request from the limit
    return not (section == "requests" and declared(container.data, "limits", name))


def _where(container: ContainerView, section: str) -> str:
    resources = container.get("resources")
    if isinstance(resources, dict) and isinstance(resources.get(section), dict):
        return container.at("resources", section)
    if isinstance(resources, dict):
        return container.at("resources")
    return container.at("name")


def missing_resources(container: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    if not _sets_no_compute(container, ctx):
        return
    if qos_class(container.pod) == "BestEffort":
        effect = (
            "the scheduler counts it as using nothing, and the Pod's QoS class is BestEffort, "
            "the first evicted when the node runs short"
        )
    else:
        effect = (
            "the scheduler counts it as using nothing, and any memory it uses is above its "
            "request, which ranks the Pod early for eviction"
        )
    resources = container.get("resources")
    yield Finding(
        container.at("resources") if isinstance(resources, dict) else container.at("name"),
        f"{container.label} sets no cpu or memory requests or limits: add requests.cpu, "
        f"requests.memory and limits.memory; {effect}",
        key=isinstance(resources, dict),
    )


def missing_cpu_request(container: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    if _missing(container, ctx, "requests", "cpu"):
        yield Finding(
            _where(container, "requests"),
            f"{container.label} has no cpu request: the scheduler counts it as 0 and may "
            "place it on a node with no CPU to spare, where it is starved under contention",
            key=True,
        )


def missing_memory_request(container: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    if _missing(container, ctx, "requests", "memory"):
        yield Finding(
            _where(container, "requests"),
            f"{container.label} has no memory request: the scheduler counts it as 0, so "
            "nodes are overcommitted and it is among the first evicted under memory pressure",
            key=True,
        )


def missing_memory_limit(container: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    if _missing(container, ctx, "limits", "memory"):
        yield Finding(
            _where(container, "limits"),
            f"{container.label} has no memory limit: a leak can take all the node's memory "
            "and get other Pods evicted or OOM-killed",
            key=True,
        )


def cpu_limit(container: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    if declared(container.data, "limits", "cpu"):
        yield Finding(
            container.at("resources", "limits", "cpu"),
            f"{container.label} sets a cpu limit: the container is throttled even when the "
            "node has idle CPU; rely on the cpu request instead",
            key=True,
        )


def _quantities(container: ContainerView) -> Iterator[tuple[str, str, Quantity]]:
    resources = container.get("resources")
    if not isinstance(resources, dict):
        return
    for section in ("requests", "limits"):
        values = resources.get(section)
        if not isinstance(values, dict):
            continue
        for name, raw in values.items():
            quantity = parse_quantity(raw)
            if quantity is not None:
                yield section, str(name), quantity


def suspicious_quantity(container: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    max_cores, problem = number_option(ctx, "max-cpu-cores", 256, 0, integer=False)
    min_mebibytes, other = number_option(ctx, "min-memory-mebibytes", 4, 0, integer=False)
    for message in (problem, other):
        if message and "resources" in container.data:
            yield Finding(container.at("resources"), message, key=True)
    min_memory = min_mebibytes * MEBIBYTE
    for section, name, quantity in _quantities(container):
        # The pointer and the text are built only for a finding.
        if name in ("memory", "ephemeral-storage") and quantity.suffix == "m":
            yield Finding(
                container.at("resources", section, name),
                f"{_named(container, section, name, quantity)} is "
                f"{describe_bytes(quantity.value)}: the m suffix means milli "
                f"(thousandths), not mega; write {_mega(quantity)}",
            )
        elif name == "memory" and 0 < quantity.value < min_memory:
            yield Finding(
                container.at("resources", section, name),
                f"{_named(container, section, name, quantity)} is "
                f"{describe_bytes(quantity.value)}, too little for any process to "
                "start; memory needs a unit such as Mi or Gi",
            )
        elif name == "cpu" and quantity.value > max_cores:
            yield Finding(
                container.at("resources", section, name),
                f"{_named(container, section, name, quantity)} is "
                f"{describe_cores(quantity.value)}, more than any node has; for "
                f"millicores write {_plain(quantity.value)}m",
            )


def _named(container: ContainerView, section: str, name: str, quantity: Quantity) -> str:
    return f"{container.label}: {section}.{name} {quantity.text}"


def _mega(quantity: Quantity) -> str:
    number = quantity.text.strip()[:-1]
    return f"{number}Mi or {number}M"


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def mixed_units(container: ContainerView, ctx: RuleContext) -> Iterator[Finding]:
    for name in ("memory", "ephemeral-storage"):
        found = [(s, q) for s, n, q in _quantities(container) if n == name]
        binary = [(s, q) for s, q in found if q.binary]
        decimal = [(s, q) for s, q in found if q.decimal_unit]
        if binary and decimal:
            (b_section, b), (d_section, d) = binary[0], decimal[0]
            yield Finding(
                container.at("resources", d_section, name),
                f"{container.label}: {name} mixes decimal and binary units ({d_section} "
                f"{d.text} = {describe_bytes(d.value)}, {b_section} {b.text} = "
                f"{describe_bytes(b.value)}); 1M is 1,000,000 bytes but 1Mi is 1,048,576, so "
                "use one kind",
            )


def qos_best_effort(pod: PodSpecView, ctx: RuleContext) -> Iterator[Finding]:
    if qos_class(pod) != "BestEffort":
        return
    writers = [
        container.label
        for container in pod.containers()
        if container.role != "ephemeral" and _declares_compute(container.data)
    ]
    if _declares_compute(pod.data):
        writers.insert(0, "spec.resources")
    if not writers:
        return  # nothing written at all: missing-resources reports each container once
    yield Finding(
        pod.at("containers"),
        f"the Pod's QoS class is BestEffort although {writers[0]} declares cpu or memory "
        "resources: quantities of zero do not count, so it is the first evicted when the "
        "node runs short; set requests above zero",
        key=True,
    )


def _declares_compute(data: dict[str, Any]) -> bool:
    return any(
        declared(data, section, name) for section in ("requests", "limits") for name in COMPUTE
    )
