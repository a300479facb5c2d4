"""What the apiserver refuses on create in a HorizontalPodAutoscaler of autoscaling/v2
(ValidateHorizontalPodAutoscaler): replica bounds, the scale target, metrics and their
targets, scaling behavior."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from podlint.checks._api import V1_35, items, not_a_quantity
from podlint.checks._objects import invalid, quantities, required, selector, unsupported
from podlint.k8s import formats
from podlint.k8s.quantity import parse_quantity
from podlint.model.finding import Finding
from podlint.model.pointer import join
from podlint.model.views import ObjectView
from podlint.rule import RuleContext

# The source field each metric type reads.
SOURCES = {
    "ContainerResource": "containerResource",
    "External": "external",
    "Object": "object",
    "Pods": "pods",
    "Resource": "resource",
}
TARGET_TYPES = ("Utilization", "Value", "AverageValue")
SELECT_POLICIES = ("Disabled", "Max", "Min")
POLICY_TYPES = ("Percent", "Pods")
MAX_STABILIZATION = 3600
MAX_PERIOD = 1800


def autoscaling(obj: ObjectView, ctx: RuleContext) -> Iterator[Finding]:
    if obj.api_version != "autoscaling/v2":
        return
    # A missing spec or field is judged as the zero value the apiserver decodes.
    spec = obj.data.get("spec")
    spec = {} if spec is None else spec
    if not isinstance(spec, dict):
        return
    yield from _replicas(spec, obj)
    yield from _reference(
        spec.get("scaleTargetRef") or {},
        obj.at("spec", "scaleTargetRef"),
        "spec.scaleTargetRef",
        api_version=True,
    )
    for index, metric in items(spec.get("metrics")):
        yield from _metric(metric, obj.at("spec", "metrics", str(index)), f"spec.metrics[{index}]")
    behavior = spec.get("behavior")
    if isinstance(behavior, dict):
        for direction in ("scaleUp", "scaleDown"):
            rules = behavior.get(direction)
            if isinstance(rules, dict):
                at = obj.at("spec", "behavior", direction)
                yield from _rules(rules, at, f"spec.behavior.{direction}", ctx)


def _replicas(spec: dict[str, Any], obj: ObjectView) -> Iterator[Finding]:
    least = spec.get("minReplicas")
    most = _zero(spec.get("maxReplicas"))
    if formats.is_int(least) and least < 1:
        yield invalid(
            obj.at("spec", "minReplicas"),
            "spec.minReplicas",
            least,
            "must be greater than or equal to 1",
        )
    if not formats.is_int(most):
        return
    at = obj.at("spec", "maxReplicas")
    if most < 1:
        yield invalid(at, "spec.maxReplicas", most, "must be greater than 0")
    if most < (least if formats.is_int(least) else 1):
        yield invalid(
            at, "spec.maxReplicas", most, "must be greater than or equal to `minReplicas`"
        )


def _reference(
    reference: Any, at: str, where: str, *, api_version: bool = False
) -> Iterator[Finding]:
    """A CrossVersionObjectReference: kind and name required, each a path segment; the
    apiVersion a group/version (``api_version``: with a group), as ParseGroupVersion reads
    it."""
    if not isinstance(reference, dict):
        return
    for key in ("kind", "name"):
        value = reference.get(key)
        if value in (None, ""):
            yield required(join(at, key), f"{where}.{key}")
        elif isinstance(value, str):
            for problem in formats.path_segment(value):
                yield invalid(join(at, key), f"{where}.{key}", value, problem)
    version = reference.get("apiVersion")
    if version is None or isinstance(version, str):
        version = version or ""
        if version.count("/") > 1:
            yield invalid(
                join(at, "apiVersion"),
                f"{where}.apiVersion",
                version,
                f"unexpected GroupVersion string: {version}",
            )
        elif api_version and ("/" not in version or not version.split("/")[0]):
            yield invalid(
                join(at, "apiVersion"),
                f"{where}.apiVersion",
                version,
                "apiVersion must specify API group",
            )


def _metric(metric: dict[str, Any], at: str, where: str) -> Iterator[Finding]:
    kind = metric.get("type")
    present = [field for field in SOURCES.values() if metric.get(field) is not None]
    expected = SOURCES.get(kind) if isinstance(kind, str) else None
    if kind in (None, ""):
        yield required(join(at, "type"), f"{where}.type", "must specify a metric source type")
    elif expected is None:
        yield unsupported(join(at, "type"), f"{where}.type", kind, tuple(SOURCES))
    elif expected not in present:
        yield required(
            join(at, expected),
            f"{where}.{expected}",
            "must populate information for the given metric source",
        )
    for field in present:
        if expected is not None and field != expected:
            yield Finding(
                join(at, field),
                f"{where}.{field}: Forbidden: must populate the given metric source only",
            )
    for field in present:
        source = metric[field]
        if isinstance(source, dict):
            yield from _source(field, source, join(at, field), f"{where}.{field}")


def _source(field: str, source: dict[str, Any], at: str, where: str) -> Iterator[Finding]:
    target = source.get("target") or {}
    t_at, t_where = join(at, "target"), f"{where}.target"
    if field in ("resource", "containerResource"):
        if source.get("name") in (None, ""):
            yield required(join(at, "name"), f"{where}.name", "must specify a resource name")
        name = source.get("name")
        if field == "containerResource" and isinstance(name, str) and name:
            yield from _container_resource_name(name, join(at, "name"), f"{where}.name")
        if field == "containerResource":
            container = source.get("container")
            if container in (None, ""):
                yield required(
                    join(at, "container"), f"{where}.container", "must specify a container"
                )
            elif isinstance(container, str):
                for problem in formats.dns1123_label(container):
                    yield invalid(join(at, "container"), f"{where}.container", container, problem)
    else:
        if field == "object":
            yield from _reference(
                source.get("describedObject") or {},
                join(at, "describedObject"),
                f"{where}.describedObject",
            )
        yield from _identifier(source.get("metric") or {}, join(at, "metric"), f"{where}.metric")
    if not isinstance(target, dict):
        return
    yield from _target(target, t_at, t_where)
    average_value = target.get("averageValue")
    if field in ("resource", "containerResource"):
        utilization = target.get("averageUtilization")
        if average_value is None and utilization is None:
            yield required(
                join(t_at, "averageUtilization"),
                f"{t_where}.averageUtilization",
                "must set either a target raw value or a target utilization",
            )
        elif average_value is not None and utilization is not None:
            yield Finding(
                join(t_at, "averageValue"),
                f"{t_where}.averageValue: Forbidden: may not set both a target raw "
                "value and a target utilization",
            )
    elif field == "pods":
        if average_value is None:
            yield required(
                join(t_at, "averageValue"),
                f"{t_where}.averageValue",
                "must specify a positive target averageValue",
            )
    elif target.get("value") is None and average_value is None:
        yield required(
            join(t_at, "averageValue"),
            f"{t_where}.averageValue",
            "must set either a target value or averageValue",
        )
    elif target.get("value") is not None and average_value is not None:
        yield Finding(
            join(t_at, "value"),
            f"{t_where}.value: Forbidden: may not set both a target value for metric and a "
            "per-pod target",
        )


def _container_resource_name(name: str, at: str, where: str) -> Iterator[Finding]:
    problems = formats.qualified_name(name)
    for problem in problems:
        yield invalid(at, where, name, problem)
    if problems or "/" in name:
        return
    if name not in ("cpu", "memory", "ephemeral-storage") and not name.startswith("hugepages-"):
        yield invalid(at, where, name, "must be a standard resource for containers")


def _zero(value: Any) -> Any:
    """A null or missing integer, decoded by the apiserver as 0."""
    return 0 if value is None else value


def _identifier(metric: Any, at: str, where: str) -> Iterator[Finding]:
    if not isinstance(metric, dict):
        return
    name = metric.get("name")
    if name in (None, ""):
        yield required(join(at, "name"), f"{where}.name", "must specify a metric name")
    elif isinstance(name, str):
        for problem in formats.path_segment(name):
            yield invalid(join(at, "name"), f"{where}.name", name, problem)
    yield from selector(
        metric.get("selector"), join(at, "selector"), f"{where}.selector", values=False
    )


def _target(target: dict[str, Any], at: str, where: str) -> Iterator[Finding]:
    kind = target.get("type")
    if kind in (None, ""):
        yield required(join(at, "type"), f"{where}.type", "must specify a metric target type")
    if kind is None or (isinstance(kind, str) and kind not in TARGET_TYPES):
        yield invalid(
            join(at, "type"),
            f"{where}.type",
            kind or "",
            "must be either Utilization, Value, or AverageValue",
        )
    utilization = target.get("averageUtilization")
    if formats.is_int(utilization) and utilization < 1:
        yield invalid(
            join(at, "averageUtilization"),
            f"{where}.averageUtilization",
            utilization,
            "must be greater than 0",
        )
    for key in ("value", "averageValue"):
        value = target.get(key)
        if value is None:
            continue
        if not_a_quantity(value):
            yield from quantities({key: value}, at, where)
            continue
        number = parse_quantity(value)
        if number is not None and number <= 0:
            yield invalid(join(at, key), f"{where}.{key}", str(value), "must be positive")


def _rules(rules: dict[str, Any], at: str, where: str, ctx: RuleContext) -> Iterator[Finding]:
    window = rules.get("stabilizationWindowSeconds")
    w_at, w_where = join(at, "stabilizationWindowSeconds"), f"{where}.stabilizationWindowSeconds"
    if formats.is_int(window):
        if window < 0:
            yield invalid(w_at, w_where, window, "must be greater than or equal to zero")
        elif window > MAX_STABILIZATION:
            yield invalid(
                w_at, w_where, window, f"must be less than or equal to {MAX_STABILIZATION}"
            )
    select = rules.get("selectPolicy")
    if isinstance(select, str) and select not in SELECT_POLICIES:
        yield unsupported(
            join(at, "selectPolicy"), f"{where}.selectPolicy", select, SELECT_POLICIES
        )
    policies = rules.get("policies")
    if isinstance(policies, list) and not policies:
        yield required(
            join(at, "policies"), f"{where}.policies", "must specify at least one Policy"
        )
    for index, policy in items(policies):
        p_at, p_where = join(at, "policies", index), f"{where}.policies[{index}]"
        kind = policy.get("type")
        if (isinstance(kind, str) or kind is None) and kind not in POLICY_TYPES:
            yield unsupported(join(p_at, "type"), f"{p_where}.type", kind or "", POLICY_TYPES)
        value = _zero(policy.get("value"))
        if formats.is_int(value) and value <= 0:
            yield invalid(
                join(p_at, "value"), f"{p_where}.value", value, "must be greater than zero"
            )
        period = _zero(policy.get("periodSeconds"))
        if formats.is_int(period):
            if period <= 0:
                yield invalid(
                    join(p_at, "periodSeconds"),
                    f"{p_where}.periodSeconds",
                    period,
                    "must be greater than zero",
                )
            elif period > MAX_PERIOD:
                yield invalid(
                    join(p_at, "periodSeconds"),
                    f"{p_where}.periodSeconds",
                    period,
                    f"must be less than or equal to {MAX_PERIOD}",
                )
    tolerance = rules.get("tolerance")
    # HPAConfigurableTolerance is on by default from 1.35; before, the field is dropped.
    if tolerance is not None and ctx.kubernetes_version >= V1_35:
        if not_a_quantity(tolerance):
            yield from quantities({"tolerance": tolerance}, at, where)
        else:
            number = parse_quantity(tolerance)
            if number is not None and number < 0:
                yield invalid(
                    join(at, "tolerance"),
                    f"{where}.tolerance",
                    str(tolerance),
                    "must be greater than or equal to 0",
                )
