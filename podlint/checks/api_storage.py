"""What the apiserver refuses in PersistentVolumes and PersistentVolumeClaims: quantities it
cannot decode (the whole request is refused before validation)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from podlint.checks._api import mapping, not_a_quantity, quantity_problem
from podlint.model.finding import Finding
from podlint.model.views import ObjectView
from podlint.rule import RuleContext


def storage_quantities(obj: ObjectView, ctx: RuleContext) -> Iterator[Finding]:
    """PV spec.capacity, PVC spec.resources.requests and limits: every value a quantity."""
    spec = mapping(obj.data.get("spec"))
    places: list[tuple[tuple[str, ...], Any]]
    if obj.kind == "PersistentVolume":
        places = [(("spec", "capacity"), spec.get("capacity"))]
    else:
        resources = mapping(spec.get("resources"))
        places = [
            (("spec", "resources", field), resources.get(field)) for field in ("requests", "limits")
        ]
    for parts, values in places:
        for name, value in mapping(values).items():
            if not_a_quantity(value):
                where = ".".join(parts) + f"[{name}]"
                yield Finding(obj.at(*parts, str(name)), quantity_problem(where, value))
