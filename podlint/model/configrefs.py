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
from podlint.model.records import pickled_by_fields
from podlint.model.span import Span
from podlint.model.views import ObjectView, PodSpecView
from podlint.model.workloads import DEFAULT_NAMESPACE

# The suppression annotation (podlint.suppression reads it from whole objects; a summary keeps
# only its value).
IGNORE_ANNOTATION = "podlint.io/ignore"
SOURCE_KINDS = ("ConfigMap", "Secret")
# Cluster-scoped classes a pod names (spec.priorityClassName, spec.runtimeClassName); the
# index keeps their names under the namespace CLUSTER.
CLASS_KINDS = ("PriorityClass", "RuntimeClass")
# StorageClasses, with their provisioner, for the claims of the run.
INDEXED_KINDS = (*SOURCE_KINDS, *CLASS_KINDS, "StorageClass")
# Objects that hold PersistentVolumeClaims: the claims themselves, and the StatefulSets'
# volumeClaimTemplates.
CLAIM_KINDS = ("PersistentVolumeClaim", "StatefulSet")
CLUSTER = ""


@pickled_by_fields
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


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class _FixedSpan:
    """A locator that places every pointer of a stand-in at the annotation."""

    fixed: Span | None

    def span(self, pointer: str, key: bool = False) -> Span | None:
        return self.fixed


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class KeyReference:
    """One use of a ConfigMap or Secret by a container.

    ``key`` is None when the whole object is used (``envFrom``, a volume without ``items``);
    ``via`` says how it is used: ``env`` (a key read into an environment variable),
    ``envFrom`` or ``volume`` (a key projected into a ``configMap``, ``secret`` or
    ``projected`` volume, whose failure is a mount failure rather than a container error).
    """

    source_kind: str  # ConfigMap or Secret
    name: str
    key: str | None
    optional: bool
    via: str
    container: str  # the container's label (or the volume's), as messages name it
    variable: str | None  # the environment variable, for env
    pointer: str
    span: Span | None


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class ClassReference:
    """A pod's ``priorityClassName`` or ``runtimeClassName``."""

    kind: str  # PriorityClass or RuntimeClass
    name: str
    pointer: str
    span: Span | None


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class PodReferences:
    """The ConfigMap, Secret and class references of one pod spec."""

    origin: Origin
    namespace: str
    references: tuple[KeyReference, ...]
    classes: tuple[ClassReference, ...] = ()


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class DataSource:
    """An object of the run that pods refer to (a ConfigMap or Secret: its identity and the
    keys a container can read; a PriorityClass, RuntimeClass or StorageClass: its name)."""

    kind: str
    namespace: str  # CLUSTER for a cluster-scoped kind
    name: str
    path: str
    keys: frozenset[str]
    binary_keys: frozenset[str] = frozenset()  # a ConfigMap's binaryData: volumes read it too
    provisioner: str | None = None  # a StorageClass's

    def keys_for(self, via: str) -> frozenset[str]:
        """The keys a use ``via`` env, envFrom or volume can read."""
        return self.keys | self.binary_keys if via == "volume" else self.keys


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
    found.extend(_volume_references(pod))
    classes = tuple(_class_references(pod))
    if not found and not classes:
        return None
    obj = pod.object
    return PodReferences(origin_of(obj), obj.namespace or DEFAULT_NAMESPACE, tuple(found), classes)


_CLASS_FIELDS = (("priorityClassName", "PriorityClass"), ("runtimeClassName", "RuntimeClass"))


def _class_references(pod: PodSpecView) -> Iterator[ClassReference]:
    for field, kind in _CLASS_FIELDS:
        name = pod.get(field)
        if isinstance(name, str) and name:
            pointer = pod.at(field)
            yield ClassReference(kind, name, pointer, pod.object.document.locate(pointer))


_VOLUME_SOURCES = (("configMap", "ConfigMap", "name"), ("secret", "Secret", "secretName"))


def _volume_references(pod: PodSpecView) -> Iterator[KeyReference]:
    """The keys that ``configMap``, ``secret`` and ``projected`` volumes project (``items``),
    or the whole object when a volume names no items."""
    volumes = pod.get("volumes")
    for index, volume in enumerate(volumes if isinstance(volumes, list) else []):
        if not isinstance(volume, dict) or not isinstance(volume.get("name"), str):
            continue
        label = f'volume "{volume["name"]}"'
        for field, kind, name_field in _VOLUME_SOURCES:
            yield from _volume_source(
                volume.get(field), kind, name_field, label, ("volumes", index, field), pod
            )
        projected = volume.get("projected")
        sources = projected.get("sources") if isinstance(projected, dict) else None
        for number, source in enumerate(sources if isinstance(sources, list) else []):
            if not isinstance(source, dict):
                continue
            for field, kind, _name_field in _VOLUME_SOURCES:
                place = ("volumes", index, "projected", "sources", number, field)
                yield from _volume_source(source.get(field), kind, "name", label, place, pod)


def _volume_source(
    source: object,
    kind: str,
    name_field: str,
    label: str,
    place: tuple[str | int, ...],
    pod: PodSpecView,
) -> Iterator[KeyReference]:
    if not isinstance(source, dict):
        return
    name = source.get(name_field)
    if not isinstance(name, str) or not name:
        return
    document = pod.object.document
    optional = source.get("optional") is True
    items = source.get("items")
    if not isinstance(items, list) or not items:
        pointer = pod.at(*place, name_field)
        yield KeyReference(
            kind, name, None, optional, "volume", label, None, pointer, document.locate(pointer)
        )
        return
    for number, item in enumerate(items):
        key = item.get("key") if isinstance(item, dict) else None
        if not isinstance(key, str) or not key:
            continue  # the apiserver refuses it (api-volumes)
        pointer = pod.at(*place, "items", number, "key")
        yield KeyReference(
            kind, name, key, optional, "volume", label, None, pointer, document.locate(pointer)
        )


def data_source_of(obj: ObjectView) -> DataSource | None:
    """A ConfigMap's or Secret's keys as the kubelet reads them: a ConfigMap's ``data`` (and,
    for volumes only, ``binaryData``: environment variables are read from ``data`` alone), a
    Secret's ``data`` and ``stringData`` (which the apiserver merges into ``data``)."""
    if obj.kind in CLASS_KINDS and obj.name:
        return DataSource(obj.kind, CLUSTER, obj.name, obj.document.path, frozenset())
    if obj.kind == "StorageClass" and obj.name:
        provisioner = obj.data.get("provisioner")
        return DataSource(
            obj.kind,
            CLUSTER,
            obj.name,
            obj.document.path,
            frozenset(),
            provisioner=provisioner if isinstance(provisioner, str) else None,
        )
    if obj.kind not in SOURCE_KINDS or not obj.name:
        return None
    fields = ("data",) if obj.kind == "ConfigMap" else ("data", "stringData")
    keys: set[str] = set()
    for field in fields:
        values = obj.data.get(field)
        if isinstance(values, dict):
            keys.update(str(key) for key in values)
    binary = obj.data.get("binaryData") if obj.kind == "ConfigMap" else None
    return DataSource(
        obj.kind,
        obj.namespace or DEFAULT_NAMESPACE,
        obj.name,
        obj.document.path,
        frozenset(keys),
        frozenset(str(key) for key in binary) if isinstance(binary, dict) else frozenset(),
    )


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class ClaimSummary:
    """A PersistentVolumeClaim (or a StatefulSet's claim template) that names its
    StorageClass: what decides whether a volume can be provisioned for it."""

    origin: Origin
    label: str  # as messages name it
    storage_class: str
    access_modes: tuple[str, ...]
    volume_mode: str
    pointer: str  # the claim's accessModes
    span: Span | None
    item_spans: tuple[Span | None, ...] = ()  # of each access mode


def claims_of(obj: ObjectView) -> list[ClaimSummary]:
    """The claims an object holds that name a StorageClass: a PersistentVolumeClaim's spec,
    or each of a StatefulSet's ``volumeClaimTemplates``."""
    if obj.kind == "PersistentVolumeClaim":
        places: list[tuple[str, tuple[str | int, ...], object]] = [
            (f'PersistentVolumeClaim "{obj.name}"', ("spec",), obj.data.get("spec"))
        ]
    elif obj.kind == "StatefulSet":
        spec = obj.data.get("spec")
        templates = spec.get("volumeClaimTemplates") if isinstance(spec, dict) else None
        places = []
        for index, template in enumerate(templates if isinstance(templates, list) else []):
            if not isinstance(template, dict):
                continue
            metadata = template.get("metadata")
            name = metadata.get("name") if isinstance(metadata, dict) else None
            label = f'volumeClaimTemplate "{name}"' if isinstance(name, str) else "a claim template"
            places.append(
                (label, ("spec", "volumeClaimTemplates", index, "spec"), template.get("spec"))
            )
    else:
        return []
    claims: list[ClaimSummary] = []
    origin: Origin | None = None
    for label, parts, spec in places:
        if not isinstance(spec, dict):
            continue
        storage_class, modes = spec.get("storageClassName"), spec.get("accessModes")
        if not isinstance(storage_class, str) or not storage_class or not isinstance(modes, list):
            continue  # the default StorageClass is the cluster's: not judged
        origin = origin or origin_of(obj)
        pointer = obj.at(*parts, "accessModes")
        volume_mode = spec.get("volumeMode")
        claims.append(
            ClaimSummary(
                origin,
                label,
                storage_class,
                tuple(str(mode) for mode in modes),
                volume_mode if isinstance(volume_mode, str) else "Filesystem",
                pointer,
                obj.document.locate(pointer),
                tuple(obj.document.locate(f"{pointer}/{n}") for n in range(len(modes))),
            )
        )
    return claims


class ConfigIndex:
    """What a run's pods (and claims) refer to, and the objects of the run they may name:
    ConfigMaps, Secrets, PriorityClasses, RuntimeClasses, StorageClasses."""

    def __init__(self) -> None:
        self.pods: list[PodReferences] = []
        self.claims: list[ClaimSummary] = []
        self._sources: dict[tuple[str, str, str], list[DataSource]] = {}

    def add_pod(self, references: PodReferences) -> None:
        self.pods.append(references)

    def add_claims(self, claims: Iterable[ClaimSummary]) -> None:
        self.claims.extend(claims)

    def origins(self) -> Iterator[Origin]:
        """The objects this index's findings may be reported in, each once."""
        seen: set[tuple[str, int, str]] = set()
        for origin in [pod.origin for pod in self.pods] + [c.origin for c in self.claims]:
            place = (origin.path, origin.document, origin.pointer)
            if place not in seen:
                seen.add(place)
                yield origin

    def add_source(self, source: DataSource) -> None:
        self._sources.setdefault((source.namespace, source.kind, source.name), []).append(source)

    def update(self, other: ConfigIndex) -> None:
        self.pods.extend(other.pods)
        self.claims.extend(other.claims)
        for key, sources in other._sources.items():
            self._sources.setdefault(key, []).extend(sources)

    @classmethod
    def merged(cls, indexes: Iterable[ConfigIndex]) -> ConfigIndex:
        result = cls()
        for index in indexes:
            result.update(index)
        return result

    def with_pods(
        self, pods: Iterable[PodReferences], claims: Iterable[ClaimSummary] = ()
    ) -> ConfigIndex:
        """This index's referred-to objects with ``pods`` and ``claims`` (one engine's) as
        its own."""
        result = ConfigIndex()
        result.pods = list(pods)
        result.claims = list(claims)
        result._sources = self._sources
        return result

    def find(self, namespace: str, kind: str, name: str, near: str) -> DataSource | None:
        """The ConfigMap or Secret of that name nearest to the file ``near`` (see
        ``podlint.model.workloads``: same file, same directory, sibling directory)."""
        return nearest(self._sources.get((namespace, kind, name), []), near, _path)

    def defines_any(self, namespace: str, kind: str, near: str) -> bool:
        """Whether the run defines any ConfigMap (or Secret) of ``namespace`` near ``near``."""
        return bool(self.names_near(namespace, kind, near))

    def names_near(self, namespace: str, kind: str, near: str) -> list[str]:
        """The names of the objects of ``kind`` in ``namespace`` (CLUSTER for a
        cluster-scoped kind) that the run defines near ``near``, sorted."""
        return sorted(
            name
            for (ns, k, name), sources in self._sources.items()
            if (ns, k) == (namespace, kind) and nearest(sources, near, _path) is not None
        )

    def __iter__(self) -> Iterator[PodReferences]:
        return iter(self.pods)

    def __len__(self) -> int:
        return len(self.pods) + len(self.claims) + sum(len(s) for s in self._sources.values())


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
