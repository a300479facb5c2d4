"""Helpers shared by the api-* checks: version gates, apiserver defaults, typed getters."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from podlint.model.version import KubeVersion
from podlint.model.views import ContainerView, PodSpecView
from podlint.rule import RuleContext

V1_29 = KubeVersion(1, 29)
V1_26 = KubeVersion(1, 26)
V1_27 = KubeVersion(1, 27)
V1_30 = KubeVersion(1, 30)
V1_31 = KubeVersion(1, 31)
V1_32 = KubeVersion(1, 32)
V1_33 = KubeVersion(1, 33)
V1_34 = KubeVersion(1, 34)
V1_35 = KubeVersion(1, 35)
V1_36 = KubeVersion(1, 36)


def validated(pod: PodSpecView, ctx: RuleContext) -> bool:
    """Whether the apiserver validates this pod spec at all on create.

    StatefulSet templates were accepted unvalidated (their Pods failed later) before 1.34.
    """
    return not (pod.object.kind == "StatefulSet" and ctx.kubernetes_version < V1_34)


def sidecars_enabled(ctx: RuleContext) -> bool:
    """SidecarContainers is on by default from 1.29; before, restartPolicy is dropped."""
    return ctx.kubernetes_version >= V1_29


def is_sidecar(container: ContainerView, ctx: RuleContext) -> bool:
    return container.is_sidecar and sidecars_enabled(ctx)


def mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def items(value: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    """(index, item) for every mapping in a list; anything else is the schema rule's.

    A null item decodes as the zero value, an empty mapping, and is judged as one.
    """
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield index, item
            elif item is None:
                yield index, {}


def listed(value: Any) -> list[Any]:
    """A list value, or an empty list for anything else (a wrong type is the schema rule's)."""
    return value if isinstance(value, list) else []


def strings(value: Any) -> list[Any]:
    """A list of strings as the apiserver decodes it: a null item is the empty string."""
    return ["" if item is None else item for item in listed(value)]


def text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def defaulted(value: Any, default: Any) -> Any:
    """The value after the apiserver's defaulting of a string field (nil and "" take it)."""
    return default if value is None or value == "" else value


def pod_restart_policy(pod: PodSpecView) -> Any:
    return defaulted(pod.get("restartPolicy"), "Always")


def not_a_quantity(value: Any) -> bool:
    """A value the apiserver cannot decode as a resource quantity (it refuses the object)."""
    from podlint.k8s.quantity import parse_quantity

    return value is not None and parse_quantity(value) is None


def quantity_problem(where: str, value: Any) -> str:
    return f"{where} {value!r} is not a quantity (such as 500m, 1Gi or 2)".replace("'", '"')


def quote(values: tuple[str, ...] | list[str]) -> str:
    return ", ".join(f'"{v}"' for v in values)


def is_live(data: dict[str, Any]) -> bool:
    """An object that already exists (it has a resourceVersion): admission of an update.

    Rules the apiserver applies only on create are skipped for it.
    """
    return bool(mapping(data.get("metadata")).get("resourceVersion"))
