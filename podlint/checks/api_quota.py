"""What the apiserver refuses on create in a ResourceQuota (ValidateResourceQuota) and a
LimitRange (ValidateLimitRange, after the apiserver's defaulting of container limits)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from podlint.checks._api import items, listed, mapping, not_a_quantity
from podlint.checks._objects import invalid, quantities, required
from podlint.k8s import formats
from podlint.k8s.quantity import parse_quantity
from podlint.model.finding import Finding
from podlint.model.pointer import join
from podlint.model.views import ObjectView
from podlint.rule import RuleContext

POD_COMPUTE = {"cpu", "memory", "limits.cpu", "limits.memory", "requests.cpu", "requests.memory"}
POD_COUNT = {"pods"}
PVC_RESOURCES = {"persistentvolumeclaims", "requests.storage"}
# Resources counted in whole objects (upstream's IntegerResources).
INTEGER_RESOURCES = {
    "pods",
    "services",
    "replicationcontrollers",
    "resourcequotas",
    "secrets",
    "configmaps",
    "persistentvolumeclaims",
    "services.nodeports",
    "services.loadbalancers",
}
STANDARD_QUOTA = (
    POD_COMPUTE
    | PVC_RESOURCES
    | INTEGER_RESOURCES
    | {"ephemeral-storage", "requests.ephemeral-storage", "limits.ephemeral-storage"}
)
EXISTS_ONLY = (
    "Terminating",
    "NotTerminating",
    "BestEffort",
    "NotBestEffort",
    "CrossNamespacePodAffinity",
)
SCOPES = (*EXISTS_ONLY, "PriorityClass", "VolumeAttributesClass")
OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")
CONFLICTS = (("BestEffort", "NotBestEffort"), ("Terminating", "NotTerminating"))
LIMIT_TYPES = ("Pod", "Container", "PersistentVolumeClaim")
CONTAINER_RESOURCES = ("cpu", "memory", "ephemeral-storage")


def quota(obj: ObjectView, ctx: RuleContext) -> Iterator[Finding]:
    spec = obj.data.get("spec")
    if not isinstance(spec, dict) or obj.api_version != "v1":
        return
    if obj.kind == "ResourceQuota":
        yield from _resource_quota(spec, obj)
    elif obj.kind == "LimitRange":
        seen: set[Any] = set()
        for index, limit in items(spec.get("limits")):
            kind = limit.get("type")
            duplicate = isinstance(kind, str) and kind in seen
            seen.add(kind if isinstance(kind, str) else None)
            yield from _limit(
                limit, obj.at("spec", "limits", str(index)), f"spec.limits[{index}]", duplicate
            )


def _is_extended(name: str) -> bool:
    """A resource name outside kubernetes.io with a domain (IsExtendedResourceName)."""
    if "/" not in name or "kubernetes.io/" in name or name.startswith("requests."):
        return False
    return not formats.qualified_name("requests." + name)


def _is_hugepages(name: str) -> bool:
    return name.startswith(("hugepages-", "requests.hugepages-", "limits.hugepages-"))


def _resource_quota(spec: dict[str, Any], obj: ObjectView) -> Iterator[Finding]:
    hard = mapping(spec.get("hard"))
    h_at = obj.at("spec", "hard")
    yield from quantities(hard, h_at, "spec.hard")
    for name, value in hard.items():
        at, where = join(h_at, name), f"spec.hard[{name}]"
        problems = formats.qualified_name(str(name))
        for problem in problems:
            yield invalid(at, where, name, problem)
        if (
            not problems
            and "/" not in name
            and name not in STANDARD_QUOTA
            and not _is_hugepages(name)
        ):
            yield invalid(at, where, name, "must be a standard resource for quota")
        yield from _quantity_value(str(name), value, at, where)
    standard = [n for n in hard if n in STANDARD_QUOTA or _is_hugepages(str(n))]
    scopes = listed(spec.get("scopes"))
    s_at = obj.at("spec", "scopes")
    shown_scopes = "[" + ",".join(f'"{s}"' for s in scopes) + "]"
    for scope in scopes:
        if scope not in SCOPES:
            yield Finding(s_at, f"spec.scopes: Invalid value: {shown_scopes}: unsupported scope")
        elif any(not _scope_fits(scope, n) for n in standard):
            yield Finding(
                s_at,
                f"spec.scopes: Invalid value: {shown_scopes}: unsupported scope "
                "applied to resource",
            )
    for pair in CONFLICTS:
        if all(scope in scopes for scope in pair):
            yield Finding(s_at, f"spec.scopes: Invalid value: {shown_scopes}: conflicting scopes")
    selector = spec.get("scopeSelector")
    if isinstance(selector, dict):
        yield from _scope_selector(selector, obj.at("spec", "scopeSelector"), standard)


def _scope_fits(scope: str, resource: str) -> bool:
    if scope == "BestEffort":
        return resource in POD_COUNT
    if scope == "VolumeAttributesClass":
        return resource in PVC_RESOURCES
    return resource in POD_COUNT or resource in POD_COMPUTE


def _scope_selector(selector: dict[str, Any], at: str, standard: list[str]) -> Iterator[Finding]:
    # The apiserver names these fields without the index of the expression.
    where = "spec.scopeSelector.matchExpressions"
    for index, expression in items(selector.get("matchExpressions")):
        e_at = join(at, "matchExpressions", index)
        scope, operator = expression.get("scopeName"), expression.get("operator")
        values = listed(expression.get("values"))
        if scope not in SCOPES:
            yield invalid(
                join(e_at, "scopeName"), f"{where}.scopeName", scope or "", "unsupported scope"
            )
        if operator not in OPERATORS:
            yield invalid(
                join(e_at, "operator"),
                f"{where}.operator",
                operator or "",
                "not a valid selector operator",
            )
        elif scope in EXISTS_ONLY and operator != "Exists":
            yield invalid(
                join(e_at, "operator"),
                f"{where}.operator",
                operator,
                "must be 'Exists' when scope is any of ResourceQuotaScopeTerminating, "
                "ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, "
                "ResourceQuotaScopeNotBestEffort or "
                "ResourceQuotaScopeCrossNamespacePodAffinity",
            )
        elif operator in ("In", "NotIn") and not values:
            yield required(
                join(e_at, "values"),
                f"{where}.values",
                "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector",
            )
        elif operator in ("Exists", "DoesNotExist") and values:
            yield Finding(
                join(e_at, "values"),
                f"{where}.values: Invalid value: must be no value when `operator` is "
                "'Exist' or 'DoesNotExist' for scope selector",
            )
        if scope in SCOPES and any(not _scope_fits(scope, n) for n in standard):
            yield Finding(
                join(e_at, "scopeName"),
                f'{where}: Invalid value: unsupported scope applied to resource (scope "{scope}")',
            )


def _quantity_value(name: str, value: Any, at: str, where: str) -> Iterator[Finding]:
    number = parse_quantity(value)
    if number is None:
        return
    if number < 0:
        yield invalid(at, where, str(value), "must be greater than or equal to 0")
    if (name in INTEGER_RESOURCES or _is_extended(name)) and number != number.to_integral_value():
        yield invalid(at, where, str(value), "must be an integer")


def _limit(limit: dict[str, Any], at: str, where: str, duplicate: bool) -> Iterator[Finding]:
    kind = limit.get("type")
    if kind is None or isinstance(kind, str):
        kind = kind or ""
        problems = formats.qualified_name(kind)
        for problem in problems:
            yield invalid(join(at, "type"), f"{where}.type", kind, problem)
        if not problems and "/" not in kind and kind not in LIMIT_TYPES:
            yield invalid(
                join(at, "type"),
                f"{where}.type",
                kind,
                "must be a standard limit type or fully qualified",
            )
        if duplicate:
            yield Finding(join(at, "type"), f'{where}.type: Duplicate value: "{kind}"')
    fields = ("max", "min", "default", "defaultRequest", "maxLimitRequestRatio")
    for field in fields:
        yield from quantities(limit.get(field), join(at, field), f"{where}.{field}")
    values = {field: _parsed(limit.get(field)) for field in fields}
    if kind == "Pod":
        for field in ("default", "defaultRequest"):
            if mapping(limit.get(field)):
                yield Finding(
                    join(at, field),
                    f"{where}.{field}: Forbidden: may not be specified when `type` is 'Pod'",
                )
                values[field] = {}
    if kind == "Container":
        _default_container(values)
    if (
        kind == "PersistentVolumeClaim"
        # A key written with a null value is found, as a zero quantity.
        and "storage" not in mapping(limit.get("min"))
        and "storage" not in mapping(limit.get("max"))
    ):
        yield required(
            join(at, "limits"),
            f"{where}.limits",
            "either minimum or maximum storage value is required, but neither was provided",
        )
    findings: list[Finding] = []
    for field in fields:
        for name in values[field]:
            findings.extend(
                _limit_resource(
                    str(kind), str(name), join(at, field, name), f"{where}.{field}[{name}]"
                )
            )
    findings.extend(_compare(values, at, where))
    # The apiserver also reports values it filled in by defaulting; one finding on a
    # written value says the same, so those are kept when there is one.
    written = {join(at, field, str(name)) for field in fields for name in mapping(limit.get(field))}
    kept = [finding for finding in findings if finding.pointer in written]
    yield from kept or findings


def _parsed(values: Any) -> dict[str, tuple[Any, Decimal]]:
    """name -> (written value, number) for every value that is a quantity."""
    result = {}
    for name, value in mapping(values).items():
        if value is None:  # decoded as a zero quantity
            result[str(name)] = ("0", Decimal(0))
            continue
        number = parse_quantity(value)
        if number is not None and not not_a_quantity(value):
            result[str(name)] = (value, number)
    return result


def _default_container(values: dict[str, dict[str, tuple[Any, Decimal]]]) -> None:
    """SetDefaults_LimitRangeItem: default from max, defaultRequest from default, then min."""
    for name, value in values["max"].items():
        values["default"].setdefault(name, value)
    for name, value in values["default"].items():
        values["defaultRequest"].setdefault(name, value)
    for name, value in values["min"].items():
        values["defaultRequest"].setdefault(name, value)


def _limit_resource(kind: str, name: str, at: str, where: str) -> Iterator[Finding]:
    problems = formats.qualified_name(name)
    for problem in problems:
        yield invalid(at, where, name, problem)
    if problems or kind not in ("Pod", "Container") or "/" in name:
        return
    if name not in CONTAINER_RESOURCES and not name.startswith("hugepages-"):
        yield invalid(at, where, name, "must be a standard resource for containers")


# (field, field, the field reported, how the apiserver names the two): the first value must
# not be greater than the second, checked in ValidateLimitRange's order.
_ORDER = (
    ("min", "max", "min", ("min value", "max value")),
    ("min", "defaultRequest", "defaultRequest", ("min value", "default request value")),
    ("defaultRequest", "max", "defaultRequest", ("default request value", "max value")),
    (
        "defaultRequest",
        "default",
        "defaultRequest",
        ("default request value", "default limit value"),
    ),
    ("min", "default", "default", ("min value", "default value")),
    ("default", "max", "default", ("default value", "max value")),
)


def _compare(
    values: dict[str, dict[str, tuple[Any, Decimal]]], at: str, where: str
) -> Iterator[Finding]:
    names = {name for field in values.values() for name in field}
    for name in sorted(names):
        least, most = values["min"].get(name), values["max"].get(name)
        ratio = values["maxLimitRequestRatio"].get(name)

        def finding(
            field: str, value: tuple[Any, Decimal], problem: str, name: str = name
        ) -> Finding:
            return invalid(
                join(at, field, name), f"{where}.{field}[{name}]", str(value[0]), problem
            )

        for larger, smaller, field, words in _ORDER:
            big, small = values[larger].get(name), values[smaller].get(name)
            if big and small and big[1] > small[1]:
                message = f"{words[0]} {big[0]} is greater than {words[1]} {small[0]}"
                yield finding(field, values[field][name], message)
        if ratio and ratio[1] < 1:
            yield finding("maxLimitRequestRatio", ratio, f"ratio {ratio[0]} is less than 1")
        if ratio and least and most:
            # As the apiserver's float division: x/0 is an infinity, 0/0 compares false.
            bound = _divide(most[1], least[1])
            if bound is not None and ratio[1] > bound:
                yield finding(
                    "maxLimitRequestRatio",
                    ratio,
                    f"ratio {ratio[0]} is greater than max/min = {float(bound):f}",
                )


def _divide(top: Decimal, bottom: Decimal) -> Decimal | None:
    if bottom != 0:
        return top / bottom
    if top == 0:
        return None
    return Decimal("Infinity") if top > 0 else Decimal("-Infinity")
