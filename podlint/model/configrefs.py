"""What Pods take from ConfigMaps and Secrets, and what the ConfigMaps and Secrets define.

A rule such as "the container reads key ``url`` of ConfigMap ``db``, which has no such key"
relates a workload to another object, possibly in another file. The run keeps small summaries
(the references with their resolved positions, and each ConfigMap's and Secret's key names)
instead of the objects, and the findings are made from them once every file was read. The
summaries are plain picklable dataclasses, merged like ``WorkloadIndex``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, TypeVar

from podlint.model.document import Document
from podlint.model.span import Span
from podlint.model.views import ObjectView, PodSpecView
from podlint.model.workloads import DEFAULT_NAMESPACE

# The suppression annotation (podlint.suppression reads it from whole objects; a summary keeps
# only its value).
IGNORE_ANNOTATION = "podlint.io/ignore"
SOURCE_KINDS = ("ConfigMap", "Secret")


@dataclass(frozen=True, slots=True)
class Origin:
    """The object a reference was written in: enough to place, stamp and suppress a finding."""

    path: str
    document: int
    pointer: str  # where the object sits in its source document ("" or "/items/3")
    kind: str | None
    namespace: str | None
    name: str | None
    ignore: str | None  # the podlint.io/ignore annotation, as written
    ignore_span: Span | None

    def stand_in(self) -> Document:
        """A document holding only the object's identity and ignore annotation, for
        suppression at the end of the run."""
        metadata: dict[str, Any] = {}
        if self.name is not None:
            metadata["name"] = self.name
        if self.namespace is not None:
            metadata["namespace"] = self.namespace
        if self.ignore is not None:
            metadata["annotations"] = {IGNORE_ANNOTATION: self.ignore}
        data: dict[str, Any] = {"metadata": metadata}
        if self.kind is not None:
            data["kind"] = self.kind
        return Document(self.path, self.document, data, self.pointer, _FixedSpan(self.ignore_span))


@dataclass(frozen=True, slots=True)
class _FixedSpan:
    """A locator that places every pointer of a stand-in at the annotation."""

    fixed: Span | None

    def span(self, pointer: str, key: bool = False) -> Span | None:
        return self.fixed


@dataclass(frozen=True, slots=True)
class KeyReference:
    """One use of a ConfigMap or Secret by a container.

    ``key`` is None when the whole object is used (``envFrom``); ``via`` says how it is used:
    ``env`` (a key read into an environment variable) or ``envFrom``.
    """

    source_kind: str  # ConfigMap or Secret
    name: str
    key: str | None
    optional: bool
    via: str
    container: str  # the container's label, as messages name it
    variable: str | None  # the environment variable, for env
    pointer: str
    span: Span | None


@dataclass(frozen=True, slots=True)
class PodReferences:
    origin: Origin
    namespace: str
    references: tuple[KeyReference, ...]


@dataclass(frozen=True, slots=True)
class DataSource:
    """A ConfigMap or Secret of the run: its identity and the keys a container can read."""

    kind: str
    namespace: str
    name: str
    path: str
    keys: frozenset[str]


def origin_of(obj: ObjectView) -> Origin:
    document = obj.document
    annotations = document.metadata.get("annotations")
    ignore = annotations.get(IGNORE_ANNOTATION) if isinstance(annotations, dict) else None
    pointer = obj.at("metadata", "annotations", IGNORE_ANNOTATION)
    return Origin(
        document.path,
        document.index,
        document.pointer,
        document.kind,
        document.namespace,
        document.name,
        ignore if isinstance(ignore, str) else None,
        document.locate(pointer) if ignore is not None else None,
    )


def references_of(pod: PodSpecView) -> PodReferences | None:
    """The ConfigMap and Secret uses of a pod's containers, or None when it has none."""
    document = pod.object.document
    found: list[KeyReference] = []
    for container in pod.containers():
        env = container.get("env")
        for index, variable in enumerate(env if isinstance(env, list) else []):
            if not isinstance(variable, dict):
                continue
            source = variable.get("valueFrom")
            if not isinstance(source, dict):
                continue
            for field, kind in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
                ref = source.get(field)
                if not isinstance(ref, dict):
                    continue
                name, key = ref.get("name"), ref.get("key")
                if not isinstance(name, str) or not name or not isinstance(key, str) or not key:
                    continue  # the apiserver refuses these (api-container)
                pointer = container.at("env", index, "valueFrom", field, "key")
                variable_name = variable.get("name")
                found.append(
                    KeyReference(
                        kind,
                        name,
                        key,
                        ref.get("optional") is True,
                        "env",
                        container.label,
                        variable_name if isinstance(variable_name, str) else None,
                        pointer,
                        document.locate(pointer),
                    )
                )
        env_from = container.get("envFrom")
        for index, entry in enumerate(env_from if isinstance(env_from, list) else []):
            if not isinstance(entry, dict):
                continue
            for field, kind in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
                ref = entry.get(field)
                if not isinstance(ref, dict):
                    continue
                name = ref.get("name")
                if not isinstance(name, str) or not name:
                    continue
                pointer = container.at("envFrom", index, field, "name")
                found.append(
                    KeyReference(
                        kind,
                        name,
                        None,
                        ref.get("optional") is True,
                        "envFrom",
                        container.label,
                        None,
                        pointer,
                        document.locate(pointer),
                    )
                )
    if not found:
        return None
    obj = pod.object
    return PodReferences(origin_of(obj), obj.namespace or DEFAULT_NAMESPACE, tuple(found))


def data_source_of(obj: ObjectView) -> DataSource | None:
    """A ConfigMap's or Secret's keys as the kubelet reads them for environment variables:
    a ConfigMap's ``data`` (not ``binaryData``: the kubelet looks only in ``data``), a Secret's
    ``data`` and ``stringData`` (which the apiserver merges into ``data``)."""
    if obj.kind not in SOURCE_KINDS or not obj.name:
        return None
    fields = ("data",) if obj.kind == "ConfigMap" else ("data", "stringData")
    keys: set[str] = set()
    for field in fields:
        values = obj.data.get(field)
        if isinstance(values, dict):
            keys.update(str(key) for key in values)
    return DataSource(
        obj.kind, obj.namespace or DEFAULT_NAMESPACE, obj.name, obj.document.path, frozenset(keys)
    )


class ConfigIndex:
    """The ConfigMap and Secret uses of a run's pods, and its ConfigMaps and Secrets."""

    def __init__(self) -> None:
        self.pods: list[PodReferences] = []
        self._sources: dict[tuple[str, str, str], list[DataSource]] = {}

    def add_pod(self, references: PodReferences) -> None:
        self.pods.append(references)

    def add_source(self, source: DataSource) -> None:
        self._sources.setdefault((source.namespace, source.kind, source.name), []).append(source)

    def update(self, other: ConfigIndex) -> None:
        self.pods.extend(other.pods)
        for key, sources in other._sources.items():
            self._sources.setdefault(key, []).extend(sources)

    @classmethod
    def merged(cls, indexes: Iterable[ConfigIndex]) -> ConfigIndex:
        result = cls()
        for index in indexes:
            result.update(index)
        return result

    def with_pods(self, pods: Iterable[PodReferences]) -> ConfigIndex:
        """This index's ConfigMaps and Secrets with ``pods`` (one engine's) as its pods."""
        result = ConfigIndex()
        result.pods = list(pods)
        result._sources = self._sources
        return result

    def find(self, namespace: str, kind: str, name: str, near: str) -> DataSource | None:
        """The ConfigMap or Secret of that name nearest to the file ``near`` (see
        ``podlint.model.workloads``: same file, same directory, sibling directory)."""
        return nearest(self._sources.get((namespace, kind, name), []), near, _path)

    def defines_any(self, namespace: str, kind: str, near: str) -> bool:
        """Whether the run defines any ConfigMap (or Secret) of ``namespace`` near ``near``."""
        candidates = [
            source
            for (ns, k, _name), sources in self._sources.items()
            if (ns, k) == (namespace, kind)
            for source in sources
        ]
        return nearest(candidates, near, _path) is not None

    def __iter__(self) -> Iterator[PodReferences]:
        return iter(self.pods)

    def __len__(self) -> int:
        return len(self.pods) + sum(len(s) for s in self._sources.values())


def _path(source: DataSource) -> str:
    return source.path


_T = TypeVar("_T")


def nearest(candidates: Iterable[_T], near: str, path_of: Callable[[_T], str]) -> _T | None:
    """The candidate in the same file, else in the same directory, else in a sibling
    directory; further away, one of the same name is more likely another project's."""
    here = PurePath(near)
    best: tuple[int, _T] | None = None
    for candidate in candidates:
        path = path_of(candidate)
        there = PurePath(path)
        if path == near:
            rank = 3
        elif there.parent == here.parent:
            rank = 2
        elif there.parent.parent == here.parent.parent:
            rank = 1
        else:
            continue
        if best is None or rank > best[0]:
            best = (rank, candidate)
    return best[1] if best else None


RUN_WIDE = "podlint_reads_config_index"


def reads_config_index(check: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a cross-object check that runs once, at the end of a run, on the ConfigIndex
    (rather than on each object of the kinds its card names). Its findings carry their
    place (path, span, document, identity) from the summaries."""
    setattr(check, RUN_WIDE, True)
    return check
