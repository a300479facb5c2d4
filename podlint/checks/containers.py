"""Checks across the containers of a pod spec."""

from __future__ import annotations

from collections.abc import Iterator

from podlint.model.finding import Finding
from podlint.model.views import ContainerView, PodSpecView
from podlint.rule import RuleContext


def duplicate_names(pod: PodSpecView, ctx: RuleContext) -> Iterator[Finding]:
    """Container names must be unique across containers, init and ephemeral containers."""
    first: dict[str, ContainerView] = {}
    for container in pod.containers():
        name = container.get("name")
        if not isinstance(name, str):
            continue
        if name in first:
            earlier = first[name]
            yield Finding(
                container.at("name"),
                f'container name "{name}" is already used by {earlier.type.value}'
                f"[{earlier.index}]; names must be unique across containers, "
                "initContainers and ephemeralContainers",
            )
        else:
            first[name] = container
