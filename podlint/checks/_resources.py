"""Container and Pod resource arithmetic as the scheduler and the kubelet do it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any, TypeVar

from podlint.checks._quantity import parse_quantity
from podlint.model.views import ContainerView, PodSpecView

COMPUTE = ("cpu", "memory")
T = TypeVar("T")


def once_per_pod(function: Callable[[PodSpecView], T]) -> Callable[[PodSpecView], T]:
    """Remember the answer for the last pod spec asked about.

    Container checks ask about their whole pod; without this a pod with n containers costs
    n times its size. The engine runs every check on one pod spec view before the next, and a
    view is never changed, so the last answer is the answer while the same view is asked.
    """
    last: list[tuple[PodSpecView, T]] = []

    def remembered(pod: PodSpecView) -> T:
        entry = last[0] if last else None  # one read: another thread may replace it
        if entry is not None and entry[0] is pod:
            return entry[1]
        answer = function(pod)
        last[:] = [(pod, answer)]
        return answer

    return remembered


def _section(data: dict[str, Any], section: str) -> dict[str, Any]:
    resources = data.get("resources")
    if not isinstance(resources, dict):
        return {}
    value = resources.get(section)
    return value if isinstance(value, dict) else {}


def amounts(data: dict[str, Any], section: str) -> dict[str, Decimal]:
    """Parsed, positive cpu/memory quantities of ``resources.<section>``."""
    result: dict[str, Decimal] = {}
    for name in COMPUTE:
        quantity = parse_quantity(_section(data, section).get(name))
        if quantity is not None and quantity.value > 0:
            result[name] = quantity.value
    return result


def declared(data: dict[str, Any], section: str, name: str) -> bool:
    return name in _section(data, section)


def effective_requests(data: dict[str, Any]) -> dict[str, Decimal]:
    """Requests after Pod defaulting, which copies a missing request from its limit."""
    return {**amounts(data, "limits"), **amounts(data, "requests")}


@once_per_pod
def pod_requests(pod: PodSpecView) -> dict[str, Decimal]:
    """The Pod's effective request per resource: app containers plus sidecars, or the largest
    init container (plus the sidecars started before it), whichever is larger."""
    return aggregate(
        (container.role, effective_requests(container.data))
        for container in pod.containers()
        if container.role != "ephemeral"
    )


def aggregate(parts: Iterable[tuple[str, dict[str, Decimal]]]) -> dict[str, Decimal]:
    """AggregateContainerRequests (and Limits): per resource, the app containers and sidecars
    together, or an init container with the sidecars started before it, whichever is more.
    ``parts`` are each container's role ("app", "sidecar" or "init") and amounts, in the
    order of the pod spec."""
    total: dict[str, Decimal] = {}
    sidecars: dict[str, Decimal] = {}
    init_peak: dict[str, Decimal] = {}
    for role, amounts_of in parts:
        if role == "app":
            _add(total, amounts_of)
        elif role == "sidecar":
            _add(sidecars, amounts_of)
            _max(init_peak, sidecars)
        else:
            running = dict(sidecars)
            _add(running, amounts_of)
            _max(init_peak, running)
    _add(total, sidecars)
    _max(total, init_peak)
    return total


@once_per_pod
def qos_class(pod: PodSpecView) -> str:
    """Guaranteed, Burstable or BestEffort, from app and init containers (sidecars too)."""
    containers = [c for c in pod.containers() if c.role != "ephemeral"]
    pod_level = _pod_level(pod)
    if pod_level is not None:
        return _classify([pod_level], complete=COMPUTE)
    return _classify(containers, complete=COMPUTE)


def _pod_level(pod: PodSpecView) -> dict[str, Any] | None:
    resources = pod.get("resources")
    if isinstance(resources, dict) and (
        amounts(pod.data, "requests") or amounts(pod.data, "limits")
    ):
        return {"resources": resources}
    return None


def _classify(items: Iterable[ContainerView | dict[str, Any]], complete: tuple[str, ...]) -> str:
    requests: dict[str, Decimal] = {}
    limits: dict[str, Decimal] = {}
    guaranteed = True
    for item in items:
        data = item.data if isinstance(item, ContainerView) else item
        item_limits = amounts(data, "limits")
        _add(requests, effective_requests(data))
        _add(limits, item_limits)
        if not set(complete) <= set(item_limits):
            guaranteed = False
    if not requests and not limits:
        return "BestEffort"
    if guaranteed and requests == limits:
        return "Guaranteed"
    return "Burstable"


def _add(into: dict[str, Decimal], more: dict[str, Decimal]) -> None:
    for name, value in more.items():
        into[name] = into.get(name, Decimal(0)) + value


def _max(into: dict[str, Decimal], other: dict[str, Decimal]) -> None:
    for name, value in other.items():
        into[name] = max(into.get(name, Decimal(0)), value)
