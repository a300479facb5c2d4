"""The OpenAPI-derived JSON Schemas of each Kubernetes version, compiled once per process.

The strict schemas come from the ``kubernetes-validate`` distribution (one directory per
Kubernetes minor version, every object with ``additionalProperties: false``). Only its
``_definitions.json`` is read: each top-level kind there carries its group/version/kind, so
the kind index and the validators are built from one file. Its internal ``$ref``s are resolved
into shared (possibly cyclic) dicts, because looking references up on every validation costs
more than the validation itself; the validators get an empty local ``referencing`` registry,
so nothing is ever fetched.

Start-up pays only for what a run validates: the file is read once into a compact form
without annotations (kept in podlint's data cache, ``podlint.datacache``), and a definition's
references are resolved the first time a document needs it, so a run that validates one
Deployment links its few hundred schema nodes, not the whole API's thousands.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from podlint.datacache import load_cached
from podlint.k8s.fastcheck import Compiler, Predicate, Unsupported
from podlint.model.version import KubeVersion

LOG = logging.getLogger(__name__)

_DISTRIBUTION = "kubernetes_validate"


class SchemaUnavailable(RuntimeError):
    """The schemas for a version cannot be read (package missing or damaged)."""


def schema_root() -> Path:
    """The directory of per-version schema folders, found without importing the package."""
    spec = importlib.util.find_spec(_DISTRIBUTION)
    if spec is None or not spec.submodule_search_locations:
        raise SchemaUnavailable(
            "the kubernetes-validate package is not installed; it provides the schemas"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "kubernetes-json-schema"


@dataclass
class VersionSchemas:
    """The definitions of one Kubernetes version and the validators built from them."""

    version: KubeVersion
    definitions: Definitions
    kinds: dict[tuple[str, str], str]
    groups: frozenset[str]
    _validators: dict[str, Any] = field(default_factory=dict)
    _fast: dict[str, Predicate | None] = field(default_factory=dict)
    _compiler: Compiler = field(default_factory=Compiler)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def definition_name(self, api_version: str, kind: str) -> str | None:
        return self.kinds.get((api_version, kind))

    def serves_group(self, api_version: str) -> bool:
        group = api_version.split("/", 1)[0] if "/" in api_version else ""
        return group in self.groups

    def validator(self, definition: str) -> Any:
        """The compiled validator of one top-level definition, built on first use."""
        with self._lock:
            validator = self._validators.get(definition)
            if validator is None:
                from jsonschema import Draft202012Validator
                from referencing import Registry

                # An empty registry: no $ref is left to resolve, and none is ever fetched.
                schema = self.definitions[definition]
                validator = Draft202012Validator(schema, registry=Registry())
                self._validators[definition] = validator
            return validator

    def is_valid(self, definition: str, data: Any) -> bool | None:
        """A fast verdict on ``data``; None when it must be left to the full validator."""
        with self._lock:
            if definition not in self._fast:
                self._fast[definition] = self._compiler.compile(self.definitions[definition])
            predicate = self._fast[definition]
        if predicate is None:
            return None
        try:
            return predicate(data)
        except Unsupported:
            return None

    def definition_of(self, schema: Any) -> str | None:
        """The definition name ("io.k8s.api.core.v1.PodSpec") of a subschema, if it is one."""
        return self.definitions.names.get(id(schema))

    def type_name(self, schema: Any) -> str | None:
        """The short OpenAPI type name ("PodSpec") of a subschema taken from the definitions."""
        name = self.definitions.names.get(id(schema))
        return name.rsplit(".", 1)[-1] if name else None

    def required(self, definition: str) -> tuple[str, ...]:
        value = self.definitions.get(definition, {}).get("required") or ()
        return tuple(value)


@cache
def version_schemas(version: KubeVersion) -> VersionSchemas:
    """Load and index the strict schemas of ``version`` (once per process)."""

    folder = schema_root() / f"v{version.major}.{version.minor}.0-local-strict"
    path = folder / "_definitions.json"
    try:
        [compact] = load_cached(f"k8s-{version.major}.{version.minor}", [path], _compact)
    except (OSError, ValueError) as error:
        raise SchemaUnavailable(
            f"cannot read the Kubernetes {version} schemas at {path}: {error}"
        ) from error
    kinds = {(api_version, kind): name for api_version, kind, name in compact["kinds"]}
    definitions = Definitions(compact["definitions"])
    LOG.debug("loaded %d Kubernetes %s definitions", len(definitions), version)
    return VersionSchemas(version, definitions, kinds, frozenset(compact["groups"]))


def _compact(path: Path) -> dict[str, Any]:
    """The kind index, the API groups and the definitions without annotations, as plain data."""
    with path.open(encoding="utf-8") as handle:
        document = json.load(handle)
    kinds: list[list[str]] = []
    groups: set[str] = set()
    for name, definition in document["$defs"].items():
        gvks = definition.get("x-kubernetes-group-version-kind") or []
        for gvk in gvks:
            groups.add(gvk["group"])
        if len(gvks) != 1:
            continue
        gvk = gvks[0]
        api_version = f"{gvk['group']}/{gvk['version']}" if gvk["group"] else gvk["version"]
        kinds.append([api_version, gvk["kind"], name])
    definitions = {name: _strip(definition) for name, definition in document["$defs"].items()}
    return {"kinds": kinds, "groups": sorted(groups), "definitions": definitions}


_LOCAL_REF = "#/$defs/"


def _strip(node: Any) -> Any:
    """A schema node without annotations (descriptions, formats, ``x-kubernetes-*``):
    jsonschema visits every key of every node it applies, and they assert nothing."""
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: _strip(child) for name, child in value.items()}
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            out[key] = [_strip(child) for child in value]
        elif key in _SCHEMA_CHILDREN:
            out[key] = _strip(value)
        elif key not in _ANNOTATIONS and not key.startswith("x-"):
            out[key] = value
    return out


class Definitions(Mapping[str, Any]):
    """The definitions by name, each with every local ``$ref`` replaced by the (shared)
    definition itself, resolved on first use."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self._raw = raw
        self._linked: dict[str, dict[str, Any]] = {}
        self._pending: list[str] = []
        self._lock = threading.Lock()
        # The name of each resolved definition, by the id of its dict.
        self.names: dict[int, str] = {}

    def __getitem__(self, name: str) -> dict[str, Any]:
        if name not in self._raw:
            raise KeyError(name)
        with self._lock:
            linked = self._shared(name)
            while self._pending:
                pending = self._pending.pop()
                self._linked[pending].update(self._link(self._raw[pending]))
            return linked

    def __contains__(self, name: object) -> bool:
        return name in self._raw

    def linked(self) -> frozenset[str]:
        """The names resolved so far."""
        with self._lock:
            return frozenset(self._linked)

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def _shared(self, name: str) -> dict[str, Any]:
        linked = self._linked.get(name)
        if linked is None:
            linked = self._linked[name] = {}
            self.names[id(linked)] = name
            self._pending.append(name)
        return linked

    def _link(self, node: Any) -> Any:
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_LOCAL_REF):
            return self._shared(ref[len(_LOCAL_REF) :])
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in _SCHEMA_MAPS and isinstance(value, dict):
                out[key] = {name: self._link(child) for name, child in value.items()}
            elif key in _SCHEMA_LISTS and isinstance(value, list):
                out[key] = [self._link(child) for child in value]
            elif key in _SCHEMA_CHILDREN:
                out[key] = self._link(value)
            else:
                out[key] = value
        return out


_SCHEMA_MAPS = frozenset({"properties", "patternProperties"})
_SCHEMA_LISTS = frozenset({"oneOf", "anyOf", "allOf"})
_SCHEMA_CHILDREN = frozenset({"items", "additionalProperties", "not"})
_ANNOTATIONS = frozenset({"description", "format", "$schema", "$id", "default"})
