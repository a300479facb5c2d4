"""The view an update-aware check receives: the new object and the one it replaces."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from podlint.model.views import ObjectView


@dataclass(frozen=True, slots=True)
class UpdateView(ObjectView):
    """An ``ObjectView`` of the new object, with ``old`` the stored (or base) version."""

    old: dict[str, Any]


def previous(view: object) -> dict[str, Any] | None:
    """The previous version of the viewed object, or None during a plain lint."""
    return view.old if isinstance(view, UpdateView) else None
