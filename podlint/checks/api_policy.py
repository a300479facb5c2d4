"""What the apiserver refuses on create in a PodDisruptionBudget (ValidatePodDisruptionBudget)
and a PriorityClass (ValidatePriorityClass)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from podlint.checks._objects import invalid, selector, unsupported
from podlint.k8s import formats
from podlint.model.finding import Finding
from podlint.model.views import ObjectView
from podlint.rule import RuleContext

EVICTION_POLICIES = ("AlwaysAllow", "IfHealthyBudget")
PREEMPTION_POLICIES = ("PreemptLowerPriority", "Never")
PERCENT_PROBLEM = (
    "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  "
    "or '93%', regex used for validation is '[0-9]+%')"
)
HIGHEST_USER_PRIORITY = 1_000_000_000
# The priority classes the apiserver creates itself, and their values.
SYSTEM_CLASSES = {"system-node-critical": 2_000_001_000, "system-cluster-critical": 2_000_000_000}


def disruption_budget(obj: ObjectView, ctx: RuleContext) -> Iterator[Finding]:
    spec = obj.data.get("spec")
    if not isinstance(spec, dict) or obj.api_version != "policy/v1":
        return
    least, most = spec.get("minAvailable"), spec.get("maxUnavailable")
    if least is not None and most is not None:
        yield Finding(
            obj.at("spec", "maxUnavailable"),
            "spec: Invalid value: minAvailable and maxUnavailable cannot be both set",
        )
    for field, value in (("minAvailable", least), ("maxUnavailable", most)):
        yield from _int_or_percent(value, obj.at("spec", field), f"spec.{field}")
    yield from selector(spec.get("selector"), obj.at("spec", "selector"), "spec.selector")
    policy = spec.get("unhealthyPodEvictionPolicy")
    if isinstance(policy, str):
        at = obj.at("spec", "unhealthyPodEvictionPolicy")
        if policy not in EVICTION_POLICIES:
            yield unsupported(at, "spec.unhealthyPodEvictionPolicy", policy, EVICTION_POLICIES)


def _int_or_percent(value: Any, at: str, where: str) -> Iterator[Finding]:
    if formats.is_int(value) and value < 0:
        yield invalid(at, where, value, "must be greater than or equal to 0")
    elif isinstance(value, str):
        if not formats.is_percent(value):
            yield invalid(at, where, value, PERCENT_PROBLEM)
        elif int(value[:-1]) > 100:
            yield invalid(at, where, value, "must not be greater than 100%")


def priority_class(obj: ObjectView, ctx: RuleContext) -> Iterator[Finding]:
    if obj.api_version != "scheduling.k8s.io/v1":
        return
    meta = obj.data.get("metadata")
    name = meta.get("name") if isinstance(meta, dict) else None
    value = obj.data.get("value")
    if isinstance(name, str) and name.startswith("system-"):
        reason = (
            f"{name} is not a known system priority class"
            if name not in SYSTEM_CLASSES
            else f"value of {name} PriorityClass must be {SYSTEM_CLASSES[name]}"
            if value != SYSTEM_CLASSES[name]
            else None
        )
        if reason:
            yield Finding(
                obj.at("metadata", "name"),
                "metadata.name: Forbidden: priority class names with 'system-' prefix are "
                f"reserved for system use only. error: {reason}",
            )
    elif formats.is_int(value) and value > HIGHEST_USER_PRIORITY:
        yield Finding(
            obj.at("value"),
            "value: Forbidden: maximum allowed value of a user defined priority is "
            f"{HIGHEST_USER_PRIORITY}",
        )
    policy = obj.data.get("preemptionPolicy")
    if isinstance(policy, str) and policy not in PREEMPTION_POLICIES:
        yield unsupported(
            obj.at("preemptionPolicy"), "preemptionPolicy", policy, PREEMPTION_POLICIES
        )
