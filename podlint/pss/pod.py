"""A defensive view of a pod (spec and metadata) as the PSA checks read it.

Manifests are not decoded into typed objects first, so a field of the wrong type is read as
absent (mappings, lists) or as its text (strings); the schema rules report the type error.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

# A location relative to the pod or pod template: ("spec", ...) or ("metadata", ...).
Path = tuple[str | int, ...]

# Upstream visits init containers first, then containers, then ephemeral containers.
CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")


def mapping(value: Any) -> dict[str, Any] | None:
    """A mapping, or None when the value is absent (null) or not a mapping."""
    return value if isinstance(value, dict) else None


def sequence(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def text(value: Any) -> str:
    """A string field as Go would hold it: absent is empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


def integer(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(frozen=True, slots=True)
class Container:
    name: str
    data: dict[str, Any]
    path: Path

    @property
    def security(self) -> dict[str, Any] | None:
        return mapping(self.data.get("securityContext"))

    def security_field(self, key: str) -> Any:
        security = self.security
        return None if security is None else security.get(key)


@dataclass(frozen=True, slots=True)
class Pod:
    """The pod spec and its (pod or template) metadata.

    ``default_host_ports`` applies the apiserver's defaulting of ``hostPort`` to
    ``containerPort`` on hostNetwork pods, which happens before admission for Pods.
    """

    spec: dict[str, Any]
    metadata: dict[str, Any]
    default_host_ports: bool = False
    # Every check walks the containers: they are read once per pod.
    _containers: tuple[Container, ...] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @property
    def security(self) -> dict[str, Any] | None:
        return mapping(self.spec.get("securityContext"))

    def security_field(self, key: str) -> Any:
        security = self.security
        return None if security is None else security.get(key)

    @property
    def annotations(self) -> dict[str, Any]:
        return mapping(self.metadata.get("annotations")) or {}

    @property
    def is_windows(self) -> bool:
        os_ = mapping(self.spec.get("os"))
        return os_ is not None and os_.get("name") == "windows"

    @property
    def in_user_namespace(self) -> bool:
        """Only an explicit ``hostUsers: false`` counts; unset does not."""
        return self.spec.get("hostUsers") is False

    def containers(self) -> Iterator[Container]:
        containers = self._containers
        if containers is None:
            containers = tuple(self._read_containers())
            object.__setattr__(self, "_containers", containers)
        return iter(containers)

    def _read_containers(self) -> Iterator[Container]:
        for list_name in CONTAINER_LISTS:
            for index, item in enumerate(sequence(self.spec.get(list_name))):
                if isinstance(item, dict):
                    yield Container(text(item.get("name")), item, ("spec", list_name, index))

    def volumes(self) -> Iterator[tuple[int, dict[str, Any]]]:
        for index, item in enumerate(sequence(self.spec.get("volumes"))):
            if isinstance(item, dict):
                yield index, item


def pluralize(singular: str, plural: str, count: int) -> str:
    return singular if count == 1 else plural


def join_quote(items: list[str]) -> str:
    """Items in double quotes joined by ", " (no escaping, as upstream)."""
    return '"' + '", "'.join(items) + '"' if items else ""


def containers_phrase(names: list[str]) -> str:
    return f"{pluralize('container', 'containers', len(names))} {join_quote(names)}"


_GO_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
    '"': '\\"',
    "\\": "\\\\",
}


def go_quote(value: str) -> str:
    """A string quoted as Go's %q does: escapes for quotes, backslashes, non-printables."""
    out = ['"']
    for char in value:
        escaped = _GO_ESCAPES.get(char)
        if escaped is not None:
            out.append(escaped)
        elif char.isprintable():
            out.append(char)
        elif ord(char) < 0x80:
            out.append(f"\\x{ord(char):02x}")
        elif ord(char) <= 0xFFFF:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    out.append('"')
    return "".join(out)
