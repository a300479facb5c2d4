"""Autoscaling checks: a HorizontalPodAutoscaler against the workload it scales."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from podlint.model.finding import Finding
from podlint.model.views import ObjectView
from podlint.model.workloads import WorkloadSummary
from podlint.rule import RuleContext

# Without metrics (or targetCPUUtilizationPercentage in autoscaling/v1) the HPA targets 80%
# average CPU utilization.
_DEFAULT_RESOURCE = "cpu"


@dataclass(frozen=True, slots=True)
class _UtilizationMetric:
    """A utilization target of an autoscaler, on all containers or one."""

    resource: str
    container: str | None  # ContainerResource metrics name one container
    pointer: str


def _utilization_metrics(hpa: ObjectView) -> list[_UtilizationMetric]:
    spec = hpa.data.get("spec")
    if not isinstance(spec, dict):
        return []
    if hpa.api_version == "autoscaling/v1":
        return [_UtilizationMetric(_DEFAULT_RESOURCE, None, _v1_pointer(hpa, spec))]
    metrics = spec.get("metrics")
    if not isinstance(metrics, list) or not metrics:
        return [_UtilizationMetric(_DEFAULT_RESOURCE, None, hpa.at("spec", "scaleTargetRef"))]
    found = []
    for index, metric in enumerate(metrics):
        if not isinstance(metric, dict):
            continue
        kind = metric.get("type")
        if kind == "Resource":
            source, field = metric.get("resource"), "resource"
        elif kind == "ContainerResource":
            source, field = metric.get("containerResource"), "containerResource"
        else:
            continue
        if not isinstance(source, dict) or not _is_utilization(source):
            continue
        name = source.get("name")
        if not isinstance(name, str):
            continue
        container = source.get("container") if kind == "ContainerResource" else None
        found.append(
            _UtilizationMetric(
                name,
                container if isinstance(container, str) else None,
                hpa.at("spec", "metrics", index, field, "name"),
            )
        )
    return found


def _v1_pointer(hpa: ObjectView, spec: dict[str, Any]) -> str:
    if "targetCPUUtilizationPercentage" in spec:
        return hpa.at("spec", "targetCPUUtilizationPercentage")
    return hpa.at("spec", "scaleTargetRef")


def _is_utilization(source: dict[str, Any]) -> bool:
    target = source.get("target")
    if isinstance(target, dict):  # autoscaling/v2
        return target.get("type") == "Utilization"
    return "targetAverageUtilization" in source  # autoscaling/v2beta1


def _target(hpa: ObjectView, ctx: RuleContext) -> WorkloadSummary | None:
    spec = hpa.data.get("spec")
    ref = spec.get("scaleTargetRef") if isinstance(spec, dict) else None
    if ctx.workloads is None or not isinstance(ref, dict):
        return None
    kind, name, api_version = ref.get("kind"), ref.get("name"), ref.get("apiVersion")
    if not isinstance(kind, str) or not isinstance(name, str):
        return None
    if isinstance(api_version, str) and api_version:
        return ctx.workloads.find(hpa.namespace, api_version, kind, name, hpa.document.path)
    return ctx.workloads.find_kind(hpa.namespace, kind, name, hpa.document.path)


def target_missing_requests(hpa: ObjectView, ctx: RuleContext) -> Iterator[Finding]:
    metrics = _utilization_metrics(hpa)
    if not metrics:
        return
    workload = _target(hpa, ctx)
    if workload is None:
        return
    for metric in metrics:
        # The HPA controller divides usage by the requests of the pod's (app) containers.
        missing = [
            c.name
            for c in workload.containers
            if c.role == "app"
            and metric.resource not in c.requests
            and (metric.container is None or c.name == metric.container)
        ]
        if not missing:
            continue
        names = ", ".join(f'"{name}"' for name in missing)
        where = "" if workload.path == hpa.document.path else f" ({workload.path})"
        yield Finding(
            metric.pointer,
            f"scales on {metric.resource} utilization of {workload.kind} "
            f'"{workload.name}"{where}, but container{"s" if len(missing) > 1 else ""} '
            f"{names} request{'' if len(missing) > 1 else 's'} no {metric.resource}; "
            "the HPA cannot compute utilization and will not scale",
        )
