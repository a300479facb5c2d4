"""What checks see: an object, a pod spec inside it, a container inside that."""

from __future__ import annotations

import enum
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from podlint.model.document import Document
from podlint.model.pointer import join, parent, resolve

T = TypeVar("T")


class ContainerType(str, enum.Enum):
    """The pod spec list a container is in."""

    CONTAINER = "containers"
    INIT = "initContainers"
    EPHEMERAL = "ephemeralContainers"


@dataclass(frozen=True, slots=True)
class ObjectView:
    """One object of a document, as the object rules read it."""

    document: Document
    # Read once: every rule asks for them.
    kind: str = field(init=False, compare=False)
    api_version: str = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", self.document.kind or "")
        object.__setattr__(self, "api_version", self.document.api_version or "")

    @property
    def data(self) -> dict[str, Any]:
        return self.document.data

    @property
    def pointer(self) -> str:
        return self.document.pointer

    @property
    def name(self) -> str | None:
        return self.document.name

    @property
    def namespace(self) -> str | None:
        return self.document.namespace

    def at(self, *parts: str | int) -> str:
        return join(self.pointer, *parts)

    def pod_spec(self, relative_pointer: str) -> PodSpecView | None:
        try:
            spec = resolve(self.data, relative_pointer)
        except KeyError:
            return None
        if not isinstance(spec, dict):
            return None
        metadata_pointer = parent(relative_pointer) + "/metadata"
        try:
            metadata = resolve(self.data, metadata_pointer)
        except KeyError:
            metadata = {}
        return PodSpecView(
            self,
            spec,
            self.pointer + relative_pointer,
            metadata if isinstance(metadata, dict) else {},
            self.pointer + metadata_pointer,
        )


@dataclass(frozen=True, slots=True)
class PodSpecView:
    """A PodSpec, with the metadata of its Pod or pod template."""

    object: ObjectView
    data: dict[str, Any]
    pointer: str
    metadata: dict[str, Any]
    metadata_pointer: str
    # Many rules walk the containers of one pod spec: their views are built once, on first use.
    _containers: tuple[ContainerView, ...] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _shared: dict[Hashable, Any] | None = field(default=None, init=False, repr=False, compare=False)

    def at(self, *parts: str | int) -> str:
        return join(self.pointer, *parts)

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    @property
    def is_template(self) -> bool:
        return self.object.kind != "Pod"

    def containers(self) -> Iterator[ContainerView]:
        """Every container: app containers, init containers (sidecars too), ephemeral ones."""
        views = self._containers
        if views is None:
            views = tuple(self._container_views())
            object.__setattr__(self, "_containers", views)
        return iter(views)

    def shared(self, key: Hashable, build: Callable[..., T], *arguments: Any) -> T:
        """What ``build(*arguments)`` derives from this pod spec, built once and shared by
        every rule that asks with the same ``key``."""
        memo = self._shared
        if memo is None:
            memo = {}
            object.__setattr__(self, "_shared", memo)
        try:
            return memo[key]  # type: ignore[no-any-return]
        except KeyError:
            value = memo[key] = build(*arguments)
            return value

    def release(self) -> None:
        """Forget the container views and shared readings built so far (they refer back to
        this view), so that reference counting frees the pod as soon as its users are done."""
        object.__setattr__(self, "_containers", None)
        object.__setattr__(self, "_shared", None)

    def _container_views(self) -> Iterator[ContainerView]:
        for container_type in ContainerType:
            items = self.data.get(container_type.value)
            if not isinstance(items, list):
                continue
            # The list names need no escaping in a pointer.
            prefix = f"{self.pointer}/{container_type.value}/"
            for index, item in enumerate(items):
                if isinstance(item, dict):
                    yield ContainerView(self, item, prefix + str(index), container_type, index)


@dataclass(frozen=True, slots=True)
class ContainerView:
    """One container of a pod spec, with its place and type."""

    pod: PodSpecView
    data: dict[str, Any]
    pointer: str
    type: ContainerType
    index: int

    @property
    def name(self) -> str:
        name = self.data.get("name")
        return name if isinstance(name, str) else f"#{self.index}"

    @property
    def is_sidecar(self) -> bool:
        """A restartable init container (native sidecar)."""
        return self.type is ContainerType.INIT and self.data.get("restartPolicy") == "Always"

    @property
    def role(self) -> str:
        """One of "app", "init", "sidecar", "ephemeral"."""
        if self.type is ContainerType.CONTAINER:
            return "app"
        if self.type is ContainerType.EPHEMERAL:
            return "ephemeral"
        return "sidecar" if self.is_sidecar else "init"

    @property
    def label(self) -> str:
        """How messages name it: 'container "app"', 'init container "setup"', ..."""
        prefix = _LABEL_PREFIXES[self.role]
        name = self.data.get("name")
        if isinstance(name, str):
            return f'{prefix} "{name}"'
        # A kustomize JSON patch may write into a container without naming it.
        return f"{prefix} {self.type.value}[{self.index}]"

    def at(self, *parts: str | int) -> str:
        return join(self.pointer, *parts)

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


_LABEL_PREFIXES = {
    "app": "container",
    "init": "init container",
    "sidecar": "sidecar container",
    "ephemeral": "ephemeral container",
}
