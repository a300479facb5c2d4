"""Helpers the update rules share: reading objects and wording findings."""

from __future__ import annotations

from typing import Any

from podlint.model.kinds import api_group
from podlint.update.compare import Change, field_path, show


def mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def sequence(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def kind_of(obj: dict[str, Any]) -> tuple[str, str]:
    """(API group, kind) of an object: ("apps", "Deployment"), ("", "Pod")."""
    api_version = obj.get("apiVersion")
    kind = obj.get("kind")
    return (
        api_group(api_version) if isinstance(api_version, str) else "",
        kind if isinstance(kind, str) else "",
    )


def what_changed(change: Change, base: str) -> str:
    """``spec.x changed (was 1)``, ``spec.x added``, ``spec.x removed (was 1)``."""
    name = field_path(change.pointer, base)
    if change.old is None:
        return f"{name} added ({show(change.new)})"
    if change.new is None:
        return f"{name} removed (was {show(change.old)})"
    return f"{name} changed (was {show(change.old)})"


def where(change: Change) -> str:
    """The pointer a finding about this change points at: the field, or where it was."""
    return change.anchor if change.new is None else change.pointer
